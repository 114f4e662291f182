"""The claim reads its indexes in order.

- ``awards_due`` (state, next_attempt_at) and ``awards_leased`` (state, lease_expires_at) gain
  ``id``, the claim's tie-break, so each of the claim's two queries (queued and due; sending with a
  lapsed lease) is an index range read in order, with no sort, however large the backlog.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("awards_due", table_name="awards")
    op.create_index("awards_due", "awards", ["state", "next_attempt_at", "id"], unique=False)
    op.drop_index("awards_leased", table_name="awards")
    op.create_index("awards_leased", "awards", ["state", "lease_expires_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("awards_leased", table_name="awards")
    op.create_index("awards_leased", "awards", ["state", "lease_expires_at"], unique=False)
    op.drop_index("awards_due", table_name="awards")
    op.create_index("awards_due", "awards", ["state", "next_attempt_at"], unique=False)
