"""Valid founders' answers for each model constitution, as TOML, for the founding tests."""

from __future__ import annotations

from typing import Any

# (legal form, name, member classes, founders: (name, class, director, counts as user-led), asset lock)
MODELS: dict[str, dict[str, Any]] = {
    "cic_guarantee": {
        "legal_form": "cic_guarantee",
        "name": "Riverside Support CIC",
        "classes": ["budget_holder", "family_carer", "professional"],
        "founders": [
            ("Amara Okafor", "budget_holder", True, True),
            ("Daniel Price", "budget_holder", True, True),
            ("Helen Jones", "family_carer", True, True),
            ("Priya Shah", "family_carer", True, True),
            ("Tom Evans", "professional", True, False),
            ("Jamie Carter", "budget_holder", False, False),
        ],
        "asset_locked_body": "Riverside Disabled People's Forum",
    },
    "cic_shares": {
        "legal_form": "cic_shares",
        "name": "Hillside Personal Assistants Community Interest Company",
        "classes": ["budget_holder", "worker", "investor"],
        "founders": [
            ("Asha Patel", "budget_holder", True, True),
            ("Ben Cole", "budget_holder", True, True),
            ("Cara Dunn", "worker", True, False),
        ],
        "asset_locked_body": "Hillside Community Foundation",
    },
    "cooperative_society": {
        "legal_form": "cooperative_society",
        "name": "Northfield Carers Co-op Limited",
        "classes": ["member"],
        "founders": [
            ("Lena Novak", "member", True, True),
            ("Omar Farouk", "member", True, True),
            ("Rosa Diaz", "member", True, True),
        ],
        "asset_locked_body": "",
    },
    "multi_stakeholder_coop": {
        "legal_form": "cooperative_society",
        "name": "Eastgate Support Co-op Limited",
        "classes": ["user", "worker", "supporter", "investor"],
        "founders": [
            ("Ada Bell", "user", True, True),
            ("Bo Chen", "user", True, True),
            ("Cy Obi", "user", True, True),
            ("Di Ford", "worker", True, False),
            ("Ed Gray", "worker", True, False),
        ],
        "asset_locked_body": "",
    },
    "user_led_organisation": {
        "legal_form": "company_guarantee",
        "name": "Westbrook Disabled People's Organisation",
        "classes": ["disabled_member", "ally"],
        "founders": [
            ("Fay Hart", "disabled_member", True, True),
            ("Gus Ivy", "disabled_member", True, True),
            ("Hal Jay", "disabled_member", True, True),
            ("Ivy Kent", "ally", False, False),
        ],
        "asset_locked_body": "",
    },
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def answers_toml(model: str, *, slug: str | None = None, **changes: Any) -> str:
    """The answers file for `model`, with any of name, legal_form, classes, founders, asset lock changed."""
    spec = {**MODELS[model], **changes}
    lines = [
        f"name = {_quote(spec['name'])}",
        f"slug = {_quote(slug or model.replace('_', '-'))}",
        f"legal_form = {_quote(spec['legal_form'])}",
        'objects = "To let the people who use support decide and buy it together."',
        'community = "Disabled people and family carers in the borough."',
        'year_end = "31 March"',
        'registered_office = "1 Mill Lane, Riverside, RV1 2AB"',
        "member_classes = [" + ", ".join(_quote(c) for c in spec["classes"]) + "]",
        f"asset_locked_body = {_quote(spec['asset_locked_body'])}",
        "adopted_on = 2026-04-01",
    ]
    for number, (name, member_class, director, user_led) in enumerate(spec["founders"]):
        email = name.split()[0].lower() + "@founders.example"
        lines += [
            "",
            "[[founders]]",
            f"name = {_quote(name)}",
            f"member_class = {_quote(member_class)}",
            f"email = {_quote(email)}",
            'address = "1 High Street, Riverside"',
            f"director = {'true' if director else 'false'}",
            f"counts_as_user_led = {'true' if user_led else 'false'}",
            f"secretary = {'true' if number == 0 else 'false'}",
        ]
        if director:
            lines += [
                'nationality = "British"',
                'country_of_residence = "England"',
                'occupation = "None"',
                "date_of_birth = 1980-05-17",
            ]
    return "\n".join(lines) + "\n"
