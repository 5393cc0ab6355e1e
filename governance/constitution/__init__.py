"""Constitutions as data: the schema, the TOML loader and writer. Amendments are in
`governance.constitution.amend` (kept out of this namespace because they use `governance.resolutions`)."""

from __future__ import annotations

from governance.constitution.dump import constitution_to_toml
from governance.constitution.load import ConstitutionError, FieldError, parse_constitution
from governance.constitution.schema import (
    AssetLock,
    BoardClassRule,
    BoardQuorum,
    BoardRules,
    Combine,
    Constitution,
    ExpulsionBy,
    GeneralMeetingQuorum,
    LegalForm,
    MemberClass,
    MembershipRules,
    NamedDecision,
    NoticeRules,
    OnBreach,
    ProxyRules,
    QuorumRules,
    ResolutionRules,
    SpendingRules,
    UserLedGroup,
    UserLedRule,
    VoteBase,
)
from governance.constitution.share import Comparison, Share

__all__ = [
    "AssetLock",
    "BoardClassRule",
    "BoardQuorum",
    "BoardRules",
    "Combine",
    "Comparison",
    "Constitution",
    "ConstitutionError",
    "ExpulsionBy",
    "FieldError",
    "GeneralMeetingQuorum",
    "LegalForm",
    "MemberClass",
    "MembershipRules",
    "NamedDecision",
    "NoticeRules",
    "OnBreach",
    "ProxyRules",
    "QuorumRules",
    "ResolutionRules",
    "Share",
    "SpendingRules",
    "UserLedGroup",
    "UserLedRule",
    "VoteBase",
    "constitution_to_toml",
    "parse_constitution",
]
