"""Writing founders' answers as an answers file (TOML), so the web journey hands `found_from_text` exactly
what `coop create-org` reads, and the founding record keeps the same text either way."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from coop.setup.answers import FOUNDER_FLAGS, FOUNDER_TEXT, TEXT_ANSWERS

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _text(value: object) -> str:
    # A JSON string is a valid TOML basic string: the same escapes, \uXXXX for control characters.
    return json.dumps(str(value), ensure_ascii=False)


def _founder_lines(founder: Mapping[str, Any]) -> list[str]:
    lines = ["", "[[founders]]"]
    lines += [f"{key} = {_text(founder.get(key, ''))}" for key in FOUNDER_TEXT]
    lines += [f"{key} = {'true' if founder.get(key) else 'false'}" for key in FOUNDER_FLAGS]
    born = str(founder.get("date_of_birth", ""))
    if _ISO_DATE.match(born):
        lines.append(f"date_of_birth = {born}")
    return lines


def answers_toml(answers: Mapping[str, Any]) -> str:
    """The answers (the draft's dictionary, in the answers file's shape) as an answers file."""
    lines = [f"{key} = {_text(answers.get(key, ''))}" for key in TEXT_ANSWERS]
    lines.append(f"year_end = {_text(answers.get('year_end', ''))}")
    lines.append(f"asset_locked_body = {_text(answers.get('asset_locked_body', ''))}")
    classes = answers.get("member_classes", [])
    lines.append("member_classes = [" + ", ".join(_text(c) for c in classes) + "]")
    for founder in answers.get("founders", []):
        lines += _founder_lines(founder)
    return "\n".join(lines) + "\n"
