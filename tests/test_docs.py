"""What operators read is complete: every setting is documented, the README keeps its two commands."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_has_help_text_and_an_environment_variable_in_the_docs():
    from coop.settings import Settings

    operator_doc = (ROOT / "docs" / "operating.md").read_text(encoding="utf-8")
    for f in fields(Settings):
        assert len(f.metadata.get("help", "")) > 20, f.name
        assert f"COOP_{f.name.upper()}" in operator_doc, f.name


def test_the_readme_gives_exactly_the_two_quick_start_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line.strip() for line in quick_start.splitlines() if line.strip().startswith("make ")]
    assert commands == ["make demo", "make test"]


def test_settings_are_read_from_the_environment():
    from coop.settings import Settings

    settings = Settings.from_env(
        {
            "COOP_SECURE_COOKIES": "false",
            "COOP_SESSION_IDLE_MINUTES": "15",
            "COOP_ALLOWED_HOSTS": "coop.example, www.coop.example",
            "COOP_SECRET_KEY": "k" * 40,
        }
    )
    assert settings.secure_cookies is False
    assert settings.session_idle_minutes == 15
    assert settings.allowed_hosts == ("coop.example", "www.coop.example")
