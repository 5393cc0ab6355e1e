"""Piccolo's configuration: the engine comes from `COOP_DATABASE_URL` (SQLite by default)."""

from __future__ import annotations

import os

from piccolo.conf.apps import AppRegistry

from coop.db import engine_from_url

DB = engine_from_url(os.environ.get("COOP_DATABASE_URL", "sqlite:///coop.sqlite3"))

APP_REGISTRY = AppRegistry(apps=["coop.piccolo_app"])
