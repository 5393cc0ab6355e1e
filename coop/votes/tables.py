"""Tables for votes: the vote, its frozen electorate, who took part, and the ballots.

Who voted (`vote_participation`) and what was voted (`vote_ballot`) share no key, timestamp or order:
a ballot row has no member, no time and no sequential id (its key is a random 128-bit tracker), and at
close the ballot rows are re-written in tracker order (reliability-bar.md §2.3).
"""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from coop.accounts.tables import Person
from coop.members.tables import Member, ProxyAppointment
from coop.organisations.tables import Organisation


class Vote(Table, tablename="vote"):
    """A question put to an electorate: a motion, a choice between options, or an election."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    title = Varchar(length=200)
    question = Text(help_text="The full text members vote on.")
    easy_read = Text(default="", help_text="An easy read summary shown beside the full text.")
    kind = Varchar(length=20, help_text="motion, single, approval, ranked (IRV) or stv.")
    purpose = Varchar(
        length=40,
        help_text="general, ordinary_resolution, special_resolution, commission, "
        "board_election or board_decision: where the threshold and electorate come from.",
    )
    options = Text(default="[]", help_text="JSON list of option or candidate names (empty for motions).")
    seats = Integer(default=1)
    secret = Boolean(default=True, help_text="Fixed when the vote opens: secret ballot or recorded vote.")
    eligible_classes = Text(
        default="", help_text="Comma-separated member classes; empty: every voting class."
    )
    status = Varchar(length=10, default="draft", help_text="draft, open or closed.")
    opens_at = Timestamptz(null=True, default=None)
    closes_at = Timestamptz(default=TimestamptzNow())
    opened_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    board_digest = Varchar(length=64, null=True, default=None, help_text="SHA-256 of the bulletin board.")
    result = Text(null=True, default=None, help_text="JSON: the count sheet and turnout, written at close.")
    seal_public_key = Varchar(
        length=44,
        null=True,
        default=None,
        help_text="Base64 X25519 public key ballots are sealed to while the vote is open; the private key "
        "is in a file outside the database (coop/votes/vote_keys.py), destroyed at close.",
    )
    electorate = Integer(
        null=True,
        default=None,
        help_text="How many are on the roll, written when the vote opens (the roll never changes after): "
        "the vote's pages read it instead of counting the roll.",
    )
    tellers_needed = Integer(
        default=0,
        help_text="0: the server holds the private key. Otherwise the key is split among the vote's tellers "
        "(vote_teller) and this many of them must come to count the vote.",
    )


class VoteRoll(Table, tablename="vote_roll"):
    """The electorate, frozen when the vote opens: who may vote and with what weight."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    vote = ForeignKey(Vote, null=False, on_delete=OnDelete.restrict)
    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    weight = Integer(default=1)
    proxy_appointment = ForeignKey(
        ProxyAppointment,
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
        help_text="In a vote opened at a meeting: the proxy recorded there, who may vote for this member.",
    )


class VoteParticipation(Table, tablename="vote_participation"):
    """That a member has voted (UNIQUE per vote and member), and by which channel. Never what they chose,
    except in a recorded (open) vote, where the choice is published with their name by design."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    vote = ForeignKey(Vote, null=False, on_delete=OnDelete.restrict)
    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    channel = Varchar(length=10, default="online", help_text="online, paper or in_room.")
    recorded_choice = Text(null=True, default=None, help_text="Recorded votes only; always null if secret.")
    assisted_by = ForeignKey(
        Person,
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
        help_text="The member's supporter who helped them vote online; never linked to the ballot.",
    )


class Ballot(Table, tablename="vote_ballot"):
    """What was voted, keyed by a random tracker: no member, no timestamp, no sequential id."""

    tracker = Varchar(length=26, primary_key=True, help_text="128 random bits in base32.")
    vote = ForeignKey(Vote, null=False, on_delete=OnDelete.restrict)
    choice = Text(help_text="Compact: 'for'/'against'/'abstain', an option index, '0,2' (approval), '2>0>1'.")
    weight = Integer(default=1)


class SealedBallotRow(Table, tablename="vote_sealed_ballot"):
    """A ballot sealed to the vote's public key while the vote is open: no member, no time, no readable
    choice. Opened, re-written as a `Ballot` in tracker order and deleted when the vote closes."""

    fingerprint = Varchar(length=26, primary_key=True, help_text="SHA-256 of the box, 128 bits in base32.")
    vote = ForeignKey(Vote, null=False, on_delete=OnDelete.restrict)
    sealed = Text(help_text="Base64 libsodium sealed box of [tracker, choice, weight], padded.")


class TellerKey(Table, tablename="vote_teller_key"):
    """A member's teller key pair: the public half in the clear, the private half locked by a passphrase
    only the member knows (argon2id, then a secretbox: coop/votes/teller_keys.py). Votes whose key is split
    among tellers seal each teller's share to the public half."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    member = ForeignKey(Member, null=False, unique=True, on_delete=OnDelete.restrict)
    public_key = Varchar(length=44, help_text="Base64 X25519 public key.")
    locked_private = Text(help_text="Base64 secretbox (nonce and box) of the private key.")
    salt = Varchar(length=24, help_text="Base64 argon2id salt (16 bytes).")
    time_cost = Integer(help_text="argon2id passes used to lock the private key.")
    memory_kib = Integer(help_text="argon2id memory (KiB) used to lock the private key.")
    created_at = Timestamptz(default=TimestamptzNow())


class VoteTeller(Table, tablename="vote_teller"):
    """A teller of a vote whose private key is split among tellers (`Vote.tellers_needed` of them must come
    to count it). `sealed_share` is the teller's Shamir share, sealed to their teller key when the vote
    opens and cleared when it closes."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    vote = ForeignKey(Vote, null=False, on_delete=OnDelete.restrict)
    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    share_index = Integer(help_text="1 to n: which Shamir share is theirs.")
    sealed_share = Text(
        null=True, default=None, help_text="Base64 sealed box of the share; null once closed."
    )
    came_at = Timestamptz(null=True, default=None, help_text="When the teller came to open their share.")
