"""Delivery you can steer: paced connections, cancelled awards, provider sync and attempt history.

- ``connections.rate_limit``: requests per second through the connection (NULL: unlimited).
- ``awards``: state ``cancelled`` joins the CHECK constraint; ``cancelled_at``, ``synced_at``.
- ``award_attempts``: one row per provider request or recovery action made for an award.
- ``rate_limits``: one pacing row (GCRA with an adaptive rate) per connection.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from badgebridge.core.storage.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OLD_STATES = ("queued", "sending", "issued", "failed", "revoked", "awarded")
NEW_STATES = (*OLD_STATES, "cancelled")


def _states(states: tuple[str, ...]) -> str:
    return "state IN ({})".format(", ".join(f"'{state}'" for state in states))


def upgrade() -> None:
    op.add_column("connections", sa.Column("rate_limit", sa.Float(), nullable=True))
    with op.batch_alter_table("awards", recreate="auto") as batch:
        batch.add_column(sa.Column("cancelled_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("synced_at", UTCDateTime(), nullable=True))
        batch.drop_constraint("award_state", type_="check")
        batch.create_check_constraint("award_state", sa.text(_states(NEW_STATES)))
    op.create_table(
        "award_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["award_id"], ["awards.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("award_attempts_award", "award_attempts", ["award_id", "id"], unique=False)
    op.create_table(
        "rate_limits",
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("tat", sa.Float(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=True),
        sa.Column("decreased_at", sa.Float(), nullable=True),
        sa.Column("paused_until", sa.Float(), nullable=False),
        sa.Column("window_started", sa.Float(), nullable=False),
        sa.Column("window_count", sa.Integer(), nullable=False),
        sa.Column("observed_rate", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["connection_id"], ["connections.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("connection_id"),
    )


def downgrade() -> None:
    op.drop_table("rate_limits")
    op.drop_index("award_attempts_award", table_name="award_attempts")
    op.drop_table("award_attempts")
    op.execute("UPDATE awards SET state = 'failed' WHERE state = 'cancelled'")
    with op.batch_alter_table("awards", recreate="auto") as batch:
        batch.drop_constraint("award_state", type_="check")
        batch.create_check_constraint("award_state", sa.text(_states(OLD_STATES)))
        batch.drop_column("synced_at")
        batch.drop_column("cancelled_at")
    op.drop_column("connections", "rate_limit")
