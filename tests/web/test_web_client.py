"""Serving the built web client: deep links open the app, assets are cached for long, the API's paths never."""

from __future__ import annotations

from pathlib import Path

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
