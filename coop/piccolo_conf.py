"""Piccolo's configuration (migrations, and tables before an app has chosen its database): the engine
for `COOP_DATABASE_URL` (SQLite by default). `create_app(settings)` uses `settings.database_url`."""

from __future__ import annotations

import os

from piccolo.conf.apps import AppRegistry

from coop.db import engine_for

DB = engine_for(os.environ.get("COOP_DATABASE_URL", "sqlite:///coop.sqlite3"))

APP_REGISTRY = AppRegistry(apps=["coop.piccolo_app"])
