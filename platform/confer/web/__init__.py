"""Serving the web client: the built React app (``web/dist``) when present, otherwise a start page."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

START_PAGE = Path(__file__).with_name("start.html")


def web_client_handlers(dist: Path) -> list[ControllerRouterHandler]:
    if (dist / "index.html").exists():
        return [create_static_files_router(path="/", directories=[dist], html_mode=True, include_in_schema=False)]
    return [start_page]


@get("/", include_in_schema=False, sync_to_thread=False)
def start_page() -> Response[bytes]:
    return Response(START_PAGE.read_bytes(), media_type="text/html; charset=utf-8")
