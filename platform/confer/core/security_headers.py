"""Security headers on every HTTP answer: a Content-Security-Policy fitted to what is served, no framing, no
sniffing, a referrer that stays on the origin, and HSTS when the public URL is https.

Three policies, chosen by path:

* the API (JSON, ``/metrics``, health): nothing may load, nothing may frame it;
* the API documentation (``/api/docs``): Litestar's Scalar page loads its script, styles, fonts and icon from a CDN
  and styles itself inline, so it alone may;
* the web client (everything else): its own scripts; Stripe.js from js.stripe.com, Stripe's frames and API
  (payments); inline styles (Mantine sets ``style`` attributes and injects ``<style>``); WebSockets to the API
  (``'self'``) and to media nodes, which are other hosts named in each join answer (``wss:``, and ``ws:`` when the
  public URL is plain http, as on a laptop with a local Janus); images from anywhere over https (profile photos are
  addresses the professionals give).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from confer.core.observability import Headers
from confer.settings import Settings

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
DOCS_PATH = "/api/docs"
CDN = "https://cdn.jsdelivr.net"
SCALAR_FONTS = "https://fonts.scalar.com"
STRIPE_SCRIPTS = "https://js.stripe.com https://*.js.stripe.com"
API_PREFIXES = ("/api/", "/internal/", "/metrics", "/healthz", "/readyz")
HSTS_SECONDS = 365 * 24 * 3600


def web_client_policy(public_url: str) -> str:
    plain_sockets = "" if _is_https(public_url) else " ws:"
    return _policy(
        {
            "default-src": "'self'",
            "script-src": f"'self' {STRIPE_SCRIPTS}",
            "style-src": "'self' 'unsafe-inline'",
            "img-src": "'self' data: blob: https:",
            "font-src": "'self' data:",
            "connect-src": f"'self' https://api.stripe.com wss:{plain_sockets}",
            "frame-src": f"{STRIPE_SCRIPTS} https://hooks.stripe.com",
            "worker-src": "'self'",
            "manifest-src": "'self'",
            "media-src": "'self' blob:",
            "object-src": "'none'",
            "base-uri": "'self'",
            "form-action": "'self'",
            "frame-ancestors": "'none'",
        }
    )


DOCS_POLICY = (
    "default-src 'none'; "
    f"script-src {CDN}; "
    f"style-src 'unsafe-inline' {CDN} {SCALAR_FONTS}; "
    f"font-src data: {CDN} {SCALAR_FONTS}; "
    f"img-src 'self' data: {CDN}; "
    "connect-src 'self'; "
    "worker-src 'self' blob:; "
    "base-uri 'none'; "
    "form-action 'none'; "
    "frame-ancestors 'none'"
)


def _policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {sources}" for name, sources in directives.items())


def _is_https(url: str) -> bool:
    return urlsplit(url).scheme == "https"


class SecurityHeaders:
    """The header lists, built once; :meth:`for_path` picks one per request (the app's outermost layer,
    :func:`confer.core.observability.observability_middleware`, adds them to every answer: the router's own 404 and
    405 too)."""

    def __init__(self, settings: Settings) -> None:
        common: Headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
        ]
        if _is_https(settings.public_url):
            common.append((b"strict-transport-security", f"max-age={HSTS_SECONDS}".encode()))
        self.api = [*common, (b"content-security-policy", API_POLICY.encode())]
        self.docs = [*common, (b"content-security-policy", DOCS_POLICY.encode())]
        self.web_client = [*common, (b"content-security-policy", web_client_policy(settings.public_url).encode())]

    def for_path(self, path: str) -> Headers:
        if path.startswith(DOCS_PATH):
            return self.docs
        if path.startswith(API_PREFIXES):
            return self.api
        return self.web_client
