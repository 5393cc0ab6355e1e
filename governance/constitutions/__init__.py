"""The model constitutions shipped with coop, as package-data TOML files, and how to load them."""

from __future__ import annotations

from importlib import resources

from governance.constitution.load import parse_constitution
from governance.constitution.schema import Constitution


def model_constitution_names() -> tuple[str, ...]:
    """The short names of the shipped model constitutions, such as "cic_guarantee", sorted."""
    files = resources.files(__name__)
    return tuple(sorted(p.name.removesuffix(".toml") for p in files.iterdir() if p.name.endswith(".toml")))


def model_constitution_text(name: str) -> str:
    """The TOML text of a model constitution, comments included (to copy for a new organisation)."""
    if name not in model_constitution_names():
        raise KeyError(f"no model constitution called {name!r}")
    return resources.files(__name__).joinpath(f"{name}.toml").read_text(encoding="utf-8")


def load_model_constitution(name: str) -> Constitution:
    """Read and check a shipped model constitution; raise KeyError for an unknown name."""
    return parse_constitution(model_constitution_text(name))
