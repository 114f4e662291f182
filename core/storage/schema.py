"""The tables.

The award row is itself the job a sender claims (a transactional outbox): it carries the claim
(``claimed_by``, ``claim_token``, ``lease_expires_at``), the stored retry (``attempts``,
``next_attempt_at``) and whether an earlier attempt may have reached the provider (``maybe_sent``).
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

from badgebridge.core.model import AwardState, BadgeState, EventState, ObjectKind
from badgebridge.core.storage.types import SealedJSON, UTCDateTime

metadata = MetaData()


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


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
    # the secret settings (writeOnly in the schema), encrypted when BADGEBRIDGE_SECRET_KEY is set
    Column("secrets", SealedJSON, nullable=False),
    Column("account_name", Text),
    Column("account_id", Text),
    Column("verified_at", UTCDateTime),
    Column("secrets_set_at", UTCDateTime),  # when the secret settings were last set (token age)
    # requests per second badgebridge sends through this connection, all workers together (None:
    # unlimited); a host setting, not the provider's
    Column("rate_limit", Float),
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
    CheckConstraint(_in("state", BadgeState), name="badge_state"),
    # one catalog badge per provider template (platform-only badges have no connection)
    Index("badge_template_once", "connection_id", "external_badge_id", unique=True),
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
    CheckConstraint(_in("kind", ObjectKind), name="learning_object_kind"),
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
    Column("cancelled_at", UTCDateTime),
    Column("synced_at", UTCDateTime),  # when the provider's state was last read (awards sync)
    *_timestamps(),
    UniqueConstraint("learner_id", "badge_id", "reason_kind", "reason_id", name="award_once"),
    CheckConstraint(_in("state", AwardState), name="award_state"),
    # the claim's two queries read these in order (queued and due; sending with a lapsed lease)
    Index("awards_due", "state", "next_attempt_at", "id"),
    Index("awards_leased", "state", "lease_expires_at", "id"),
    Index("awards_learner", "learner_id"),
    Index("awards_provider_badge", "connection_id", "provider_badge_id"),
)

provider_events = Table(
    "provider_events",
    metadata,
    # One row per webhook delivery received; the row is the job an event processor claims.
    Column("id", Integer, primary_key=True),
    Column("connection_id", Integer, ForeignKey("connections.id"), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("body", Text, nullable=False),  # as delivered; never trusted, only its event id is read
    Column("event_id", String(200)),  # the id the body names
    Column("event_type", String(100)),  # as the provider reports the event
    Column("state", String(20), nullable=False),
    Column("outcome", Text),  # what processing did, in words
    # set on the one delivery that handled the event: a replay cannot handle it twice
    Column("handled_event_id", String(200)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime),
    Column("claim_token", String(64)),
    Column("lease_expires_at", UTCDateTime),
    Column("processed_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("connection_id", "handled_event_id", name="provider_event_once"),
    CheckConstraint(_in("state", EventState), name="provider_event_state"),
    Index("provider_events_due", "state", "next_attempt_at"),
    Index("provider_events_event", "connection_id", "event_id"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),  # argon2id, with its parameters and salt
    Column("role", String(20), nullable=False),
    # failed logins since the last success: the console refuses attempts until locked_until
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", UTCDateTime),
    Column("last_login_at", UTCDateTime),
    # random, in every session cookie of the user and checked on each request; cleared (ending
    # those sessions) on logout and password change, made again at the next login
    Column("session_key", String(64)),
    *_timestamps(),
    CheckConstraint("role IN ('admin', 'viewer')", name="user_role"),
)

award_attempts = Table(
    "award_attempts",
    metadata,
    # one row per provider request made for an award (and per recovery action): its history
    Column("id", Integer, primary_key=True),
    Column("award_id", Integer, ForeignKey("awards.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("action", String(20), nullable=False),  # issue, lookup, sync, revoke, retry, cancel, ...
    Column("outcome", String(20), nullable=False),  # issued, linked, not_found, rate_limited, ...
    Column("status", Integer),  # the provider's status code, if it answered
    Column("message", Text),
    Column("worker", String(200)),  # the sender's identity (host:pid:uuid), or the command
    Index("award_attempts_award", "award_id", "id"),
)

rate_limits = Table(
    "rate_limits",
    metadata,
    # the pace of one connection's requests, shared by every sender through the database (GCRA):
    # the next request may start at ``tat`` - 1/rate; times are seconds since the epoch
    Column("connection_id", Integer, ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True),
    Column("tat", Float, nullable=False),  # the theoretical arrival time of the next request
    Column("rate", Float),  # the adaptive rate after the last 429 (None: the configured limit)
    Column("decreased_at", Float),  # when ``rate`` was last lowered by a 429
    Column("paused_until", Float, nullable=False),  # Retry-After: no request before this
    Column("window_started", Float, nullable=False),  # the observed rate, over about a second
    Column("window_count", Integer, nullable=False),
    Column("observed_rate", Float),
)
