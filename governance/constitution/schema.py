"""The constitution as data: every rule coop enforces, with plain-English help text on every field.

The TOML model constitutions use the same names as the fields here; `load.py` reads and checks them.

Kept as one module on purpose, past the usual 600 lines: it is the whole schema in one place, the order the
model constitutions and the readable constitution page follow, and most of its length is the help text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from governance.constitution.share import Comparison, Share


def doc(label: str, help_text: str, **extra: object) -> Mapping[str, object]:
    """Field metadata: a short label for change descriptions and help text for a board secretary."""
    return {"label": label, "help": help_text, **extra}


MORE_THAN_HALF = Share(Comparison.MORE_THAN, Fraction(1, 2))
AT_LEAST_THREE_QUARTERS = Share(Comparison.AT_LEAST, Fraction(3, 4))


class LegalForm(StrEnum):
    """The legal form of the organisation, which decides the law its rules sit under."""

    CIC_GUARANTEE = "cic_guarantee"
    CIC_SHARES = "cic_shares"
    COOPERATIVE_SOCIETY = "cooperative_society"
    COMMUNITY_BENEFIT_SOCIETY = "community_benefit_society"
    COMPANY_GUARANTEE = "company_guarantee"
    UNINCORPORATED = "unincorporated"

    @property
    def is_company(self) -> bool:
        """Companies (CICs included) follow the Companies Act 2006 on resolutions, notice and proxies."""
        return self in {LegalForm.CIC_GUARANTEE, LegalForm.CIC_SHARES, LegalForm.COMPANY_GUARANTEE}

    @property
    def is_cic(self) -> bool:
        return self in {LegalForm.CIC_GUARANTEE, LegalForm.CIC_SHARES}

    @property
    def is_society(self) -> bool:
        return self in {LegalForm.COOPERATIVE_SOCIETY, LegalForm.COMMUNITY_BENEFIT_SOCIETY}

    @property
    def plain_name(self) -> str:
        return _LEGAL_FORM_NAMES[self]


_LEGAL_FORM_NAMES = {
    LegalForm.CIC_GUARANTEE: "community interest company limited by guarantee",
    LegalForm.CIC_SHARES: "community interest company limited by shares",
    LegalForm.COOPERATIVE_SOCIETY: "co-operative society",
    LegalForm.COMMUNITY_BENEFIT_SOCIETY: "community benefit society",
    LegalForm.COMPANY_GUARANTEE: "company limited by guarantee",
    LegalForm.UNINCORPORATED: "unincorporated group",
}


class UserLedGroup(StrEnum):
    """Whether a member class counts toward user-led status, and as whom."""

    USES_SUPPORT = "uses_support"
    FAMILY_CARER = "family_carer"
    NONE = "none"


class OnBreach(StrEnum):
    """What to do when a change would break the user-led share: stop it, or let it through with a warning."""

    BLOCK = "block"
    WARN = "warn"


class Combine(StrEnum):
    """How a quorum's fixed number and share of people combine."""

    GREATER = "greater"
    LESSER = "lesser"


class VoteBase(StrEnum):
    """What a threshold is measured against."""

    VOTES_CAST = "votes_cast"
    ELIGIBLE_VOTES = "eligible_votes"


@dataclass(frozen=True, slots=True)
class MemberClass:
    """A class of members, such as budget holders, family carers or professionals."""

    key: str = field(
        metadata=doc(
            "Short name",
            "The short name the rules use for this class, such as budget_holder. It comes from the heading "
            "of the class's section and never changes once members are in the class.",
        )
    )
    name: str = field(
        metadata=doc(
            "Name",
            "What one member of the class is called in a sentence, in lower case, such as 'family carer'.",
        )
    )
    plural: str = field(
        metadata=doc(
            "Name for several", "What several members of the class are called, such as 'family carers'."
        )
    )
    description: str = field(
        metadata=doc("Description", "One or two sentences saying who this class is for, in plain English.")
    )
    eligibility_questions: tuple[str, ...] = field(
        default=(),
        metadata=doc(
            "Eligibility questions",
            "Yes-or-no questions, in plain English, that a person answers to show they can join this class, "
            "such as 'Do you get a personal budget or direct payment for your own support?'.",
        ),
    )
    can_vote: bool = field(
        default=True,
        metadata=doc("Can vote", "Whether members of this class may vote at general meetings."),
    )
    vote_weight: int = field(
        default=1,
        metadata=doc(
            "Votes per member",
            "How many votes each member of this class has. One member, one vote is 1. A co-operative "
            "society needs the FCA's agreement for anything else.",
            min=1,
        ),
    )
    voting_cap: Share | None = field(
        default=None,
        metadata=doc(
            "Cap on the class's votes",
            "The most the whole class's votes may count for, as a share of the votes cast, such as "
            "'at most 10%' for investor members. Leave it out for no cap.",
        ),
    )
    vetoes: tuple[str, ...] = field(
        default=(),
        metadata=doc(
            "Class vetoes",
            "Decisions this class can block by voting against them as a class: 'ordinary', 'special' or "
            "the short name of a named decision such as 'constitution_amendment'.",
        ),
    )
    veto_threshold: Share = field(
        default=MORE_THAN_HALF,
        metadata=doc(
            "Class support needed",
            "The share of the class's own votes cast that must be in favour for a decision the class can "
            "veto to go through, such as 'more than 50%'.",
        ),
    )
    user_led_group: UserLedGroup = field(
        default=UserLedGroup.NONE,
        metadata=doc(
            "Counts toward user-led status",
            "Whether directors from this class count toward the user-led share: 'uses_support' for "
            "disabled people and people who use support, 'family_carer' for family carers (counted only "
            "if the board rules say carers count), or 'none'. A director is counted only with their consent.",
        ),
    )


@dataclass(frozen=True, slots=True)
class BoardClassRule:
    """How many directors the board must or may have from one member class."""

    key: str = field(metadata=doc("Member class", "The short name of the member class these seats are for."))
    min: int = field(
        default=0,
        metadata=doc("Fewest directors", "The fewest directors from this class the board must have.", min=0),
    )
    max: int | None = field(
        default=None,
        metadata=doc(
            "Most directors",
            "The most directors from this class the board may have. Leave it out for no limit.",
            min=0,
        ),
    )
    reserved_seats: int = field(
        default=0,
        metadata=doc(
            "Reserved seats",
            "Seats only a director from this class may fill. An empty reserved seat is a vacancy, which is "
            "allowed as long as the fewest-directors rule is still met.",
            min=0,
        ),
    )
    only_class_may_remove: bool = field(
        default=False,
        metadata=doc(
            "Only the class may remove",
            "Whether a director appointed by this class can be removed only by the class itself.",
        ),
    )


@dataclass(frozen=True, slots=True)
class UserLedRule:
    """The share of directors who must come from the people the organisation is run by and for."""

    share: Share | None = field(
        default=None,
        metadata=doc(
            "User-led share",
            "The share of directors who must be disabled people or people who use support, such as "
            "'more than 50%' (Department of Health fund test) or 'at least 75%' (DH/ODI and Disability "
            "Rights UK test). Leave it out if the organisation has no user-led rule.",
        ),
    )
    family_carers_count: bool = field(
        default=False,
        metadata=doc(
            "Family carers count",
            "Whether family carers count as people who use support for the user-led share.",
        ),
    )
    on_breach: OnBreach = field(
        default=OnBreach.BLOCK,
        metadata=doc(
            "When the share would be broken",
            "'block' stops an appointment or resignation that would break the user-led share; 'warn' lets "
            "it through with a warning.",
        ),
    )


@dataclass(frozen=True, slots=True)
class BoardRules:
    """The size and make-up of the board, directors' terms and how the board decides."""

    min_seats: int = field(
        metadata=doc("Fewest directors", "The fewest directors the board may have.", min=1)
    )
    max_seats: int = field(metadata=doc("Most directors", "The most directors the board may have.", min=1))
    classes: tuple[BoardClassRule, ...] = field(
        default=(),
        metadata=doc(
            "Seats by member class",
            "For each member class: the fewest and most directors from it and any seats reserved for it.",
        ),
    )
    user_led: UserLedRule = field(
        default=UserLedRule(),
        metadata=doc("User-led rule", "The share of directors who must use support, and how carers count."),
    )
    term_years: int = field(
        default=3,
        metadata=doc(
            "Term length in years", "How many years a director serves before standing again.", min=1
        ),
    )
    max_consecutive_terms: int | None = field(
        default=None,
        metadata=doc(
            "Most terms in a row",
            "The most terms a director may serve one after another before taking a break. Leave it out for "
            "no limit.",
            min=1,
        ),
    )
    retire_by_rotation: Fraction | None = field(
        default=None,
        metadata=doc(
            "Retirement by rotation",
            "The share of elected directors who retire at each AGM, such as '1/3'; those longest in office "
            "go first. Leave it out if directors simply serve their term.",
        ),
    )
    max_co_opted: int | None = field(
        default=None,
        metadata=doc(
            "Most co-opted directors",
            "The most directors the board may co-opt (appoint itself, without an election) at any time. "
            "Leave it out for no limit.",
            min=0,
        ),
    )
    co_opted_serve_until_next_agm: bool = field(
        default=True,
        metadata=doc(
            "Co-opted directors stand at the next AGM",
            "Whether a co-opted director's appointment ends at the next AGM, where they may stand for "
            "election.",
        ),
    )
    chair_casting_vote: bool = field(
        default=False,
        metadata=doc(
            "Chair's casting vote",
            "Whether the chair has a second, deciding vote when a board vote is tied. It never applies at "
            "general meetings, nor when the chair may not vote on the item.",
        ),
    )
    decision_threshold: Share = field(
        default=MORE_THAN_HALF,
        metadata=doc(
            "Majority for board decisions",
            "The share of directors' votes cast needed for a board decision, usually 'more than 50%'.",
        ),
    )


@dataclass(frozen=True, slots=True)
class GeneralMeetingQuorum:
    """How many members must take part for a general meeting to do business."""

    min_members: int = field(
        default=2,
        metadata=doc(
            "Fewest members",
            "The fewest members who must take part. The law's default for companies is 2.",
            min=1,
        ),
    )
    share_of_members: Share | None = field(
        default=None,
        metadata=doc(
            "Share of members",
            "A share of all voting members who must take part, such as 'at least 10%'. Leave it out to use "
            "only the fixed number.",
        ),
    )
    combine: Combine = field(
        default=Combine.GREATER,
        metadata=doc(
            "Number or share",
            "When both a number and a share are set: 'greater' needs whichever is more, 'lesser' whichever "
            "is fewer.",
        ),
    )
    proxies_count: bool = field(
        default=True,
        metadata=doc(
            "Proxies count",
            "Whether members represented by a proxy count toward the quorum. Two proxies for the same member "
            "still count as one member.",
        ),
    )
    must_include_classes: tuple[str, ...] = field(
        default=(),
        metadata=doc(
            "Classes that must be present",
            "Member classes of which at least one member must take part for the meeting to be quorate.",
        ),
    )


@dataclass(frozen=True, slots=True)
class BoardQuorum:
    """How many directors must take part for the board to decide."""

    min_directors: int = field(
        default=2,
        metadata=doc(
            "Fewest directors",
            "The fewest directors who must take part. Directors with a conflict of interest in an item do "
            "not count for that item.",
            min=1,
        ),
    )
    share_of_directors: Share | None = field(
        default=None,
        metadata=doc(
            "Share of directors",
            "A share of the directors in office who must take part, such as 'more than 50%'. Leave it out "
            "to use only the fixed number.",
        ),
    )
    combine: Combine = field(
        default=Combine.GREATER,
        metadata=doc(
            "Number or share",
            "When both a number and a share are set: 'greater' needs whichever is more, 'lesser' whichever "
            "is fewer.",
        ),
    )
    must_include_classes: tuple[str, ...] = field(
        default=(),
        metadata=doc(
            "Classes that must be present",
            "Member classes of which at least one director must take part, such as budget holders.",
        ),
    )


@dataclass(frozen=True, slots=True)
class QuorumRules:
    """Quorums for general meetings and board meetings."""

    general_meeting: GeneralMeetingQuorum = field(
        default=GeneralMeetingQuorum(),
        metadata=doc("General meeting quorum", "How many members must take part in a general meeting."),
    )
    board: BoardQuorum = field(
        default=BoardQuorum(),
        metadata=doc("Board quorum", "How many directors must take part in a board meeting."),
    )


@dataclass(frozen=True, slots=True)
class NamedDecision:
    """A decision the constitution names, with a stricter majority than an ordinary resolution."""

    key: str = field(
        metadata=doc(
            "Short name",
            "The short name of the decision, such as constitution_amendment, dissolution or asset_transfer.",
        )
    )
    description: str = field(
        metadata=doc("Description", "What the decision is, in plain English, as members will see it.")
    )
    threshold: Share = field(
        metadata=doc("Majority needed", "The share of votes in favour needed, such as 'at least 75%'.")
    )
    base: VoteBase = field(
        default=VoteBase.VOTES_CAST,
        metadata=doc(
            "Counted against",
            "'votes_cast' counts the majority against votes for and against; 'eligible_votes' against every "
            "vote that could have been cast.",
        ),
    )
    min_turnout: Share | None = field(
        default=None,
        metadata=doc(
            "Turnout needed",
            "The share of all eligible votes that must be cast (for or against) for the decision to count, "
            "such as 'at least 50%'. Leave it out for no turnout rule.",
        ),
    )
    meeting_only: bool = field(
        default=False,
        metadata=doc(
            "Only at a meeting",
            "Whether the decision may be taken only at a meeting and never by written resolution, as for "
            "removing a director.",
        ),
    )


@dataclass(frozen=True, slots=True)
class ResolutionRules:
    """The majorities members' resolutions need."""

    ordinary: Share = field(
        default=MORE_THAN_HALF,
        metadata=doc(
            "Ordinary resolution",
            "The share of votes needed for an ordinary resolution. The Companies Act sets 'more than 50%'.",
        ),
    )
    special: Share = field(
        default=AT_LEAST_THREE_QUARTERS,
        metadata=doc(
            "Special resolution",
            "The share of votes needed for a special resolution. The Companies Act sets 'at least 75%'.",
        ),
    )
    written_allowed: bool = field(
        default=True,
        metadata=doc(
            "Written resolutions allowed",
            "Whether members may pass resolutions in writing instead of at a meeting.",
        ),
    )
    written_lapse_days: int = field(
        default=28,
        metadata=doc(
            "Written resolution lapses after (days)",
            "How many days after it is sent round a written resolution lapses if not yet passed. The law's "
            "default is 28.",
            min=1,
        ),
    )
    named: tuple[NamedDecision, ...] = field(
        default=(),
        metadata=doc(
            "Named decisions",
            "Decisions that need a stricter majority than usual, such as changing the constitution, "
            "dissolving the organisation or transferring its assets.",
        ),
    )


@dataclass(frozen=True, slots=True)
class NoticeRules:
    """How much notice meetings need, counted in clear days."""

    general_meeting_clear_days: int = field(
        default=14,
        metadata=doc(
            "General meeting notice (clear days)",
            "Clear days' notice for a general meeting, not counting the day notice is received or the day "
            "of the meeting. At least 14 for a company.",
            min=0,
        ),
    )
    agm_clear_days: int = field(
        default=14,
        metadata=doc(
            "AGM notice (clear days)",
            "Clear days' notice for the annual general meeting. At least 14 for a private company.",
            min=0,
        ),
    )
    board_meeting_clear_days: int = field(
        default=7,
        metadata=doc("Board meeting notice (clear days)", "Clear days' notice for a board meeting.", min=0),
    )
    post_deemed_working_days: int = field(
        default=2,
        metadata=doc(
            "Post arrives after (working days)",
            "How many working days after posting a notice is treated as received. The Companies Act "
            "treats post as received 48 hours after posting, not counting non-working days.",
            min=0,
        ),
    )
    email_deemed_working_days: int = field(
        default=2,
        metadata=doc(
            "Email arrives after (working days)",
            "How many working days after sending an email notice is treated as received. The Companies "
            "Act's default is 48 hours, not counting non-working days.",
            min=0,
        ),
    )
    short_notice_consent: Share | None = field(
        default=None,
        metadata=doc(
            "Short notice consent for general meetings",
            "The share of voting rights whose holders (also a majority of members in number) must agree to "
            "hold a general meeting at shorter notice, such as 'at least 90%' (companies: 90% to 95%). "
            "Leave it out if shorter notice is never allowed.",
        ),
    )
    agm_short_notice_consent: Share | None = field(
        default=None,
        metadata=doc(
            "Short notice consent for the AGM",
            "The same as above, for the annual general meeting. Leave it out if the AGM always needs "
            "full notice.",
        ),
    )


@dataclass(frozen=True, slots=True)
class ProxyRules:
    """Whether and how members may send someone to vote for them."""

    allowed: bool = field(
        default=True,
        metadata=doc(
            "Proxies allowed",
            "Whether members may appoint a proxy. Every company member has this right by law.",
        ),
    )
    max_held: int | None = field(
        default=None,
        metadata=doc(
            "Most proxies one person holds",
            "The most members one person may act as proxy for at a meeting, such as 1 or 5. Leave it out "
            "for no limit.",
            min=1,
        ),
    )
    deadline_hours: int = field(
        default=48,
        metadata=doc(
            "Proxy deadline (working hours before)",
            "How many hours before the meeting a proxy form must arrive, not counting non-working days. "
            "The law allows no more than 48.",
            min=0,
            max=48,
        ),
    )
    must_be_member: bool = field(
        default=False,
        metadata=doc("Proxy must be a member", "Whether a proxy must themselves be a member."),
    )
    vote_on_show_of_hands: bool = field(
        default=True,
        metadata=doc("Proxies vote on a show of hands", "Whether proxies may vote on a show of hands."),
    )


class ExpulsionBy(StrEnum):
    """Who decides to expel a member."""

    BOARD = "board"
    GENERAL_MEETING = "general_meeting"


@dataclass(frozen=True, slots=True)
class MembershipRules:
    """How people join and leave: resignation notice and the procedure for expelling a member."""

    board_admits: bool = field(
        default=True,
        metadata=doc(
            "Board admits members",
            "Whether the board decides each application to join. If not, anyone eligible is admitted.",
        ),
    )
    resignation_notice_days: int = field(
        default=0,
        metadata=doc(
            "Resignation notice (days)",
            "How many days after a member gives notice their resignation takes effect. 0 is at once.",
            min=0,
        ),
    )
    expulsion_notice_days: int = field(
        default=14,
        metadata=doc(
            "Notice before an expulsion decision (days)",
            "How many days' written notice a member gets of a proposal to expel them, with the reasons, "
            "before it is decided. They have the right to be heard first.",
            min=0,
        ),
    )
    expulsion_by: ExpulsionBy = field(
        default=ExpulsionBy.BOARD,
        metadata=doc(
            "Who decides an expulsion",
            "'board' for a board resolution, 'general_meeting' for a resolution of the members.",
        ),
    )
    expulsion_threshold: Share = field(
        default=AT_LEAST_THREE_QUARTERS,
        metadata=doc(
            "Majority to expel",
            "The share of votes cast needed to expel a member, such as 'at least 75%'.",
        ),
    )
    guarantee_pence: int = field(
        default=100,
        metadata=doc(
            "Guarantee per member (pence)",
            "For a company limited by guarantee: what each member promises to pay if it is wound up "
            "(100 is £1).",
            min=0,
        ),
    )


#: Two people approve spending of £500 or more unless the constitution says otherwise.
DEFAULT_TWO_PERSON_THRESHOLD_PENCE = 50_000


@dataclass(frozen=True, slots=True)
class SpendingRules:
    """Which spending members must agree and which needs two people to approve. Amounts are in pence."""

    members_vote_above_pence: int | None = field(
        default=None,
        metadata=doc(
            "Members vote on spending above (pence)",
            "Spending above this amount, in pence, needs a members' vote (100000 is £1,000). Leave it out if "
            "no amount needs a members' vote.",
            min=0,
        ),
    )
    members_vote_on_new_contracts: bool = field(
        default=True,
        metadata=doc(
            "Members vote on new contracts",
            "Whether every new contract with a provider needs a members' vote, whatever its value.",
        ),
    )
    two_person_approval_at_or_above_pence: int | None = field(
        default=None,
        metadata=doc(
            "Two people approve spending at or above (pence)",
            "Spending of this amount or more, in pence, needs two people to approve it (50000 is £500). "
            "Payments to the same payee within the window below are added together. Leave it out only "
            "if the constitution uses the older 'above' setting.",
            min=0,
        ),
    )
    two_person_approval_above_pence: int | None = field(
        default=None,
        metadata=doc(
            "Two people approve spending above (pence)",
            "Older constitutions: spending above this amount (not equal to it), in pence, needs two people "
            "to approve it. New constitutions say 'at or above' instead; set only one of the two.",
            min=0,
        ),
    )
    two_person_approval_window_days: int = field(
        default=30,
        metadata=doc(
            "Days over which payments to one payee are added up",
            "Payments to the same payee within this many days are added together when deciding whether "
            "two people must approve, so a large payment cannot be split into small ones to avoid it.",
            min=1,
            max=366,
        ),
    )

    def __post_init__(self) -> None:
        if (
            self.two_person_approval_at_or_above_pence is not None
            and self.two_person_approval_above_pence is not None
        ):
            raise ValueError(
                "set two_person_approval_at_or_above_pence or the older two_person_approval_above_pence, "
                "not both"
            )

    @property
    def two_person_threshold_pence(self) -> int:
        """The smallest amount that needs two approvers: the rule's edge made explicit ("at or above").
        An older constitution's "above X" is, in whole pence, "at or above X + 1p"."""
        if self.two_person_approval_at_or_above_pence is not None:
            return self.two_person_approval_at_or_above_pence
        if self.two_person_approval_above_pence is not None:
            return self.two_person_approval_above_pence + 1
        return DEFAULT_TWO_PERSON_THRESHOLD_PENCE


@dataclass(frozen=True, slots=True)
class AssetLock:
    """The asset lock and, for share CICs, the dividend cap."""

    asset_locked: bool = field(
        default=False,
        metadata=doc(
            "Asset locked",
            "Whether the organisation's assets are locked for community benefit. Every CIC is asset locked.",
        ),
    )
    specified_bodies: tuple[str, ...] = field(
        default=(),
        metadata=doc(
            "Named asset-locked bodies",
            "Charities, CICs or other asset-locked bodies named to receive assets, for example on "
            "dissolution. Never the organisation itself.",
        ),
    )
    dividend_cap: Fraction | None = field(
        default=None,
        metadata=doc(
            "Dividend cap",
            "For a CIC limited by shares only: the most of the year's distributable profits that may be paid "
            "as dividends, at most '35%'. Leave it out if no dividends may be paid to private shareholders.",
        ),
    )


@dataclass(frozen=True, slots=True)
class Constitution:
    """An organisation's rules, as data."""

    name: str = field(metadata=doc("Name", "The name of this constitution or model constitution."))
    legal_form: LegalForm = field(
        metadata=doc(
            "Legal form",
            "One of: cic_guarantee, cic_shares, cooperative_society, community_benefit_society, "
            "company_guarantee, unincorporated.",
        )
    )
    member_classes: tuple[MemberClass, ...] = field(
        metadata=doc(
            "Member classes", "The classes of members, each with its own eligibility and voting rights."
        )
    )
    board: BoardRules = field(
        metadata=doc(
            "Board", "The size and make-up of the board, terms, rotation and the chair's casting vote."
        )
    )
    description: str = field(
        default="A constitution for a user-led organisation.",
        metadata=doc("Description", "What this constitution is for, in one or two sentences."),
    )
    quorum: QuorumRules = field(
        default=QuorumRules(),
        metadata=doc("Quorum", "How many people must take part for meetings to make decisions."),
    )
    resolutions: ResolutionRules = field(
        default=ResolutionRules(),
        metadata=doc(
            "Resolutions", "The majorities members' resolutions need, and decisions that need more."
        ),
    )
    notice: NoticeRules = field(
        default=NoticeRules(),
        metadata=doc("Notice", "How much notice meetings need and when notices count as received."),
    )
    proxies: ProxyRules = field(
        default=ProxyRules(),
        metadata=doc("Proxies", "Whether members may send someone to vote for them, and the limits."),
    )
    membership: MembershipRules = field(
        default=MembershipRules(),
        metadata=doc("Membership", "How people join and leave, and how a member may be expelled."),
    )
    spending: SpendingRules = field(
        default=SpendingRules(),
        metadata=doc("Spending", "Which spending needs a members' vote or two people's approval."),
    )
    asset_lock: AssetLock = field(
        default=AssetLock(),
        metadata=doc("Asset lock", "Whether assets are locked for community benefit, and any dividend cap."),
    )

    def member_class(self, key: str) -> MemberClass | None:
        """The member class with this short name, or None."""
        return next((c for c in self.member_classes if c.key == key), None)

    def board_class_rule(self, key: str) -> BoardClassRule | None:
        """The board seat rule for this member class, or None."""
        return next((r for r in self.board.classes if r.key == key), None)

    def named_decision(self, key: str) -> NamedDecision | None:
        """The named decision with this short name, or None."""
        return next((d for d in self.resolutions.named if d.key == key), None)

    def class_plural(self, key: str) -> str:
        """How several members of a class are called in a sentence ("family carers")."""
        member_class = self.member_class(key)
        return member_class.plural if member_class else key.replace("_", " ")

    def class_count_words(self, key: str, count: int) -> str:
        """ "1 family carer" or "2 family carers"."""
        member_class = self.member_class(key)
        if member_class is None:
            return f"{count} {key.replace('_', ' ')}"
        return f"{count} {member_class.name if count == 1 else member_class.plural}"
