"""Sealed ballots and their key files: a box opens only with its vote's key, says nothing by its size, and
the key file is owner-only and gone after it is destroyed."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from coop.votes import vote_keys
from coop.votes.bulletin import BoardEntry, new_tracker
from coop.votes.sealing import SealedBallot, SealError, fingerprint_of, open_sealed, seal


@pytest.fixture(autouse=True)
def key_folder(tmp_path: Path):
    vote_keys.use_directory(tmp_path / "keys")
    yield tmp_path / "keys"
    vote_keys.use_directory(None)


def test_a_sealed_ballot_opens_with_the_vote_key_only(key_folder: Path) -> None:
    public = vote_keys.create_key(7)
    other = vote_keys.create_key(8)
    entry = BoardEntry(new_tracker(), "2>0>1", 3)
    box = seal(vote_keys.decode_public(public), entry)
    assert open_sealed(vote_keys.load_key(7, public), box) == entry
    with pytest.raises(SealError, match="not sealed to this vote's key"):
        open_sealed(vote_keys.load_key(8, other), box)
    assert entry.tracker not in box.sealed and "2>0>1" not in box.sealed


def test_every_box_has_the_same_size_whatever_the_choice() -> None:
    public = vote_keys.decode_public(vote_keys.create_key(1))
    longest = ">".join(map(str, range(50)))
    sizes = {
        len(seal(public, BoardEntry(new_tracker(), choice, weight)).sealed)
        for choice, weight in [("for", 1), ("against", 1), ("abstain", 250), (longest, 9)]
    }
    assert len(sizes) == 1


def test_a_changed_box_or_fingerprint_is_refused_with_the_reason() -> None:
    public = vote_keys.create_key(1)
    key = vote_keys.load_key(1, public)
    box = seal(vote_keys.decode_public(public), BoardEntry(new_tracker(), "for", 1))
    raw = bytearray(base64.b64decode(box.sealed))
    raw[-1] ^= 1
    changed = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(SealError, match="does not match its fingerprint"):
        open_sealed(key, SealedBallot(box.fingerprint, changed))
    with pytest.raises(SealError, match="not sealed to this vote's key"):
        open_sealed(key, SealedBallot(fingerprint_of(bytes(raw)), changed))
    with pytest.raises(SealError, match="not valid base64"):
        open_sealed(key, SealedBallot(box.fingerprint, "not base64!"))


def test_the_key_file_is_owner_only_checked_and_destroyed(key_folder: Path) -> None:
    public = vote_keys.create_key(5)
    (path,) = key_folder.glob("vote-5-*.key")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_folder.stat().st_mode) == 0o700
    assert vote_keys.key_exists(5, public)
    vote_keys.destroy_key(5, public)
    assert not path.exists() and not vote_keys.key_exists(5, public)
    vote_keys.destroy_key(5, public)  # twice is harmless
    with pytest.raises(vote_keys.VoteKeyError, match="missing"):
        vote_keys.load_key(5, public)


def test_a_key_file_of_another_opening_is_not_used(key_folder: Path) -> None:
    public = vote_keys.create_key(5)
    other = vote_keys.create_key(6)
    (path,) = key_folder.glob("vote-6-*.key")
    (theirs,) = key_folder.glob("vote-5-*.key")
    theirs.write_bytes(path.read_bytes())
    with pytest.raises(vote_keys.VoteKeyError, match="does not belong to this vote"):
        vote_keys.load_key(5, public)
    assert vote_keys.load_key(6, other)


def test_a_close_without_the_key_file_stops_with_the_reason_and_the_vote_stays_open(demo, tmp_path):
    from coop.votes.records import VoteStateError
    from tests.coop.votes.helpers import MEMBER, cast, close, make_vote, rows

    vote_keys.use_directory(tmp_path / "vote-keys")
    vote_id = make_vote()
    assert cast(vote_id, MEMBER, "for").counted
    (key_file,) = (tmp_path / "vote-keys").glob(f"vote-{vote_id}-*.key")
    moved = key_file.rename(tmp_path / "elsewhere.key")
    with pytest.raises(VoteStateError, match="key that opens this vote's sealed ballots is missing"):
        close(vote_id, when=_after_close())
    assert [v["status"] for v in rows("vote") if v["id"] == vote_id] == ["open"]
    assert len(rows("vote_sealed_ballot")) == 1
    moved.rename(key_file)  # put back, the close goes through and destroys it
    assert close(vote_id, when=_after_close()).status == "closed"
    assert not key_file.exists() and rows("vote_sealed_ballot") == []


def _after_close():
    from datetime import timedelta

    from tests.coop.votes.helpers import now

    return now() + timedelta(days=8)
