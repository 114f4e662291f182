"""The tables exactly as the last release before migrations (git 0c30418) created them.

A frozen copy, so the upgrade test keeps testing that release's databases whatever schema.py
becomes.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from badgebridge.core.storage.types import UTCDateTime

metadata = MetaData()


def _timestamps() -> list[Column]:
    return [
        Column("created_at", UTCDateTime, nullable=False),
        Column("updated_at", UTCDateTime, nullable=False),
    ]


connections = Table(
    "connections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("provider", String(100), nullable=False),
    Column("settings", JSON, nullable=False),  # the non-secret settings
    Column("secrets", JSON, nullable=False),  # the secret settings (writeOnly in the schema)
    Column("account_name", Text),
    Column("account_id", Text),
    Column("verified_at", UTCDateTime),
    *_timestamps(),
)

badges = Table(
    "badges",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("image_url", Text, nullable=False, default=""),
    Column("state", String(20), nullable=False),
    Column("external_badge_id", String(200)),
    Column("external_badge_provider", String(100)),
    Column("connection_id", Integer, ForeignKey("connections.id")),
    Column("created_on", UTCDateTime),  # badgeCreationDate of a migrated badge
    *_timestamps(),
    CheckConstraint("state IN ('Active', 'Retired')", name="badge_state"),
    Index("badges_external", "connection_id", "external_badge_id"),
)

learners = Table(
    "learners",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("first_name", Text, nullable=False),
    Column("last_name", Text, nullable=False),
    *_timestamps(),
)

skills = Table(
    "skills",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("state", String(20), nullable=False, default="Active"),
    Column("created_on", UTCDateTime),
    *_timestamps(),
)

skill_levels = Table(
    "skill_levels",
    metadata,
    Column("skill_id", String(200), ForeignKey("skills.id"), primary_key=True),
    Column("level", Integer, primary_key=True),
    Column("max_credits", Float, nullable=False),
    Column("badge_id", String(200), ForeignKey("badges.id")),
    *_timestamps(),
    CheckConstraint("level BETWEEN 1 AND 3", name="skill_level_range"),
    CheckConstraint("max_credits > 0", name="skill_level_credits"),
)

learning_objects = Table(
    "learning_objects",
    metadata,
    Column("kind", String(20), primary_key=True),
    Column("id", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    Column("state", String(20), nullable=False),
    Column("badge_id", String(200), ForeignKey("badges.id")),
    Column("created_on", UTCDateTime),
    *_timestamps(),
    CheckConstraint("kind IN ('course', 'learning_path', 'certification')", name="learning_object_kind"),
)

object_instances = Table(
    "object_instances",
    metadata,
    Column("kind", String(20), primary_key=True),
    Column("object_id", String(200), primary_key=True),
    Column("id", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    Column("state", String(20), nullable=False),
    Column("badge_id", String(200), ForeignKey("badges.id")),
    *_timestamps(),
    ForeignKeyConstraint(["kind", "object_id"], ["learning_objects.kind", "learning_objects.id"]),
)

object_courses = Table(
    "object_courses",
    metadata,
    Column("kind", String(20), primary_key=True),  # learning_path or certification
    Column("object_id", String(200), primary_key=True),
    Column("course_id", String(200), primary_key=True),
    Column("position", Integer),
    *_timestamps(),
    ForeignKeyConstraint(["kind", "object_id"], ["learning_objects.kind", "learning_objects.id"]),
)

object_skill_credits = Table(
    "object_skill_credits",
    metadata,
    Column("kind", String(20), primary_key=True),
    Column("object_id", String(200), primary_key=True),
    Column("skill_id", String(200), primary_key=True),
    Column("level", Integer, primary_key=True),
    Column("credits", Float, nullable=False),
    *_timestamps(),
    ForeignKeyConstraint(["kind", "object_id"], ["learning_objects.kind", "learning_objects.id"]),
    ForeignKeyConstraint(["skill_id", "level"], ["skill_levels.skill_id", "skill_levels.level"]),
)

completions = Table(
    "completions",
    metadata,
    Column("learner_id", String(200), ForeignKey("learners.id"), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("object_id", String(200), primary_key=True),
    Column("completed_at", UTCDateTime, nullable=False),
    *_timestamps(),
    ForeignKeyConstraint(["kind", "object_id"], ["learning_objects.kind", "learning_objects.id"]),
)

awards = Table(
    "awards",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("learner_id", String(200), ForeignKey("learners.id"), nullable=False),
    Column("badge_id", String(200), ForeignKey("badges.id"), nullable=False),
    # why: "manual", a learning-object kind, or "skill_level"; reason_id names the object
    # ("" for manual, "<skill>:<level>" for a skill level)
    Column("reason_kind", String(20), nullable=False),
    Column("reason_id", String(420), nullable=False),
    Column("connection_id", Integer, ForeignKey("connections.id")),  # None: a platform-only badge
    Column("earned_at", UTCDateTime, nullable=False),
    Column("state", String(20), nullable=False),
    # the badge on the provider
    Column("provider_badge_id", String(200)),
    Column("provider_state", String(40)),
    Column("provider_url", Text),
    Column("linked", Boolean, nullable=False, default=False),  # found on the provider, not created
    # the job: stored retries, the claim and its lease
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime),
    Column("claimed_by", String(200)),
    Column("claim_token", String(64)),
    Column("lease_expires_at", UTCDateTime),
    Column("maybe_sent", Boolean, nullable=False, default=False),
    Column("last_error", Text),
    Column("last_status", Integer),
    Column("sent_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
    Column("revoke_reason", Text),
    *_timestamps(),
    UniqueConstraint("learner_id", "badge_id", "reason_kind", "reason_id", name="award_once"),
    CheckConstraint(
        "state IN ('queued', 'sending', 'issued', 'failed', 'revoked', 'awarded')", name="award_state"
    ),
    Index("awards_due", "state", "next_attempt_at"),
    Index("awards_leased", "state", "lease_expires_at"),
    Index("awards_learner", "learner_id"),
)
