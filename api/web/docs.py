"""The API documentation: Swagger UI on ``/docs`` and ReDoc on ``/redoc``, both from files the
service serves itself (``api/web/static/vendor/swagger-ui``, ``.../redoc``; versions and licences
in ``api/web/static/vendor/README.md``), so they work offline and load no third-party script.

FastAPI's own pages (``fastapi.openapi.docs``) load the assets from a CDN and start Swagger UI
with an inline script; these pages start it from ``/static/docs/swagger-init.js`` instead, so
they run under the service's Content-Security-Policy (:mod:`api.http.security`) unchanged.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.web.page import TEMPLATES

TITLE = "Wijkrenovatietool – API-documentatie"


def _openapi_url(request: Request) -> str:
    """The app's OpenAPI document, behind the proxy prefix (``root_path``) if there is one."""
    root = str(request.scope.get("root_path", "")).rstrip("/")
    return root + str(request.app.openapi_url)


def build_docs_router() -> APIRouter:
    """``GET /docs`` (Swagger UI) and ``GET /redoc`` (ReDoc); not part of the OpenAPI schema."""
    # here, not at the top: importing api.http imports the app, which imports api.web
    from api.http.security import REDOC_CONTENT_SECURITY_POLICY

    router = APIRouter(include_in_schema=False)

    @router.get("/docs", response_class=HTMLResponse)
    def swagger_ui(request: Request) -> HTMLResponse:
        html = TEMPLATES.get_template("swagger_ui.html").render(
            title=TITLE, openapi_url=_openapi_url(request)
        )
        return HTMLResponse(html + "\n")

    @router.get("/redoc", response_class=HTMLResponse)
    def redoc(request: Request) -> HTMLResponse:
        html = TEMPLATES.get_template("redoc.html").render(
            title=TITLE, openapi_url=_openapi_url(request)
        )
        return HTMLResponse(
            html + "\n", headers={"Content-Security-Policy": REDOC_CONTENT_SECURITY_POLICY}
        )

    return router


__all__ = ["build_docs_router"]
