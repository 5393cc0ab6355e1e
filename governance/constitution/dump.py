"""Write a constitution back to TOML (without comments), so an amended version can be stored as text and
read again by `parse_constitution` to the same value."""

from __future__ import annotations

import json
import re
from dataclasses import fields, is_dataclass
from enum import Enum
from fractions import Fraction
from typing import Any, cast

from governance.constitution.schema import Constitution
from governance.constitution.share import Share, format_fraction

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def constitution_to_toml(constitution: Constitution) -> str:
    """The constitution as TOML text with every setting written out."""
    lines: list[str] = []
    _emit(constitution, "", lines)
    return "\n".join(lines).strip() + "\n"


def _key(name: str) -> str:
    return name if _BARE_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Share):
        return json.dumps(str(value))
    if isinstance(value, Fraction):
        return json.dumps(format_fraction(value))
    if isinstance(value, Enum):
        return json.dumps(value.value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _is_table(value: object) -> bool:
    return is_dataclass(value) and not isinstance(value, Share)


def _is_keyed_tables(value: object) -> bool:
    return isinstance(value, tuple) and bool(value) and all(_is_table(v) for v in value)


def _emit(obj: object, header: str, lines: list[str]) -> None:
    scalars: list[str] = []
    tables: list[tuple[str, object]] = []
    for f in fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        if f.name == "key" and header:
            continue  # the table's heading carries it
        if value is None:
            continue  # TOML has no null; leaving a setting out means "not set"
        if _is_table(value):
            tables.append((f"{header}.{_key(f.name)}" if header else _key(f.name), value))
        elif _is_keyed_tables(value):
            for item in cast("tuple[Any, ...]", value):
                key = _key(str(item.key))
                tables.append((f"{header}.{_key(f.name)}.{key}" if header else f"{_key(f.name)}.{key}", item))
        elif isinstance(value, tuple) and not value and f.name in {"member_classes", "classes", "named"}:
            continue
        else:
            scalars.append(f"{_key(f.name)} = {_value(value)}")
    if scalars:
        if header:
            lines.extend(["", f"[{header}]"])
        lines.extend(scalars)
    for sub_header, table in tables:
        _emit(table, sub_header, lines)
