"""Initial schema: tokens, dossiers, audit_log.

Revision ID: 0001
Revises: none
Create Date: 2025-06-01

Written by hand to match the models in ``api/db/models.py`` (``tests/api/test_db.py`` checks that the
two agree).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("municipalities", sa.JSON(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_tokens_token_hash"),
        sa.UniqueConstraint("prefix", name="uq_tokens_prefix"),
        sa.CheckConstraint("role IN ('facilitator', 'analyst', 'admin')", name="ck_tokens_role"),
    )
    op.create_table(
        "dossiers",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("municipality_nis", sa.String(5), nullable=False),
        sa.Column("dwelling_id", sa.String(64), nullable=False),
        sa.Column("address_id", sa.String(64), nullable=False),
        sa.Column("address_text", sa.String(200), nullable=False),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.Column("chosen_steps", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("klimaattafel_date", sa.Date(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dossiers"),
        sa.ForeignKeyConstraint(
            ["created_by"], ["tokens.id"], name="fk_dossiers_created_by_tokens"
        ),
    )
    op.create_index(
        "ix_dossiers_municipality_date", "dossiers", ["municipality_nis", "klimaattafel_date"]
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("dossier_id", sa.String(36), nullable=True),
        sa.Column("municipality_nis", sa.String(5), nullable=True),
        sa.Column("detail", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        sa.ForeignKeyConstraint(["token_id"], ["tokens.id"], name="fk_audit_log_token_id_tokens"),
        sa.CheckConstraint(
            "action IN ('read', 'create', 'update', 'delete', 'export', 'list', 'denied')",
            name="ck_audit_log_action",
        ),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_dossier_id", "audit_log", ["dossier_id"])


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("dossiers")
    op.drop_table("tokens")
