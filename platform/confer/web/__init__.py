"""Serving the web client: the built React app (``web/dist``) when present, otherwise a start page.

The app is a single page: any path that is not the API's (``/api/...``, ``/internal/...``) and not a built file gets
``index.html``, so a deep link (``/professionals/<id>``) or a reload opens the app where it was. Built assets carry
a content hash in their names and are cached for a year; ``index.html`` is never cached, so a new release is
picked up on the next load.

Each file's type comes from :data:`MEDIA_TYPES`, not from the system's MIME database: slim images have none, and a
service worker served as ``application/octet-stream`` is refused by browsers (Web Push breaks).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from litestar import Response, get
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath
from litestar.response import File
from litestar.types import ControllerRouterHandler

from confer.core.errors import NotFound

START_PAGE = Path(__file__).with_name("start.html")
NOT_THE_APP = ("api/", "internal/", "schema/")
ASSETS_CACHE = CacheControlHeader(public=True, max_age=365 * 24 * 3600, immutable=True)
MAX_NAME_LENGTH = 255
# Litestar appends "; charset=utf-8" to every text/* type itself.
MEDIA_TYPES = {
    ".html": "text/html",
    ".js": "application/javascript",
    ".mjs": "application/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".map": "application/json",
    ".txt": "text/plain",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
}


def media_type_of(file: Path) -> str:
    known = MEDIA_TYPES.get(file.suffix.lower())
    return known or mimetypes.guess_type(file.name)[0] or "application/octet-stream"


def built_file(root: Path, wanted: str) -> Path | None:
    """The file ``wanted`` names inside ``root``, or None: for a name that leaves the build, is not a file, or that
    no file system takes (a NUL, a name too long), which is a missing file rather than a server error."""
    if not wanted or "\x00" in wanted or any(len(part) > MAX_NAME_LENGTH for part in wanted.split("/")):
        return None
    try:
        candidate = (root / wanted).resolve()
        return candidate if candidate.is_relative_to(root) and candidate.is_file() else None
    except (OSError, ValueError):
        return None


def web_client_handlers(dist: Path) -> list[ControllerRouterHandler]:
    if not (dist / "index.html").exists():
        return [start_page]
    root = dist.resolve()
    assets_root = root / "assets"

    @get("/assets/{name:path}", include_in_schema=False, sync_to_thread=False, cache_control=ASSETS_CACHE)
    def asset(name: FromPath[str]) -> File:
        found = built_file(assets_root, name.lstrip("/"))
        if found is None:
            raise NotFound("no such asset")
        return _file(found)

    @get(["/", "/{path:path}"], include_in_schema=False, sync_to_thread=False)
    def web_client(path: FromPath[str] = "") -> File:
        wanted = path.lstrip("/")
        if wanted.startswith(NOT_THE_APP):
            raise NotFound("no such resource")
        found = built_file(root, wanted)
        if found is not None:
            return _file(found)
        return File(
            root / "index.html",
            content_disposition_type="inline",
            headers={"Cache-Control": "no-cache"},
            media_type=MEDIA_TYPES[".html"],
        )

    return [asset, web_client]


def _file(path: Path) -> File:
    return File(path, content_disposition_type="inline", media_type=media_type_of(path))


@get("/", include_in_schema=False, sync_to_thread=False)
def start_page() -> Response[bytes]:
    return Response(START_PAGE.read_bytes(), media_type=MEDIA_TYPES[".html"])
