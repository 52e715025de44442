"""The HTTP service (FastAPI), laid out as the FastAPI full-stack template lays out a backend.

- ``app.py``: :func:`create_app` assembles the application (error handlers, routers, the web
  page); :func:`app_from_env` is the ``uvicorn --factory`` entry of each worker process;
- ``settings.py``: what the service is started with (pydantic-settings, ``WIJK_*``);
- ``deps.py``: what a route may ask for (the loaded service, a database session, the token's
  principal) and the path parameters' patterns;
- ``errors.py``: every 4xx answer in one JSON shape, in Dutch;
- ``routes/<resource>.py``: the routes, thin over :mod:`api.service` and :mod:`api.db`;
- ``schemas.py``: the request and response models (OpenAPI describes every answer).
"""

from api.http.app import app_from_env, create_app

__all__ = ["app_from_env", "create_app"]
