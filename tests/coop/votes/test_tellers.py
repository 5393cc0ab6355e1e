"""Tellers: a vote's key split k of n among tellers. Fewer than k cannot count it, k count it to the same
result as the server's key, a wrong passphrase changes nothing, a copy of the database and the key directory
taken mid-vote opens no ballot, and the worker holds the close (never "needs attention") until k have come."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.jobs.helpers import jobs, run_jobs
from tests.coop.votes.helpers import SECRETARY, cast, make_vote, member_id, now, org_id, rows

PASSPHRASES = {
    "amara@riverside.example": "amara keeps the first share safe",
    "priya@riverside.example": "priya keeps the second share safe",
    "tom@riverside.example": "tom keeps the third share safe too",
}
TELLERS = list(PASSPHRASES)
VOTERS = [
    ("jamie@riverside.example", "for"),
    ("sofia@riverside.example", "for"),
    ("grace@riverside.example", "against"),
    ("kwame@riverside.example", "for"),
    ("ruth@riverside.example", "abstain"),
]


def _public_id(email: str) -> str:
    from coop.members.tables import Member

    row = run(Member.select(Member.public_id).where(Member.id == member_id(email)).first())
    return str(row["public_id"])


def set_passphrase(settings: Any, email: str, passphrase: str | None = None) -> None:
    from coop.audit.service import SYSTEM
    from coop.votes.tellers import set_teller_key

    words = passphrase or PASSPHRASES[email]
    run(set_teller_key(org_id(), member_id(email), words, words, settings=settings, actor=SYSTEM))


def choose(vote_id: int, emails: list[str], needed: str = "2", mode: str = "tellers") -> None:
    from coop.audit.service import SYSTEM
    from coop.votes.teller_shares import choose_tellers

    run(
        choose_tellers(
            org_id(),
            vote_id,
            mode=mode,
            public_ids=[_public_id(e) for e in emails],
            needed_text=needed,
            actor=SYSTEM,
        )
    )


def teller_vote(settings: Any, *, needed: str = "2", closes_in: timedelta = timedelta(hours=1)) -> int:
    from coop.audit.service import SYSTEM
    from coop.votes.lifecycle import open_vote

    for email in TELLERS:
        set_passphrase(settings, email)
    vote_id = make_vote(open_it=False, closes_in=closes_in, title="Tellers vote")
    choose(vote_id, TELLERS, needed)
    run(open_vote(org_id(), vote_id, now=now(), actor=SYSTEM))
    return vote_id


def come(vote_id: int, email: str, *, at: Any, passphrase: str | None = None) -> Any:
    from coop.audit.service import SYSTEM
    from coop.votes.teller_shares import come_to_count

    words = PASSPHRASES[email] if passphrase is None else passphrase
    return run(come_to_count(org_id(), vote_id, member_id(email), words, now=at, actor=SYSTEM))


def vote_row(vote_id: int) -> dict[str, Any]:
    return next(v for v in rows("vote") if v["id"] == vote_id)


def key_files(settings: Any, vote_id: int) -> list[Path]:
    from coop.votes import vote_keys

    return sorted(vote_keys.directory().glob(f"vote-{vote_id}-*"))


def close_jobs(vote_id: int) -> list[dict[str, Any]]:
    return [j for j in jobs(kind="vote.close") if j["dedupe_key"].startswith(f"vote.close:{vote_id}:")]


def test_fewer_than_k_tellers_cannot_count_and_k_count_to_the_same_result_as_the_server_key(demo):
    from coop.audit.service import SYSTEM
    from coop.votes.closing import close_vote
    from coop.votes.tellers import TellersNeeded

    split = teller_vote(demo)
    server = make_vote(closes_in=timedelta(hours=1), title="Server key vote")
    for email, choice in VOTERS:
        cast(split, email, choice)
        cast(server, email, choice)
    # No whole key is written anywhere for the split vote: the key directory has nothing of it.
    assert key_files(demo, split) == [] and len(key_files(demo, server)) == 1
    closes_at = max(vote_row(split)["closes_at"], vote_row(server)["closes_at"])

    run_jobs(demo, at=closes_at)
    assert vote_row(server)["status"] == "closed"
    assert vote_row(split)["status"] == "open"
    (held,) = close_jobs(split)
    assert held["state"] == "on_hold" and held["attempts"] == 0
    assert held["last_error"] == "Needs tellers: 0 of the 2 needed have come."
    assert not jobs("needs_attention")
    run_jobs(demo, at=closes_at + timedelta(hours=6))  # held: not tried again and again
    assert close_jobs(split) == [held]

    come(split, TELLERS[0], at=closes_at + timedelta(minutes=5))
    assert len(key_files(demo, split)) == 1  # one share waits outside the database
    with pytest.raises(TellersNeeded, match="1 of the 2 needed"):
        run(close_vote(org_id(), split, now=closes_at, actor=SYSTEM))
    run_jobs(demo, at=closes_at + timedelta(minutes=6))
    assert vote_row(split)["status"] == "open" and close_jobs(split)[0]["state"] == "on_hold"

    come(split, TELLERS[2], at=closes_at + timedelta(minutes=10))
    assert close_jobs(split)[0]["state"] == "queued"  # the last teller resumes the held close
    run_jobs(demo, at=closes_at + timedelta(minutes=10))
    closed, reference = vote_row(split), vote_row(server)
    assert closed["status"] == "closed" and closed["closed_at"] == vote_row(split)["closes_at"]
    mine, theirs = json.loads(closed["result"]), json.loads(reference["result"])
    assert mine["sheet"] | {"title": ""} == theirs["sheet"] | {"title": ""}
    assert mine["outcome"] == theirs["outcome"] and mine["chosen"] == theirs["chosen"]
    assert sorted(b["choice"] for b in rows("vote_ballot") if b["vote"] == split) == sorted(
        c for _, c in VOTERS
    )
    # After the close: every share destroyed, the sealed shares gone from the database, no box left.
    assert key_files(demo, split) == []
    assert all(t["sealed_share"] is None for t in rows("vote_teller") if t["vote"] == split)
    assert not [b for b in rows("vote_sealed_ballot") if b["vote"] == split]
    assert close_jobs(split)[0]["state"] == "done"


def test_a_wrong_passphrase_is_refused_and_changes_nothing(demo):
    from coop.errors import Refused

    vote_id = teller_vote(demo)
    cast(vote_id, "jamie@riverside.example", "for")
    after = vote_row(vote_id)["closes_at"] + timedelta(minutes=1)
    before = (rows("vote_teller"), key_files(demo, vote_id), rows("vote"), len(rows("audit_event")))
    with pytest.raises(Refused) as refused:
        come(vote_id, TELLERS[0], at=after, passphrase="not the passphrase at all, sorry")
    assert refused.value.field_errors == {
        "passphrase": "That is not your teller passphrase. Check it and try again. You can try 4 more times "
        "in the next 15 minutes"
    }
    with pytest.raises(Refused):  # another teller's passphrase is wrong too
        come(vote_id, TELLERS[0], at=after, passphrase=PASSPHRASES[TELLERS[1]])
    assert (rows("vote_teller"), key_files(demo, vote_id), rows("vote")) == before[:3]
    # The audit log gets each wrong attempt as a count, never what was typed.
    new = rows("audit_event")[before[3] :]
    assert [e["action"] for e in new] == ["vote.teller_passphrase_wrong"] * 2
    assert ["1" in str(new[0]["detail"]), "2" in str(new[1]["detail"])] == [True, True]
    assert not any("passphrase at all" in str(e) or PASSPHRASES[TELLERS[1]] in str(e) for e in new)


def test_wrong_passphrases_are_limited_per_teller_and_the_limit_is_kept_in_the_database(demo):
    from coop import clock
    from coop.accounts.tables import LoginThrottle
    from coop.audit.service import SYSTEM
    from coop.errors import Refused
    from coop.votes.tellers import change_passphrase

    vote_id = teller_vote(demo)
    cast(vote_id, "jamie@riverside.example", "for")
    after = vote_row(vote_id)["closes_at"] + timedelta(minutes=1)
    amara, start = TELLERS[0], clock.now()
    wrong = "a guess at amara's passphrase"
    with clock.frozen_at(start):
        for _ in range(4):
            with pytest.raises(Refused, match="not your teller passphrase"):
                come(vote_id, amara, at=after, passphrase=wrong)
        with pytest.raises(Refused) as changing:  # changing the passphrase counts against the same limit
            run(
                change_passphrase(
                    org_id(), member_id(amara), wrong, wrong, wrong, settings=demo, actor=SYSTEM
                )
            )
        assert changing.value.field_errors == {
            "current": "That is not your teller passphrase. Check it and try again. Wait 15 minutes before "
            "you try again"
        }
    # The counter is a row in the database (every worker and machine sees it), keyed by teller, no secret.
    [counter] = run(LoginThrottle.select().where(LoginThrottle.key == f"teller:{member_id(amara)}"))
    assert counter["failures"] == 5
    with clock.frozen_at(start + timedelta(minutes=5)):
        for _ in range(3):  # now even the right passphrase is refused, saying when to try again
            with pytest.raises(Refused) as held:
                come(vote_id, amara, at=after)
            assert held.value.field_errors == {
                "passphrase": "You have entered a wrong teller passphrase 5 times. To keep your key safe, "
                "wait 10 minutes, then try again"
            }
        assert come(vote_id, TELLERS[1], at=after).came == 1  # another teller is not held back
    assert all(t["came_at"] is None for t in rows("vote_teller") if t["member"] == member_id(amara))
    actions = [e["action"] for e in rows("audit_event") if "passphrase_" in e["action"]]
    assert actions == ["vote.teller_passphrase_wrong"] * 5 + ["vote.teller_passphrase_held"]

    with clock.frozen_at(start + timedelta(minutes=15, seconds=1)):
        held_tellers = come(vote_id, amara, at=after)
    assert held_tellers.came == 2
    # The right passphrase starts the count afresh.
    assert run(LoginThrottle.count().where(LoginThrottle.key == f"teller:{member_id(amara)}")) == 0


def test_tellers_come_only_once_voting_has_ended_and_only_for_their_own_vote(demo):
    from coop.errors import Refused

    vote_id = teller_vote(demo, closes_in=timedelta(days=2))
    cast(vote_id, "jamie@riverside.example", "for")
    with pytest.raises(Refused, match="once voting has ended"):
        come(vote_id, TELLERS[0], at=now())
    with pytest.raises(Refused) as not_teller:
        come(vote_id, "jamie@riverside.example", at=now(), passphrase="whatever it may be, really")
    assert not_teller.value.status_code == 404
    assert [t["came_at"] for t in rows("vote_teller")] == [None, None, None]


def test_a_copy_of_the_database_and_the_key_directory_mid_vote_opens_no_ballot(demo):
    """The insider's copy: every table and every file in the key directory, taken while the vote is open.
    Without k passphrases nothing opens a box. Even k-1 tellers who give up their passphrases (and the
    shares they open) rebuild no key that opens a box. With k passphrases the same copy opens every box,
    so the attack is real and the passphrases are what protect the vote."""
    from nacl.public import PrivateKey

    from coop.votes import teller_keys, vote_keys
    from coop.votes.sealing import SealedBallot, SealError, open_sealed

    vote_id = teller_vote(demo)
    for email, choice in VOTERS:
        cast(vote_id, email, choice)
    directory = vote_keys.directory()
    files = {p.name: p.read_bytes() for p in directory.glob("*")} if directory.exists() else {}
    boxes = [SealedBallot(b["fingerprint"], b["sealed"]) for b in rows("vote_sealed_ballot")]
    shares = {t["share_index"]: (t["member"], t["sealed_share"]) for t in rows("vote_teller")}
    keys = {k["member"]: k for k in rows("vote_teller_key")}
    public = vote_row(vote_id)["seal_public_key"]
    assert len(boxes) == len(VOTERS) and not any(f"vote-{vote_id}-" in name for name in files)

    def locked(member: int) -> teller_keys.LockedKey:
        k = keys[member]
        return teller_keys.LockedKey(
            k["public_key"], k["locked_private"], k["salt"], k["time_cost"], k["memory_kib"]
        )

    def opened(index: int, passphrase: str) -> tuple[int, bytes]:
        member, sealed = shares[index]
        private = teller_keys.unlock(locked(member), passphrase)
        return index, teller_keys.open_share(private, sealed, vote_id, index)

    # Guessing: empty, common and near passphrases unlock no teller key.
    for member in keys:
        for guess in ["", "password", "correct horse battery staple", PASSPHRASES[TELLERS[0]] + " "]:
            with pytest.raises(teller_keys.WrongPassphrase):
                teller_keys.unlock(locked(member), guess)
    # k-1 shares: every way of completing them to a key fails the check, and no box opens with them.
    one = [opened(1, PASSPHRASES[TELLERS[0]])]
    with pytest.raises(teller_keys.ShareError):
        teller_keys.combine([*one, (2, bytes(32))], public)
    for _index, share in one:
        with pytest.raises((SealError, ValueError)):
            open_sealed(PrivateKey(share), boxes[0])
    # k shares: the copy opens every box (the control).
    key = teller_keys.combine([*one, opened(3, PASSPHRASES[TELLERS[2]])], public)
    assert sorted(open_sealed(key, b).choice for b in boxes) == sorted(c for _, c in VOTERS)


def test_choosing_tellers_refuses_what_cannot_work_with_plain_reasons(demo):
    from coop.audit.service import SYSTEM
    from coop.errors import Refused
    from coop.votes.lifecycle import open_vote
    from coop.votes.teller_shares import choose_tellers

    set_passphrase(demo, TELLERS[0])
    set_passphrase(demo, TELLERS[1])
    vote_id = make_vote(open_it=False)

    def refusal(ids: list[str], needed: str, mode: str = "tellers") -> dict[str, str]:
        with pytest.raises(Refused) as refused:
            run(
                choose_tellers(org_id(), vote_id, mode=mode, public_ids=ids, needed_text=needed, actor=SYSTEM)
            )
        return refused.value.field_errors

    both = [_public_id(TELLERS[0]), _public_id(TELLERS[1])]
    assert refusal(both[:1], "1")["tellers"] == "Choose at least 2 tellers"
    assert "at least 2" in refusal(both, "1")["needed"]
    assert "no more than the 2 tellers" in refusal(both, "3")["needed"]
    assert "no more than" in refusal(both, "２")["needed"]  # a full-width digit is not a number here
    no_key = [*both, _public_id("jamie@riverside.example")]
    assert "set a teller passphrase" in refusal(no_key, "2")["tellers"]
    assert "set a teller passphrase" in refusal([both[0], "not-an-id"], "2")["tellers"]
    assert "10 tellers or fewer" in refusal([*both, *(f"x{i}" for i in range(10))], "2")["tellers"]
    assert refusal(both, "2", mode="nobody") == {"mode": "Choose who holds the key that opens the ballots"}
    assert rows("vote_teller") == [] and vote_row(vote_id)["tellers_needed"] == 0

    choose(vote_id, TELLERS[:2], "2")
    assert [t["share_index"] for t in rows("vote_teller")] == [1, 2]
    run(open_vote(org_id(), vote_id, now=now(), actor=SYSTEM))
    with pytest.raises(Refused, match="before the vote opens"):
        choose(vote_id, TELLERS[:2], "2", mode="server")
    events = [e for e in rows("audit_event") if e["action"] == "vote.tellers_chosen"]
    assert len(events) == 1
    assert json.loads(events[0]["detail"]) == {"needed": 2, "tellers": ["Amara Okafor", "Priya Shah"]}


def test_a_teller_who_left_or_lost_their_key_stops_the_opening(demo):
    from coop.audit.service import SYSTEM
    from coop.errors import Refused
    from coop.votes.lifecycle import open_vote
    from coop.votes.tables import TellerKey

    for email in TELLERS[:2]:
        set_passphrase(demo, email)
    vote_id = make_vote(open_it=False)
    choose(vote_id, TELLERS[:2], "2")
    run(TellerKey.delete().where(TellerKey.member == member_id(TELLERS[1])))
    with pytest.raises(Refused, match="choose the tellers again"):
        run(open_vote(org_id(), vote_id, now=now(), actor=SYSTEM))
    assert vote_row(vote_id)["status"] == "draft" and vote_row(vote_id)["seal_public_key"] is None


def test_a_teller_can_change_their_passphrase_but_not_replace_their_key_during_a_vote(demo):
    from coop.audit.service import SYSTEM
    from coop.errors import Refused
    from coop.votes.tellers import change_passphrase

    vote_id = teller_vote(demo)
    amara = TELLERS[0]
    new_words = "a brand new passphrase for amara"
    with pytest.raises(Refused) as wrong:
        run(
            change_passphrase(
                org_id(), member_id(amara), "wrong one", new_words, new_words, settings=demo, actor=SYSTEM
            )
        )
    assert wrong.value.field_errors == {
        "current": "That is not your teller passphrase. Check it and try again. You can try 4 more times in "
        "the next 15 minutes"
    }
    with pytest.raises(Refused) as short:
        run(
            change_passphrase(
                org_id(), member_id(amara), PASSPHRASES[amara], "short", "short", settings=demo, actor=SYSTEM
            )
        )
    assert "15 characters or more" in short.value.field_errors["passphrase"]
    run(
        change_passphrase(
            org_id(), member_id(amara), PASSPHRASES[amara], new_words, new_words, settings=demo, actor=SYSTEM
        )
    )
    with pytest.raises(Refused, match="not been counted yet"):
        set_passphrase(demo, amara, "replacing my key with a new one")
    at = vote_row(vote_id)["closes_at"] + timedelta(minutes=1)
    with pytest.raises(Refused):
        come(vote_id, amara, at=at)  # the old passphrase no longer opens it
    held = come(vote_id, amara, at=at, passphrase=new_words)  # the share sealed before still opens
    assert held.came == 1
    actions = [e["action"] for e in rows("audit_event") if e["action"].startswith("vote.teller")]
    assert actions.count("vote.teller_key_set") == 3
    assert actions.count("vote.teller_passphrase_changed") == 1 and actions.count("vote.teller_came") == 1


def test_the_sweep_resumes_a_close_held_while_the_last_teller_came(demo):
    from coop.jobs.tables import Job

    vote_id = teller_vote(demo)
    cast(vote_id, "jamie@riverside.example", "for")
    closes_at = vote_row(vote_id)["closes_at"]
    run_jobs(demo, at=closes_at)
    come(vote_id, TELLERS[0], at=closes_at)
    come(vote_id, TELLERS[1], at=closes_at)
    # As if the worker put the job on hold just after the last teller resumed it.
    run(Job.update({Job.state: "on_hold"}).where(Job.id == close_jobs(vote_id)[0]["id"]))
    run_jobs(demo, at=closes_at + timedelta(minutes=1))
    assert vote_row(vote_id)["status"] == "closed"


def test_the_pages_set_a_passphrase_choose_tellers_and_come_to_the_count(demo):
    from tests.conftest import make_client

    vote_id = make_vote(open_it=False, closes_in=timedelta(hours=1), title="Pages vote")
    base = "/o/riverside/votes"
    for email in TELLERS[:2]:
        with make_client(demo) as client:
            sign_in(client, email)
            page = client.get(f"{base}/teller-passphrase")
            assert page.status_code == 200 and "Set your passphrase" in page.text
            bad = post_form(
                client, f"{base}/teller-passphrase", {"passphrase": PASSPHRASES[email], "confirm": "other"}
            )
            assert bad.status_code == 422 and "The passphrases do not match" in bad.text
            assert 'href="#confirm"' in bad.text and PASSPHRASES[email] not in bad.text
            assert f'action="{base}/teller-passphrase"' in bad.text
            done = post_form(
                client,
                f"{base}/teller-passphrase",
                {"passphrase": PASSPHRASES[email], "confirm": PASSPHRASES[email]},
            )
            assert done.status_code == 303
            assert "Change your passphrase" in client.get(f"{base}/teller-passphrase").text
    with make_client(demo) as client:
        sign_in(client, SECRETARY)
        form = client.get(f"{base}/{vote_id}/tellers")
        assert form.status_code == 200 and "Amara Okafor" in form.text and "Jamie Carter" not in form.text
        ids = [_public_id(e) for e in TELLERS[:2]]
        refused = post_form(
            client, f"{base}/{vote_id}/tellers", {"mode": "tellers", "tellers": ids, "needed": "3"}
        )
        assert refused.status_code == 422 and 'href="#needed"' in refused.text
        assert f'action="{base}/{vote_id}/tellers"' in refused.text
        assert rows("vote_teller") == []
        saved = post_form(
            client, f"{base}/{vote_id}/tellers", {"mode": "tellers", "tellers": ids, "needed": "2"}
        )
        assert saved.status_code == 303
        draft = page_text(client.get(f"{base}/{vote_id}").text)
        assert "split among 2 tellers" in draft and "Change the tellers" in draft
        assert post_form(client, f"{base}/{vote_id}/open").status_code == 303
    with make_client(demo) as client:
        sign_in(client, "jamie@riverside.example")
        assert client.get(f"{base}/{vote_id}/count").status_code == 404
        assert post_form(client, f"{base}/{vote_id}/count", {"passphrase": "x" * 20}).status_code == 404
    closes_at = vote_row(vote_id)["closes_at"]
    from coop import clock

    with clock.frozen_at(closes_at + timedelta(minutes=1)), make_client(demo) as client:
        sign_in(client, TELLERS[0])
        shown = page_text(client.get(f"{base}/{vote_id}").text)
        assert "Waiting for tellers (0 of 2 have come)" in shown and "Come to the count as a teller" in shown
        wrong = post_form(client, f"{base}/{vote_id}/count", {"passphrase": "this is not my passphrase"})
        assert wrong.status_code == 422 and "That is not your teller passphrase" in wrong.text
        assert f'action="{base}/{vote_id}/count"' in wrong.text
        came = post_form(client, f"{base}/{vote_id}/count", {"passphrase": PASSPHRASES[TELLERS[0]]})
        assert came.status_code == 303
        shown = page_text(client.get(came.headers["location"]).text)
        assert "1 of the 2 tellers needed have come" in shown
        assert "Waiting for tellers (1 of 2 have come)" in shown and "Amara Okafor: Has come" in shown
        assert "Priya Shah: Not yet" in shown


def test_the_key_is_split_so_any_k_shares_rebuild_it_and_each_share_belongs_to_one_vote_and_place():
    from itertools import combinations

    from nacl.public import PrivateKey

    from coop.votes import teller_keys

    key = PrivateKey.generate()
    public = teller_keys._b64(bytes(key.public_key))
    shares = teller_keys.split(key, 3, 5)
    for chosen in combinations(shares, 3):
        assert bytes(teller_keys.combine(list(chosen), public)) == bytes(key)
    with pytest.raises(teller_keys.ShareError):
        teller_keys.combine(shares[:2], public)
    teller = PrivateKey.generate()
    sealed = teller_keys.seal_share(teller_keys._b64(bytes(teller.public_key)), 7, 2, shares[1][1])
    assert teller_keys.open_share(teller, sealed, 7, 2) == shares[1][1]
    with pytest.raises(teller_keys.ShareError, match="another vote"):
        teller_keys.open_share(teller, sealed, 8, 2)
    with pytest.raises(teller_keys.ShareError, match="another vote or another teller"):
        teller_keys.open_share(teller, sealed, 7, 3)
    with pytest.raises(teller_keys.ShareError, match="not sealed to your teller key"):
        teller_keys.open_share(PrivateKey.generate(), sealed, 7, 2)


def test_the_site_admin_sees_the_close_on_hold_for_tellers_not_needing_attention(demo):
    from tests.conftest import make_client

    vote_id = teller_vote(demo)
    run_jobs(demo, at=vote_row(vote_id)["closes_at"])
    with make_client(demo) as client:
        sign_in(client, "admin@coop.example")
        text = page_text(client.get("/admin/outbox").text)
    assert "0 need attention, 1 on hold until people act" in text
    assert (
        f"vote.close (number {close_jobs(vote_id)[0]['id']}): Needs tellers: 0 of the 2 needed have come."
        in text
    )


def test_the_choose_page_starts_from_the_last_vote_with_tellers(demo):
    from tests.conftest import make_client

    teller_vote(demo)
    draft = make_vote(open_it=False, title="Next vote")
    with make_client(demo) as client:
        sign_in(client, SECRETARY)
        page = client.get(f"/o/riverside/votes/{draft}/tellers").text
    assert 'Filled in from the last vote that had tellers, "Tellers vote"' in page
    for email in TELLERS:
        assert f'value="{_public_id(email)}" checked' in page
    assert 'id="mode-tellers" name="mode" type="radio" value="tellers" checked' in page
    assert vote_row(draft)["tellers_needed"] == 0 and not [
        t for t in rows("vote_teller") if t["vote"] == draft
    ]


def test_the_last_two_tellers_coming_at_once_resume_the_close(demo, monkeypatch):
    """Each teller's transaction marks them come and counts who has come. On PostgreSQL both could count
    before either commits, each see k - 1 and neither resume the close; the vote row lock orders them. The
    first to count waits here until the other has counted too, or is waiting for a lock (without the row
    lock both count 1 of 2)."""
    import asyncio

    from coop.audit.service import SYSTEM
    from coop.db import is_sqlite
    from coop.votes import teller_shares

    vote_id = teller_vote(demo)
    cast(vote_id, "jamie@riverside.example", "for")
    closes_at = vote_row(vote_id)["closes_at"]
    run_jobs(demo, at=closes_at)
    [held] = close_jobs(vote_id)
    assert held["state"] == "on_hold"

    arrived: list[int] = []
    original = teller_shares.record

    async def lock_waiters() -> int:
        from coop.votes.tables import Vote

        query = "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        return int((await Vote.raw(query))[0]["n"])

    async def gate(entry: Any, actor: Any) -> None:
        if entry.action == "vote.teller_came" and not is_sqlite():
            arrived.append(entry.detail["came"])
            for _ in range(1_000):  # until the other teller has counted, or waits for the row lock
                if len(arrived) == 2 or await lock_waiters():
                    break
                await asyncio.sleep(0.01)
        await original(entry, actor)

    monkeypatch.setattr(teller_shares, "record", gate)
    at = closes_at + timedelta(minutes=1)

    organisation, members = org_id(), [(member_id(e), PASSPHRASES[e]) for e in TELLERS[:2]]

    async def both() -> list[int]:
        came = await asyncio.gather(
            *(
                teller_shares.come_to_count(organisation, vote_id, member, words, now=at, actor=SYSTEM)
                for member, words in members
            )
        )
        return [c.came for c in came]

    assert max(run(both())) == 2
    if not is_sqlite():
        assert sorted(arrived) == [1, 2]  # one counted after the other had committed
    assert close_jobs(vote_id)[0]["state"] == "queued"  # the second to come resumed the held close
    run_jobs(demo, at=at)
    assert vote_row(vote_id)["status"] == "closed"


def test_concurrent_wrong_passphrases_cannot_slip_past_the_limit(demo):
    import asyncio

    from coop.audit.service import SYSTEM
    from coop.errors import Refused
    from coop.votes import teller_shares

    vote_id = teller_vote(demo)
    cast(vote_id, "jamie@riverside.example", "for")
    at = vote_row(vote_id)["closes_at"] + timedelta(minutes=1)
    organisation, amara = org_id(), member_id(TELLERS[0])

    async def guess(number: int) -> str:
        try:
            await teller_shares.come_to_count(
                organisation, vote_id, amara, f"guess number {number} at it", now=at, actor=SYSTEM
            )
        except Refused as refused:
            return "wrong" if "not your teller passphrase" in refused.field_errors["passphrase"] else "held"
        return "came"

    async def many() -> list[str]:
        return list(await asyncio.gather(*(guess(n) for n in range(9))))

    answers = run(many())
    assert sorted(answers) == ["held"] * 4 + ["wrong"] * 5
    actions = [e["action"] for e in rows("audit_event") if "passphrase_" in e["action"]]
    assert sorted(actions) == ["vote.teller_passphrase_held"] + ["vote.teller_passphrase_wrong"] * 5
