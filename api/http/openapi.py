"""The OpenAPI schema as the service checks requests, where FastAPI's generated one says less.

- A header or query parameter is never ``null`` over HTTP: an optional parameter is one that may
  be left out, so ``{"type": "null"}`` is taken out of its schema (a client generated from the
  schema would otherwise send ``If-Match: null``).
- The ``order`` of a trajectory question takes the ids of the service's catalogue, each at most
  once (the service refuses others with a 422): the schema lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI


def _without_null(schema: dict[str, Any]) -> None:
    options = schema.get("anyOf")
    if not isinstance(options, list):
        return
    kept = [o for o in options if o != {"type": "null"}]
    if len(kept) == len(options):
        return
    del schema["anyOf"]
    if schema.get("default", 0) is None:
        del schema["default"]
    if len(kept) == 1:
        schema.update(kept[0])
    else:
        schema["anyOf"] = kept


def refine_schema(schema: dict[str, Any], measure_ids: Sequence[str]) -> dict[str, Any]:
    """``schema`` (FastAPI's) with the refinements of this module, changed in place."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "body" and "schema" in parameter:
                    _without_null(parameter["schema"])
    request = schema.get("components", {}).get("schemas", {}).get("TrajectoryRequest")
    if request is not None and "order" in request.get("properties", {}):
        order = request["properties"]["order"]
        for option in order.get("anyOf", [order]):
            if option.get("type") == "array":
                option["items"] = {"type": "string", "enum": list(measure_ids)}
                option["uniqueItems"] = True
    return schema


def install_openapi(app: FastAPI, measure_ids: Sequence[str]) -> None:
    """Serve :func:`refine_schema` of FastAPI's schema at ``/openapi.json`` (made once)."""
    generate = app.openapi
    done: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        if not done:
            done.append(refine_schema(generate(), measure_ids))
        return done[0]

    app.openapi = openapi  # type: ignore[method-assign]


__all__ = ["install_openapi", "refine_schema"]
