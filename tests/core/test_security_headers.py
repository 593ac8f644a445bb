"""Security headers: a policy fitted to each thing served (the API, its docs page, the web client), no framing, no
sniffing, a referrer kept on the origin, and HSTS when the public URL is https."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Page, async_playwright

from confer.app import create_app
from confer.core.runtime import Runtime
from confer.settings import load_settings
from tests.support import serving

CHROMIUM = os.environ.get("CONFER_E2E_CHROMIUM", "/usr/bin/chromium")
STRICT_API_POLICY = "default-src 'none'; frame-ancestors 'none'"


def directives(response: httpx.Response) -> dict[str, list[str]]:
    policy = response.headers["content-security-policy"]
    parsed = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


def assert_common_headers(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert directives(response)["frame-ancestors"] == ["'none'"]


async def test_api_answers_may_load_nothing_and_be_framed_by_no_one(client: httpx.AsyncClient) -> None:
    for path in ("/healthz", "/api/v1/me", "/api/v1/nothing-here", "/metrics", "/api/docs/openapi.json"):
        response = await client.get(path)
        assert "x-content-type-options" in response.headers, (path, response.headers)
        assert_common_headers(response)
        if path != "/api/docs/openapi.json":
            assert response.headers["content-security-policy"] == STRICT_API_POLICY, path
        assert "strict-transport-security" not in response.headers  # the test server's public URL is http


class _Page(HTMLParser):
    """The resources a page references (tag, rel, address) and whether it has inline script."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[tuple[str, str, str]] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        address = found.get("src") or found.get("href")
        if address:
            self.references.append((tag, found.get("rel") or "", address))
        elif tag == "script" and not found.get("id"):
            self.inline_scripts += 1


def parsed_page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def allows(sources: list[str], address: str) -> bool:
    parts = urlsplit(address)
    if not parts.scheme:
        return "'self'" in sources
    return f"{parts.scheme}://{parts.netloc}" in sources or f"{parts.scheme}:" in sources


async def test_the_web_client_policy_fits_the_built_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/professionals")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert_common_headers(response)
    policy = directives(response)
    page = parsed_page(response.text)
    assert page.inline_scripts == 0
    for tag, rel, address in page.references:
        directive = "script-src" if tag == "script" or "modulepreload" in rel else "style-src"
        assert allows(policy[directive], address), (address, policy[directive])
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert (await client.get("/sw.js")).headers["content-security-policy"] == response.headers[
        "content-security-policy"
    ]


async def test_the_api_docs_page_may_load_exactly_what_it_references(client: httpx.AsyncClient) -> None:
    """Litestar's Scalar page takes its script, stylesheet and icon from a CDN and styles itself inline; only
    this page's policy lets it."""
    response = await client.get("/api/docs")
    assert response.status_code == 200
    assert_common_headers(response)
    policy = directives(response)
    page = parsed_page(response.text)
    assert page.references, "the docs page references nothing: the check below would be empty"
    for tag, rel, address in page.references:
        directive = {"script": "script-src", "link": "img-src" if "icon" in rel else "style-src"}[tag]
        assert allows(policy[directive], address), (address, policy[directive])
    assert "'unsafe-inline'" in policy["style-src"]
    assert (await client.get("/api/docs/openapi.json")).status_code == 200


async def test_https_deployments_get_hsts(runtime: Runtime, test_environ: dict[str, str]) -> None:
    https = load_settings({**test_environ, "CONFER_PUBLIC_URL": "https://confer.example.org"})
    async with serving(create_app(https, runtime=runtime)) as base_url, httpx.AsyncClient(base_url=base_url) as http:
        for path in ("/", "/healthz"):
            response = await http.get(path)
            assert int(re.fullmatch(r"max-age=(\d+)", response.headers["strict-transport-security"])[1]) >= 31536000  # type: ignore[index]
        policy = directives(await http.get("/"))
        assert "ws:" not in policy["connect-src"]  # over https, sockets are wss: only


# What the web client does with other origins: Stripe.js and its frames (payments), a media node's WebSocket.
WHAT_THE_APP_DOES = """async () => {
  const violations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    violations.push(e.blockedURI + " " + e.violatedDirective);
  });
  const script = document.createElement("script");
  script.src = "https://js.stripe.com/v3/";
  document.head.appendChild(script);
  const frame = document.createElement("iframe");
  frame.src = "https://js.stripe.com/v3/elements-inner-card.html";
  document.body.appendChild(frame);
  const hooks = document.createElement("iframe");
  hooks.src = "https://hooks.stripe.com/3d_secure_2/hosted";
  document.body.appendChild(hooks);
  for (const node of ["wss://media-1.confer.example.org/janus", "ws://127.0.0.1:8188/"]) {
    try { new WebSocket(node, "janus-protocol"); } catch (e) { violations.push(String(e)); }
  }
  const element = document.createElement("div");
  element.setAttribute("style", "color: red");
  document.body.appendChild(element);
  const style = document.createElement("style");
  style.textContent = ":root { --mantine-color-red: red; }";
  document.head.appendChild(style);
  %s
  await new Promise((resolve) => setTimeout(resolve, 500));
  return violations;
}"""
FORBIDDEN = """const evil = document.createElement("script");
  evil.src = "https://evil.example.org/x.js";
  document.head.appendChild(evil);"""


def policy_refusals(page: Page) -> list[str]:
    """What the page's console reports its Content-Security-Policy refused, filled as the page runs."""
    refused: list[str] = []
    page.on("console", lambda message: refused.extend([message.text] if "Security Policy" in message.text else []))
    return refused


@pytest.mark.parametrize("forbidden", [False, True], ids=["what-the-app-does", "a-foreign-script"])
async def test_chromium_lets_the_web_client_do_what_it_does_and_nothing_else(server: str, forbidden: bool) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's Chromium (apt-get install chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            page = await browser.new_page()
            # What the page does while it loads, before the listener below exists, is reported on the console.
            errors = policy_refusals(page)
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(f"{server}/professionals")
            await page.wait_for_function("document.getElementById('root').innerText.trim().length > 0")
            violations = await page.evaluate(WHAT_THE_APP_DOES % (FORBIDDEN if forbidden else ""))
        finally:
            await browser.close()
    if forbidden:
        assert errors  # the refusal is on the console too: the console check above can fail
        assert violations == ["https://evil.example.org/x.js script-src-elem"]
    else:
        assert (violations, errors) == ([], [])


async def test_chromium_runs_the_api_docs_page_under_its_policy(server: str) -> None:
    """The CDN is not reachable from here: its answers are stubs (the policy is checked before any request leaves).
    The page's script must run, and nothing on the page may be refused."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's Chromium (apt-get install chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            page = await browser.new_page()
            refused = policy_refusals(page)
            stub = "document.body.dataset.reference = document.getElementById('api-reference').dataset.url;"
            await page.route("https://cdn.jsdelivr.net/npm/**", lambda route: route.fulfill(body=stub))
            await page.route("https://cdn.jsdelivr.net/gh/**", lambda route: route.fulfill(body=b""))
            await page.goto(f"{server}/api/docs")
            reference = await page.wait_for_function("document.body.dataset.reference")
            assert await reference.json_value() == "/api/docs/openapi.json"
        finally:
            await browser.close()
    assert refused == []
