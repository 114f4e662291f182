"""One catalog badge per provider template.

- ``badges``: the index on (connection_id, external_badge_id) becomes the unique index
  ``badge_template_once``. Badges that already share a template are merged first: the migrated one
  (it has ``created_on``), else the oldest, keeps the template, and the others' skill levels,
  learning objects, instances and awards move to it. An award that would become a twin of one the
  kept badge has (same learner and reason) stays on its duplicate, which is then kept, retired, as
  that award's history; a duplicate left with no award is deleted.

The merge is written here on the tables as they were at this revision (it was
``catalog.merge_into`` when it was written), so that later changes to the services cannot change
what this revision does.

Revision ID: 0005
Revises: 0004
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from badgebridge.core.storage.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

RETIRED = "Retired"
IN_CHUNK = 1000

badges = sa.table(
    "badges",
    sa.column("id", sa.String),
    sa.column("connection_id", sa.Integer),
    sa.column("external_badge_id", sa.String),
    sa.column("created_on", UTCDateTime()),
    sa.column("created_at", UTCDateTime()),
    sa.column("state", sa.String),
    sa.column("updated_at", UTCDateTime()),
)
awards = sa.table(
    "awards",
    sa.column("id", sa.Integer),
    sa.column("badge_id", sa.String),
    sa.column("learner_id", sa.String),
    sa.column("reason_kind", sa.String),
    sa.column("reason_id", sa.String),
    sa.column("updated_at", UTCDateTime()),
)
# what else refers to a badge by id at this revision
BADGE_REFERENCES = tuple(
    sa.table(name, sa.column("badge_id", sa.String))
    for name in ("skill_levels", "learning_objects", "object_instances")
)


def upgrade() -> None:
    conn = op.get_bind()
    shared = conn.execute(
        sa.select(badges.c.connection_id, badges.c.external_badge_id)
        .where(badges.c.connection_id.is_not(None), badges.c.external_badge_id.is_not(None))
        .group_by(badges.c.connection_id, badges.c.external_badge_id)
        .having(sa.func.count() > 1)
    ).all()
    now = datetime.now(UTC)
    for connection_id, external_id in shared:
        holders = list(
            conn.execute(
                sa.select(badges.c.id)
                .where(badges.c.connection_id == connection_id, badges.c.external_badge_id == external_id)
                .order_by(badges.c.created_on.is_(None), badges.c.created_at, badges.c.id)
            ).scalars()
        )
        keep, duplicates = holders[0], holders[1:]
        conn.execute(sa.update(badges).where(badges.c.id.in_(duplicates)).values(external_badge_id=None))
        for duplicate in duplicates:
            _merge(conn, keep, duplicate, now)
    op.drop_index("badges_external", table_name="badges")
    op.create_index("badge_template_once", "badges", ["connection_id", "external_badge_id"], unique=True)


def _merge(conn, keep: str, duplicate: str, now: datetime) -> None:
    """Point what refers to ``duplicate`` at ``keep``; delete it, or retire it if it keeps awards."""
    for table in BADGE_REFERENCES:
        conn.execute(sa.update(table).where(table.c.badge_id == duplicate).values(badge_id=keep))
    keys = (awards.c.learner_id, awards.c.reason_kind, awards.c.reason_id)
    held = set(conn.execute(sa.select(*keys).where(awards.c.badge_id == keep)).all())
    movable = [
        award_id
        for award_id, *key in conn.execute(
            sa.select(awards.c.id, *keys).where(awards.c.badge_id == duplicate)
        )
        if tuple(key) not in held
    ]
    for start in range(0, len(movable), IN_CHUNK):
        conn.execute(
            sa.update(awards)
            .where(awards.c.id.in_(movable[start : start + IN_CHUNK]))
            .values(badge_id=keep, updated_at=now)
        )
    if conn.execute(sa.select(awards.c.id).where(awards.c.badge_id == duplicate).limit(1)).first():
        conn.execute(sa.update(badges).where(badges.c.id == duplicate).values(state=RETIRED, updated_at=now))
    else:
        conn.execute(sa.delete(badges).where(badges.c.id == duplicate))


def downgrade() -> None:
    op.drop_index("badge_template_once", table_name="badges")
    op.create_index("badges_external", "badges", ["connection_id", "external_badge_id"], unique=False)
