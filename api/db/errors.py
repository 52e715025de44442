"""The dossier database's errors: what the service answers 404, 403 or 409, in Dutch."""

from __future__ import annotations

from sim.errors import InputError


class DossierError(Exception):
    """A dossier request that cannot be served; ``message`` is Dutch, for the person asking."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DossierNotFound(DossierError):
    """No such dossier -- or one of a municipality the principal has no access to (same answer)."""

    def __init__(self, dossier_id: str) -> None:
        super().__init__(
            f"Dossier {dossier_id[:40]} bestaat niet of u heeft er geen toegang toe. "
            "Controleer de dossier-id en de gemeente van uw token."
        )
        self.dossier_id = dossier_id


class DossierForbidden(DossierError):
    """The principal's role (or the lack of a token) does not allow this action at all.

    ``anonymous`` is true when there was no principal (HTTP 401 rather than 403).
    """

    def __init__(self, message: str, *, anonymous: bool = False) -> None:
        super().__init__(message)
        self.anonymous = anonymous


class DossierConflict(DossierError):
    """The dossier changed since the version the client read (optimistic concurrency)."""

    def __init__(self, dossier_id: str, expected: int | None, actual: int | None) -> None:
        seen = f"u had versie {expected}" if expected is not None else "u had een oudere versie"
        now = f"versie {actual}" if actual is not None else "een nieuwere versie"
        super().__init__(
            f"Dossier {dossier_id} is intussen door iemand anders gewijzigd ({now}; {seen}). "
            "Er is niets bewaard: laad het dossier opnieuw en breng uw wijzigingen opnieuw aan."
        )
        self.dossier_id = dossier_id
        self.expected = expected
        self.actual = actual


class SchemaMismatch(InputError):
    """The database's schema revision is one this version of the code does not know."""
