"""Serving the web client: the built React app (``web/dist``) when present, otherwise a start page.

The app is a single page: any path that is not the API's (``/api/...``, ``/internal/...``) and not a built file gets
``index.html``, so a deep link (``/professionals/<id>``) or a reload opens the app where it was. Built assets carry
a content hash in their names and are cached for a year; ``index.html`` is never cached, so a new release is
picked up on the next load.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath
from litestar.response import File
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from confer.core.errors import NotFound

START_PAGE = Path(__file__).with_name("start.html")
NOT_THE_APP = ("api/", "internal/", "schema/")
ASSETS_CACHE = CacheControlHeader(public=True, max_age=365 * 24 * 3600, immutable=True)


def web_client_handlers(dist: Path) -> list[ControllerRouterHandler]:
    if not (dist / "index.html").exists():
        return [start_page]
    root = dist.resolve()

    @get(["/", "/{path:path}"], include_in_schema=False, sync_to_thread=False)
    def web_client(path: FromPath[str] = "") -> File:
        wanted = path.lstrip("/")
        if wanted.startswith(NOT_THE_APP):
            raise NotFound("no such resource")
        candidate = (root / wanted).resolve()
        if wanted and candidate.is_file() and candidate.is_relative_to(root):
            return File(candidate, content_disposition_type="inline")
        return File(
            root / "index.html",
            content_disposition_type="inline",
            headers={"Cache-Control": "no-cache"},
            media_type="text/html; charset=utf-8",
        )

    assets = create_static_files_router(
        path="/assets", directories=[dist / "assets"], cache_control=ASSETS_CACHE, include_in_schema=False
    )
    return [assets, web_client]


@get("/", include_in_schema=False, sync_to_thread=False)
def start_page() -> Response[bytes]:
    return Response(START_PAGE.read_bytes(), media_type="text/html; charset=utf-8")
