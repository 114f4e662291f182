"""Events from the provider, and the age of a connection's token.

- ``provider_events``: one row per webhook delivery received, the job an event processor claims.
- ``connections.secrets_set_at``: when the secret settings were last set (token age warnings).
- ``awards_provider_badge``: an index to find the award of a provider's badge.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from badgebridge.core.storage.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

EVENT_STATES = ("received", "processing", "handled", "ignored", "failed")


def upgrade() -> None:
    op.add_column("connections", sa.Column("secrets_set_at", UTCDateTime(), nullable=True))
    op.create_index("awards_provider_badge", "awards", ["connection_id", "provider_badge_id"], unique=False)
    op.create_table(
        "provider_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=True),
        sa.Column("event_type", sa.String(length=100), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("handled_event_id", sa.String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("claim_token", sa.String(length=64), nullable=True),
        sa.Column("lease_expires_at", UTCDateTime(), nullable=True),
        sa.Column("processed_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "state IN ({})".format(", ".join(f"'{state}'" for state in EVENT_STATES)),
            name="provider_event_state",
        ),
        sa.ForeignKeyConstraint(["connection_id"], ["connections.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("connection_id", "handled_event_id", name="provider_event_once"),
    )
    op.create_index("provider_events_due", "provider_events", ["state", "next_attempt_at"], unique=False)
    op.create_index("provider_events_event", "provider_events", ["connection_id", "event_id"], unique=False)


def downgrade() -> None:
    op.drop_index("provider_events_event", table_name="provider_events")
    op.drop_index("provider_events_due", table_name="provider_events")
    op.drop_table("provider_events")
    op.drop_index("awards_provider_badge", table_name="awards")
    op.drop_column("connections", "secrets_set_at")
