"""One catalog badge per provider template.

- ``badges``: the index on (connection_id, external_badge_id) becomes the unique index
  ``badge_template_once``. Badges that already share a template are merged first: the migrated one
  (it has ``created_on``), else the oldest, keeps the template, and the others' skill levels,
  learning objects and awards move to it (``catalog.merge_into``).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from badgebridge.core.services import catalog

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    shared = conn.execute(
        sa.text(
            "SELECT connection_id, external_badge_id FROM badges WHERE connection_id IS NOT NULL "
            "AND external_badge_id IS NOT NULL GROUP BY connection_id, external_badge_id HAVING COUNT(*) > 1"
        )
    ).all()
    for connection_id, external_id in shared:
        (keep,) = conn.execute(
            sa.text(
                "SELECT id FROM badges WHERE connection_id = :c AND external_badge_id = :e "
                "ORDER BY created_on IS NULL, created_at, id LIMIT 1"
            ),
            {"c": connection_id, "e": external_id},
        ).first()
        freed = catalog.release_template(conn, keep, connection_id, external_id, imported_only=False)
        catalog.merge_into(conn, keep, freed)
    op.drop_index("badges_external", table_name="badges")
    op.create_index("badge_template_once", "badges", ["connection_id", "external_badge_id"], unique=True)


def downgrade() -> None:
    op.drop_index("badge_template_once", table_name="badges")
    op.create_index("badges_external", "badges", ["connection_id", "external_badge_id"], unique=False)
