"""Each vote's key pair: the public key lives on the vote row, the private key in a file outside the database.

Ballots are sealed to the public key when they are cast (`coop/votes/sealing.py`), so a copy of the database
taken while the vote is open holds only sealed boxes. The private key file is made when the vote opens, read
once when it closes (to open the ballots) and then overwritten and deleted, so after close nothing anywhere
can open a sealed ballot copied from a backup. Losing the file before close loses the vote's ballots: the
directory must be on lasting storage, but kept out of database backups (docs/operating.md).
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from nacl.public import PrivateKey, PublicKey

_directory: Path | None = None


class VoteKeyError(Exception):
    """The vote's private key cannot be had; the message is safe to show to the secretary."""


def use_directory(path: Path | None) -> None:
    """Where key files go in this process (from `Settings.vote_key_dir`); None: the default."""
    global _directory
    _directory = path


def directory() -> Path:
    """The key directory: the one set, else COOP_VOTE_KEY_DIR, else `vote-keys` beside the SQLite
    database file, else (PostgreSQL) `vote-keys` in the current folder."""
    if _directory is not None:
        return _directory
    named = os.environ.get("COOP_VOTE_KEY_DIR", "")  # Settings.vote_key_dir, for the worker and commands
    if named:
        return Path(named).resolve()
    from coop.db import CoopSQLiteEngine, current_engine

    engine = current_engine()
    if isinstance(engine, CoopSQLiteEngine):
        return Path(engine.path).resolve().parent / "vote-keys"
    return Path("vote-keys").resolve()


def encode_public(key: PublicKey) -> str:
    return base64.b64encode(bytes(key)).decode()


def decode_public(text: str) -> PublicKey:
    return PublicKey(base64.b64decode(text, validate=True))


def _path(vote_id: int, public_key: str) -> Path:
    # The public key in the name ties the file to one opening of one vote, so a restored database or a
    # second instance sharing the directory never picks up another vote's key.
    tag = base64.b32encode(base64.b64decode(public_key)).decode().rstrip("=")[:20].lower()
    return directory() / f"vote-{vote_id}-{tag}.key"


def create_key(vote_id: int) -> str:
    """Make the vote's key pair, write the private key (owner-only, synced to disk) and return the public
    key to store on the vote row."""
    private = PrivateKey.generate()
    public = encode_public(private.public_key)
    _write_secret(_path(vote_id, public), bytes(private))
    return public


def _write_secret(path: Path, secret: bytes) -> None:
    """Write a secret file owner-only and synced to disk, whole or not at all."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, base64.b64encode(secret) + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, path)
    _sync_directory(path.parent)


def load_key(vote_id: int, public_key: str) -> PrivateKey:
    """The vote's private key, checked against its public key."""
    path = _path(vote_id, public_key)
    try:
        private = PrivateKey(base64.b64decode(path.read_bytes().strip(), validate=True))
    except FileNotFoundError:
        raise VoteKeyError(
            f"The key that opens this vote's sealed ballots is missing (expected {path.name} in the "
            "vote key directory). The ballots cannot be counted without it: ask the site operator."
        ) from None
    except (OSError, ValueError) as error:
        raise VoteKeyError(f"The key file {path.name} for this vote cannot be read ({error}).") from None
    if encode_public(private.public_key) != public_key:
        raise VoteKeyError(f"The key file {path.name} does not belong to this vote.")
    return private


def destroy_key(vote_id: int, public_key: str) -> None:
    """Overwrite the private key file and delete it; nothing to do if it is gone already."""
    _overwrite_and_delete(_path(vote_id, public_key))


def _overwrite_and_delete(path: Path) -> None:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    with path.open("r+b") as handle:
        handle.write(b"\0" * size)
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink(missing_ok=True)
    _sync_directory(path.parent)


def key_exists(vote_id: int, public_key: str) -> bool:
    return _path(vote_id, public_key).is_file()


# --- tellers' shares ---------------------------------------------------------------------------------------
# A vote whose key is split among tellers has no key file. Each teller who comes to the count opens their
# share, which waits here, outside the database, until enough have come; all are destroyed at close.


def _share_path(vote_id: int, public_key: str, index: int) -> Path:
    return _path(vote_id, public_key).with_suffix(f".share-{index}")


def write_share(vote_id: int, public_key: str, index: int, share: bytes) -> None:
    _write_secret(_share_path(vote_id, public_key, index), share)


def read_shares(vote_id: int, public_key: str, indexes: range) -> list[tuple[int, bytes]]:
    """The shares of tellers who have come (numbered within `indexes`); a file that cannot be read is left
    out, so that teller is asked to come again."""
    shares = []
    for index in indexes:
        try:
            text = _share_path(vote_id, public_key, index).read_bytes().strip()
            shares.append((index, base64.b64decode(text, validate=True)))
        except (OSError, ValueError):
            continue
    return shares


def share_exists(vote_id: int, public_key: str, index: int) -> bool:
    return _share_path(vote_id, public_key, index).is_file()


def destroy_shares(vote_id: int, public_key: str, indexes: range) -> None:
    for index in indexes:
        _overwrite_and_delete(_share_path(vote_id, public_key, index))


def _sync_directory(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
