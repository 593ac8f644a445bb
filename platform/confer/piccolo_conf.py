"""Piccolo's configuration module (``PICCOLO_CONF=confer.piccolo_conf``).

At run time :func:`confer.core.db.configure_piccolo` replaces both values with the ones built from settings;
at import they come from the environment so that Piccolo's own CLI (``piccolo migrations new accounts --auto``) works.
"""

from __future__ import annotations

import os

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine

# Building an engine connects to check the server's version, so build one only when a URL is given.
DB = PostgresEngine(config={"dsn": os.environ["CONFER_DATABASE_URL"]}) if "CONFER_DATABASE_URL" in os.environ else None
APP_REGISTRY = AppRegistry(
    apps=[
        "confer.core.piccolo_app",
        "confer.modules.accounts.piccolo_app",
        "confer.modules.professionals.piccolo_app",
        "confer.modules.calendar.piccolo_app",
        "confer.modules.booking.piccolo_app",
        "confer.modules.classes.piccolo_app",
        "confer.modules.video.piccolo_app",
        "confer.modules.chat.piccolo_app",
        "confer.modules.notifications.piccolo_app",
        "confer.modules.payments.piccolo_app",
        "confer.modules.reviews.piccolo_app",
    ]
)
