"""Serving the built web client: deep links open the app, assets are cached for long, the API's paths never."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from confer.app import REPOSITORY_WEB_DIST, web_dist
from confer.core.errors import EXCEPTION_HANDLERS
from confer.settings import load_settings
from confer.web import web_client_handlers


def built_app(tmp_path: Path) -> Litestar:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "index-3f2a.js").write_text("console.log('app')")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    (tmp_path / "sw.js").write_text("self.addEventListener('push', () => {})")
    (tmp_path / "assets" / "index-3f2a.css").write_text("body{}")
    (tmp_path / "assets" / "inter-3f2a.woff2").write_bytes(b"wOF2")
    (tmp_path / "manifest.webmanifest").write_text("{}")
    return Litestar(route_handlers=web_client_handlers(tmp_path), exception_handlers=dict(EXCEPTION_HANDLERS))


def test_deep_links_get_the_app_and_assets_are_cached_for_long(tmp_path: Path) -> None:
    with TestClient(built_app(tmp_path)) as client:
        for path in ("/", "/professionals/3f2a", "/bookings?tab=past"):
            page = client.get(path)
            assert page.status_code == 200, path
            assert page.text.startswith("<!doctype html>")
            assert page.headers["cache-control"] == "no-cache"
        asset = client.get("/assets/index-3f2a.js")
        assert asset.status_code == 200
        assert "immutable" in asset.headers["cache-control"]
        assert client.get("/favicon.svg").text == "<svg/>"


def test_the_api_and_files_outside_the_build_are_never_the_app(tmp_path: Path) -> None:
    (tmp_path.parent / "secret.txt").write_text("no")
    with TestClient(built_app(tmp_path)) as client:
        for path in ("/api/v1/nothing-here", "/internal/x", "/assets/missing.js"):
            missing = client.get(path)
            assert missing.status_code == 404, path
            assert missing.headers["content-type"].startswith("application/problem+json")
        escaped = client.get("/..%2Fsecret.txt")
        assert escaped.text != "no"


def test_the_build_is_found_where_the_setting_says(tmp_path: Path) -> None:
    """An installed Confer (the container image) has no repository around it: CONFER_WEB_DIST names the build."""
    built_app(tmp_path)
    assert web_dist(load_settings({"CONFER_ENV": "test", "CONFER_WEB_DIST": str(tmp_path)})) == tmp_path
    assert web_dist(load_settings({"CONFER_ENV": "test"})) == REPOSITORY_WEB_DIST
    assert Path(__file__).resolve().parents[2] / "web" / "dist" == REPOSITORY_WEB_DIST


ODD_PATHS = ["/assets/%00", "/%00", "/assets/a%00.js", "/assets/" + "a" * 5000, "/" + "a" * 5000 + ".js", "/assets/%ff"]


def test_odd_paths_are_a_client_error_never_a_500(tmp_path: Path) -> None:
    with TestClient(built_app(tmp_path)) as client:
        for path in ODD_PATHS:
            response = client.get(path)
            assert response.status_code in (200, 400, 404), (path[:40], response.status_code, response.text[:300])
            if response.status_code == 200:  # a deep link: the app, not a file
                assert response.text.startswith("<!doctype html>"), path[:40]


def test_each_kind_of_built_file_is_served_with_its_media_type(tmp_path: Path) -> None:
    """Browsers refuse a service worker that is not JavaScript (Web Push needs /sw.js); the types are Confer's own,
    not the system's MIME database, which slim images lack."""
    expected = {
        "/": "text/html; charset=utf-8",
        "/sw.js": "application/javascript",
        "/assets/index-3f2a.js": "application/javascript",
        "/assets/index-3f2a.css": "text/css; charset=utf-8",
        "/assets/inter-3f2a.woff2": "font/woff2",
        "/favicon.svg": "image/svg+xml",
        "/manifest.webmanifest": "application/manifest+json",
    }
    with TestClient(built_app(tmp_path)) as client:
        served = {path: client.get(path).headers["content-type"] for path in expected}
    assert served == expected


def repository_build() -> Path:
    if not (REPOSITORY_WEB_DIST / "index.html").exists():
        pytest.fail("web/dist is missing: build the web client first (scripts/web build; scripts/test does it)")
    return REPOSITORY_WEB_DIST


def test_the_real_build_is_served_with_known_types_one_charset_and_no_source_maps() -> None:
    dist = repository_build()
    files = [path for path in dist.rglob("*") if path.is_file()]
    assert not [path.name for path in files if path.suffix == ".map"]
    assert not [path.name for path in files if b"sourceMappingURL" in path.read_bytes()]
    app = Litestar(route_handlers=web_client_handlers(dist), exception_handlers=dict(EXCEPTION_HANDLERS))
    with TestClient(app) as client:
        assert client.get("/").headers["content-type"] == "text/html; charset=utf-8"
        assert client.get("/sw.js").headers["content-type"] == "application/javascript"
        for path in files:
            response = client.get("/" + path.relative_to(dist).as_posix())
            assert response.status_code == 200, path
            assert response.headers["content-type"] != "application/octet-stream", path
            assert response.headers["content-type"].count("charset") <= 1, path
