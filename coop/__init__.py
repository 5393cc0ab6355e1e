"""coop: the web app and the `coop` command, a thin shell around the pure rules in `governance/`."""

import os

# Piccolo finds its engine through this module; the CLI and the app both import coop first.
os.environ.setdefault("PICCOLO_CONF", "coop.piccolo_conf")
