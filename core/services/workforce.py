"""Learners into a provider account's people (Credly: the organization's workforce)."""

from __future__ import annotations

from badgebridge.core.errors import InvalidInput, ProviderError
from badgebridge.core.model import PushedLearner, Recipient
from badgebridge.core.plugin_manager import PluginHost
from badgebridge.core.services import connections as connection_service
from badgebridge.core.services import learners as learner_service
from badgebridge.core.services.connections import with_context
from badgebridge.core.storage import Database


def push(
    db: Database, host: PluginHost, connection_name: str, email: str | None = None
) -> list[PushedLearner]:
    """Push every learner (or the one with ``email``) to the connection's provider; idempotent.

    Returns one result per learner: added, present (known there already) or refused.
    """
    record, provider, connection = connection_service.load(db, host, connection_name)
    if not provider.supports("push_learners"):
        raise InvalidInput(f"the {provider.title} plugin cannot add learners to its account")
    chosen = [learner_service.get_by_email(db, email)] if email else learner_service.list_learners(db)
    recipients = [Recipient(one.email, one.first_name, one.last_name, one.id) for one in chosen]
    if not recipients:
        return []
    try:
        return list(provider.push_learners(connection, recipients))
    except ProviderError as exc:
        raise with_context(exc, f"connection {record.name!r} ({provider.title})") from None
