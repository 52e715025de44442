"""Security headers on every answer of the service, in one pure ASGI middleware.

Every answer gets ``X-Content-Type-Options: nosniff`` (a browser never guesses a script or a page
from a JSON or CSV body). HTML answers -- the web page, the resident and municipal reports, their
error pages, ``/docs`` and ``/redoc`` -- also get:

- ``Content-Security-Policy`` (:data:`CONTENT_SECURITY_POLICY`): scripts, styles, fonts and
  requests only from the service itself, no inline script, no inline style, no plugins, no
  ``<base>`` elsewhere, forms only to the service, never inside a frame. Images also from
  ``data:`` URLs (Leaflet's and Swagger UI's icons) and from the OpenStreetMap tile server (the
  page's background map, only requested while the browser is online);
- ``X-Frame-Options: DENY`` (``frame-ancestors 'none'`` for browsers without CSP level 2);
- ``Referrer-Policy: no-referrer``: the address of a report holds a resident's corrections and
  gas use, so no page tells another site where it came from. The map's tile requests alone send
  the service's origin (``referrerPolicy`` of the tile layer in ``api/web/static/app.js``), as the
  OpenStreetMap tile usage policy asks.

A route may send its own ``Content-Security-Policy``; the middleware then keeps it (``/redoc``
does, :data:`REDOC_CONTENT_SECURITY_POLICY`). :func:`install_security_headers` puts the
middleware outside everything, Starlette's 500 handler included. The middleware is plain ASGI
(no ``BaseHTTPMiddleware``, no request object): it only appends ready-made byte strings to the
header list of ``http.response.start``, so the hot API routes pay a few list operations per
answer (about 3 µs, ``docs/service.md``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Where the page's background map comes from (``TILE_URL`` in ``api/web/static/app.js``).
TILE_ORIGIN = "https://tile.openstreetmap.org"

#: CSP hash of the empty string: allows a ``<style>`` element only while it is empty.
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"


def content_security_policy(style_src: str = "'self'", worker_src: str | None = None) -> str:
    """The service's policy; ``style_src`` and ``worker_src`` for the one page that needs more
    (:data:`REDOC_CONTENT_SECURITY_POLICY`)."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {style_src}",
            f"img-src 'self' data: {TILE_ORIGIN}",
            "font-src 'self'",
            "connect-src 'self'",
            *(() if worker_src is None else (f"worker-src {worker_src}",)),
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


#: The policy of every HTML answer. No ``'unsafe-inline'`` and no ``'unsafe-eval'`` anywhere:
#: scripts and styles are files under ``/static``.
CONTENT_SECURITY_POLICY = content_security_policy()
#: CSP hash of the one style sheet ReDoc 2.5.4 writes as text: perfect-scrollbar's CSS (with
#: its source map). After an upgrade of ``api/web/static/vendor/redoc`` the browser test of
#: ``/redoc`` fails on the violation, and Chromium's console message names the new hash.
REDOC_SCROLLBAR_STYLE_HASH = "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='"
#: ``/redoc`` alone gets three more things, each as narrow as it can be:
#:
#: - styles: ReDoc styles itself with styled-components, which adds *empty* ``<style>``
#:   elements and fills them through the CSSOM (``insertRule``), which CSP does not govern; the
#:   hash of the empty string lets those empty elements in. The other hash is that of the
#:   scrollbar's fixed style sheet. Any other ``<style>`` -- one brought by injected markup -- is
#:   still refused; ``'unsafe-inline'`` is not used;
#: - ``worker-src blob:``: ReDoc's search index runs in a worker made from a ``Blob`` by ReDoc's
#:   own script; only a script the page already runs (``script-src 'self'``) can make one.
#:
#: ReDoc also shows the Redocly logo from ``cdn.redoc.ly``; ``img-src`` refuses it (the image
#: hides itself), so the page fetches nothing from another site.
REDOC_CONTENT_SECURITY_POLICY = content_security_policy(
    style_src=f"'self' {EMPTY_STYLE_HASH} {REDOC_SCROLLBAR_STYLE_HASH}", worker_src="blob:"
)
REFERRER_POLICY = "no-referrer"

_NOSNIFF = (b"x-content-type-options", b"nosniff")
_HTML_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode("ascii")),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", REFERRER_POLICY.encode("ascii")),
)


class SecurityHeaders:
    """ASGI middleware: :data:`_NOSNIFF` on every HTTP answer, the CSP, ``X-Frame-Options`` and
    ``Referrer-Policy`` on every ``text/html`` answer (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                html = has_csp = has_nosniff = False
                for name, value in headers:
                    lower = name.lower()
                    if lower == b"content-type":
                        html = value[:9].lower() == b"text/html"
                    elif lower == b"content-security-policy":
                        has_csp = True
                    elif lower == b"x-content-type-options":
                        has_nosniff = True
                if not has_nosniff:
                    headers.append(_NOSNIFF)
                if html:
                    headers.extend(_HTML_HEADERS[1:] if has_csp else _HTML_HEADERS)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security_headers(app: Any) -> None:
    """Put :class:`SecurityHeaders` around the *whole* middleware stack of a Starlette/FastAPI
    ``app``. ``app.add_middleware`` would place it inside Starlette's ``ServerErrorMiddleware``,
    which is always outermost, so the 500 answers (``api.http.errors``) would go out without
    ``nosniff``; wrapping what ``build_middleware_stack`` builds covers them too."""
    build = app.build_middleware_stack

    def build_with_headers() -> ASGIApp:
        return SecurityHeaders(build())

    app.build_middleware_stack = build_with_headers


__all__ = [
    "CONTENT_SECURITY_POLICY",
    "REDOC_CONTENT_SECURITY_POLICY",
    "REFERRER_POLICY",
    "TILE_ORIGIN",
    "SecurityHeaders",
    "content_security_policy",
    "install_security_headers",
]
