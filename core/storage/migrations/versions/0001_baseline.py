"""The schema of the last release before migrations (0c30418): every table, as it shipped.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from badgebridge.core.storage.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=100), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("secrets", sa.JSON(), nullable=False),
        sa.Column("account_name", sa.Text(), nullable=True),
        sa.Column("account_id", sa.Text(), nullable=True),
        sa.Column("verified_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "learners",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("first_name", sa.Text(), nullable=False),
        sa.Column("last_name", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "skills",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_on", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "badges",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("image_url", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("external_badge_id", sa.String(length=200), nullable=True),
        sa.Column("external_badge_provider", sa.String(length=100), nullable=True),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column("created_on", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("state IN ('Active', 'Retired')", name="badge_state"),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("badges_external", "badges", ["connection_id", "external_badge_id"], unique=False)
    op.create_table(
        "awards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.String(length=200), nullable=False),
        sa.Column("badge_id", sa.String(length=200), nullable=False),
        sa.Column("reason_kind", sa.String(length=20), nullable=False),
        sa.Column("reason_id", sa.String(length=420), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column("earned_at", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("provider_badge_id", sa.String(length=200), nullable=True),
        sa.Column("provider_state", sa.String(length=40), nullable=True),
        sa.Column("provider_url", sa.Text(), nullable=True),
        sa.Column("linked", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claim_token", sa.String(length=64), nullable=True),
        sa.Column("lease_expires_at", UTCDateTime(), nullable=True),
        sa.Column("maybe_sent", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "state IN ('queued', 'sending', 'issued', 'failed', 'revoked', 'awarded', 'cancelled')",
            name="award_state",
        ),
        sa.ForeignKeyConstraint(
            ["badge_id"],
            ["badges.id"],
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("learner_id", "badge_id", "reason_kind", "reason_id", name="award_once"),
    )
    op.create_index("awards_due", "awards", ["state", "next_attempt_at"], unique=False)
    op.create_index("awards_learner", "awards", ["learner_id"], unique=False)
    op.create_index("awards_leased", "awards", ["state", "lease_expires_at"], unique=False)
    op.create_table(
        "learning_objects",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("badge_id", sa.String(length=200), nullable=True),
        sa.Column("created_on", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('course', 'learning_path', 'certification')", name="learning_object_kind"
        ),
        sa.ForeignKeyConstraint(
            ["badge_id"],
            ["badges.id"],
        ),
        sa.PrimaryKeyConstraint("kind", "id"),
    )
    op.create_table(
        "skill_levels",
        sa.Column("skill_id", sa.String(length=200), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("max_credits", sa.Float(), nullable=False),
        sa.Column("badge_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 3", name="skill_level_range"),
        sa.CheckConstraint("max_credits > 0", name="skill_level_credits"),
        sa.ForeignKeyConstraint(
            ["badge_id"],
            ["badges.id"],
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skills.id"],
        ),
        sa.PrimaryKeyConstraint("skill_id", "level"),
    )
    op.create_table(
        "completions",
        sa.Column("learner_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kind", "object_id"],
            ["learning_objects.kind", "learning_objects.id"],
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
        ),
        sa.PrimaryKeyConstraint("learner_id", "kind", "object_id"),
    )
    op.create_table(
        "object_courses",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("course_id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kind", "object_id"],
            ["learning_objects.kind", "learning_objects.id"],
        ),
        sa.PrimaryKeyConstraint("kind", "object_id", "course_id"),
    )
    op.create_table(
        "object_instances",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("badge_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["badge_id"],
            ["badges.id"],
        ),
        sa.ForeignKeyConstraint(
            ["kind", "object_id"],
            ["learning_objects.kind", "learning_objects.id"],
        ),
        sa.PrimaryKeyConstraint("kind", "object_id", "id"),
    )
    op.create_table(
        "object_skill_credits",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("skill_id", sa.String(length=200), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("credits", sa.Float(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kind", "object_id"],
            ["learning_objects.kind", "learning_objects.id"],
        ),
        sa.ForeignKeyConstraint(
            ["skill_id", "level"],
            ["skill_levels.skill_id", "skill_levels.level"],
        ),
        sa.PrimaryKeyConstraint("kind", "object_id", "skill_id", "level"),
    )


def downgrade() -> None:
    op.drop_table("object_skill_credits")
    op.drop_table("object_instances")
    op.drop_table("object_courses")
    op.drop_table("completions")
    op.drop_table("skill_levels")
    op.drop_table("learning_objects")
    op.drop_table("awards")
    op.drop_table("badges")
    op.drop_table("skills")
    op.drop_table("learners")
    op.drop_table("connections")
