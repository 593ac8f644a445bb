"""The baseline for ``bench_auth.py``: a bare Litestar app with one ``GET /api/v1/me``.

It answers with the body Confer's ``/api/v1/me`` returned for the bench user (read once from the JSON file named by
``BENCH_ME_BODY_FILE``). The body is decoded to a dict and returned from an async handler, so Litestar serialises it
with msgspec on every request, as Confer does with its response Struct. No auth, no database, no middleware.

Serve it with ``uvicorn --app-dir bench bare_app:app``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import msgspec
from litestar import Litestar, get

BODY_FILE_VARIABLE = "BENCH_ME_BODY_FILE"


def _load_body() -> dict[str, Any]:
    path = os.environ.get(BODY_FILE_VARIABLE)
    if not path:
        raise RuntimeError(f"{BODY_FILE_VARIABLE} must name a JSON file holding the /api/v1/me body")
    body: dict[str, Any] = msgspec.json.decode(Path(path).read_bytes())
    return body


ME_BODY = _load_body()


@get("/api/v1/me")
async def me() -> dict[str, Any]:
    return ME_BODY


app = Litestar(route_handlers=[me], debug=False)
