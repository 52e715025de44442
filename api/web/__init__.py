"""What residents and municipal staff read: the web page (``GET /``, ``api/web/static``) and the
printable resident and LEKP reports (``page.py``), and the API documentation on ``/docs`` and
``/redoc`` (``docs.py``)."""

from api.web.docs import build_docs_router
from api.web.page import build_web_router, mount_static, report_request, sector_map_svg

__all__ = [
    "build_docs_router",
    "build_web_router",
    "mount_static",
    "report_request",
    "sector_map_svg",
]
