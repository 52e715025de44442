"""The routes under ``/api/v1``, one module per resource; each is thin over :mod:`api.service`
(the twin, plans, cards, maps) or :mod:`api.db` (the dossiers)."""

from api.http.routes import (
    addresses,
    dossiers,
    dwellings,
    health,
    municipalities,
    scenario,
    warmte,
)

#: Every router, in the order OpenAPI lists them.
ROUTERS = (
    health.router,
    addresses.router,
    dwellings.router,
    municipalities.router,
    scenario.router,
    warmte.router,
    dossiers.router,
)

__all__ = ["ROUTERS"]
