"""Console sessions checked on the server.

- ``users.session_key``: the random key every session cookie of the user carries; cleared on
  logout and password change, so copied cookies stop working. Existing users start with none:
  their current sessions end, and they log in again.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("session_key", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_key")
