"""The climate-table dossier database: tables, migrations, API tokens and the dossier services.

A facilitator saves a resident's dossier (overrides, chosen steps, notes, date of the
klimaattafel); the municipality counts dossiers toward its LEKP klimaattafel goal. The data
lives in a real database through SQLAlchemy: an SQLite file by default (embedded, zero set-up),
PostgreSQL by URL. The schema is created and upgraded only by the Alembic migrations shipped in
``api/db/migrations`` (:func:`migrate`), never by ``create_all``.

Every dossier service function takes ``(session, principal, ...)``, checks what the principal
may do, and writes exactly one row into ``audit_log`` in the same transaction as the data change,
so a dossier is never saved without its audit row or the reverse. Rules (see ``docs/service.md``):

- a dossier of another municipality behaves exactly like one that does not exist
  (:class:`DossierNotFound`), so nobody learns which ids exist elsewhere (OWASP API1);
- analysts may read, list and count, not create, update, delete or export;
- facilitators read and write the dossiers of their own municipalities; admins everything;
- without a principal (no token) nothing but the non-personal count is available.

Each dossier service function is its own unit of work: it commits before it returns, so a
dossier acknowledged as saved is on disk whatever the caller does next (FastAPI, for one, runs
the teardown of a ``yield`` dependency only after the response has been sent). A denied attempt
is audited the same way: the ``denied`` row is committed before the exception is raised, so the
caller's rollback cannot erase it. Do not batch other writes in the same session before calling
one; a :class:`DossierConflict` rolls the session back.

The package, by concern: ``models.py`` (the tables), ``engine.py`` (engine, migrations,
sessions), ``tokens.py`` (API tokens), ``dossiers.py`` (the dossier services and their audit
log), ``backup.py`` (back-up and restore of an SQLite database), ``errors.py``.
"""

from api.db.dossiers import (
    audit_failed_authentication,
    count_klimaattafel_dossiers,
    create_dossier,
    delete_dossier,
    export_dossier,
    get_dossier,
    list_dossiers,
    update_dossier,
)
from api.db.engine import current_revision, head_revision, make_engine, migrate, session_scope
from api.db.errors import (
    DossierConflict,
    DossierError,
    DossierForbidden,
    DossierNotFound,
    SchemaMismatch,
)
from api.db.models import AUDIT_ACTIONS, DEFAULT_DB, AuditEntry, Base, Dossier, Role, Token
from api.db.tokens import (
    Authentication,
    Principal,
    TokenInfo,
    authenticate,
    check_token,
    create_token,
    list_tokens,
    revoke_token,
)

__all__ = [
    "AUDIT_ACTIONS",
    "DEFAULT_DB",
    "AuditEntry",
    "Authentication",
    "Base",
    "Dossier",
    "DossierConflict",
    "DossierError",
    "DossierForbidden",
    "DossierNotFound",
    "Principal",
    "Role",
    "SchemaMismatch",
    "Token",
    "TokenInfo",
    "audit_failed_authentication",
    "authenticate",
    "check_token",
    "count_klimaattafel_dossiers",
    "create_dossier",
    "create_token",
    "current_revision",
    "delete_dossier",
    "export_dossier",
    "get_dossier",
    "head_revision",
    "list_dossiers",
    "list_tokens",
    "make_engine",
    "migrate",
    "revoke_token",
    "session_scope",
    "update_dossier",
]
