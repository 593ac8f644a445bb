"""The API documentation page (``/api/docs``): Litestar's Scalar browser, with markup its Content-Security-Policy
allows (:data:`confer.core.security_headers.DOCS_POLICY`: scripts from the CDN only, no inline script)."""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request
from litestar.openapi.plugins import ScalarRenderPlugin


class ApiDocsPage(ScalarRenderPlugin):
    """Scalar's page as Litestar writes it, except that the element naming the document is an empty ``<script>``:
    Litestar leaves a line break in it, which browsers count as an inline script and refuse under the policy."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        document = escape(self.get_openapi_json_route(request))
        return (
            "<!DOCTYPE html><html><head>"
            f'<title>{title}</title>{self.style}<meta charset="utf-8"/>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'{self.favicon}<link rel="stylesheet" type="text/css" href="{self.css_url}">'
            "</head><body>"
            "<noscript>The API reference needs JavaScript.</noscript>"
            f'<script id="api-reference" data-url="{document}"></script>'
            f'<script src="{self.js_url}" crossorigin></script>'
            "</body></html>"
        ).encode()
