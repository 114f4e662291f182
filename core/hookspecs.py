"""The badge-provider hooks: the contract between badgebridge and a provider plugin.

A provider plugin is a module (or object) with ``@hookimpl`` functions, published under the
``badgebridge`` entry-point group. It must implement ``declare_provider``, ``connect``,
``import_badges`` and ``issue_badge``; ``find_badge``, ``fetch_badge`` and ``revoke_badge`` are
optional capabilities.

Naming rule: a hook is named for the action it performs, ``<verb>_badge(s)`` when it acts on
badges (``import`` alone is a Python keyword).

One provider answers for a connection: the host calls a connection's hooks on the one plugin that
declared that provider, so an implementation never checks which provider it is. Each action hook
takes the ``Connection`` as its first argument, with settings already validated against the
declared schema. Hooks are called with keyword arguments; an implementation may accept only the
arguments it needs.

Errors: raise the ``badgebridge.core.errors.ProviderError`` family for failures a user can act on
(``AuthenticationFailed``, ``ProviderRefused``, ``AlreadyIssued``, ``ProviderUnavailable``). Any
other exception is treated as a bug in the plugin and shown with its traceback.
"""

from __future__ import annotations

from collections.abc import Iterable

import pluggy

from badgebridge.core.model import (
    Connection,
    ConnectionInfo,
    IssuedBadge,
    IssueRequest,
    ProviderBadge,
    ProviderDeclaration,
)

NAME = "badgebridge"
"""The project name: the pluggy marker name and the entry-point group plugins publish under."""

hookspec = pluggy.HookspecMarker(NAME)
hookimpl = pluggy.HookimplMarker(NAME)
"""Marker for hook implementations: ``from badgebridge import hookimpl``."""

REQUIRED_HOOKS = ("declare_provider", "connect", "import_badges", "issue_badge")


@hookspec
def declare_provider() -> ProviderDeclaration:
    """Declare the provider this plugin speaks for.

    Called once for every plugin when plugins load, before any other hook.

    :return: the provider's name (the ``externalBadgeProvider`` value), its title and the JSON
        Schema of its connection settings.
    """


@hookspec(firstresult=True)
def connect(connection: Connection) -> ConnectionInfo:
    """Verify a connection with a live call to the provider.

    Called by ``connections add`` before the connection is saved (nothing is saved if this raises)
    and by ``connections test``.

    :param connection: the connection to verify.
    :return: the account the settings reach (its name, and its id if the provider has one).
    :raises AuthenticationFailed: the provider refused the credentials.
    :raises ProviderRefused: the account does not exist or cannot be used.
    :raises ProviderUnavailable: the provider could not be reached or failed.
    """


@hookspec(firstresult=True)
def import_badges(connection: Connection) -> Iterable[ProviderBadge]:
    """List every active badge (template) the connection's account can issue.

    Called by ``badges import``. Follow the provider's pagination to the end; the host may consume
    the result lazily.

    :param connection: the connection to import from.
    :return: the active badges, in any order; the host stores each under the connection.
    :raises AuthenticationFailed, ProviderRefused, ProviderUnavailable: as for ``connect``.
    """


@hookspec(firstresult=True)
def issue_badge(connection: Connection, request: IssueRequest) -> IssuedBadge:
    """Issue one badge to one recipient.

    Called by the award sender for an award it has claimed; the award is already stored, so a
    failure loses nothing.

    :param connection: the connection the badge came through.
    :param request: the badge, the recipient and the date it was earned.
    :return: the badge as the provider now holds it.
    :raises AlreadyIssued: the recipient already holds the badge; the host then calls
        ``find_badge`` and links the award to what it returns.
    :raises ProviderUnavailable: a transient failure; set ``maybe_sent`` when the request may have
        taken effect, and ``retry_after`` when the provider said how long to wait.
    :raises AuthenticationFailed, ProviderRefused: the provider will not issue it.

    Call ``badgebridge.core.fencing.check()`` as the last step before writing the request (an
    HTTP client's request hook) and let its ``FenceExpired`` through: a sender that stalled since
    it renewed its claim then sends nothing.
    """


@hookspec(firstresult=True)
def find_badge(connection: Connection, request: IssueRequest, after_send: bool) -> IssuedBadge | None:
    """Find the badge an earlier ``issue_badge`` with this request created, if any (optional).

    Called after ``AlreadyIssued``, and before re-sending an award whose earlier attempt may have
    reached the provider. Match on the badge and the recipient; ignore revoked or rejected badges.

    :param connection: the connection the badge came through.
    :param request: the request ``issue_badge`` was given (the same badge and recipient).
    :param after_send: True when looking for what our own earlier ``issue_badge`` may have created
        (match on what that call sent, such as our learner id, in as few requests as the provider
        allows: the lookup shares the connection's request rate); False after ``AlreadyIssued``,
        when the recipient may hold the badge from elsewhere. Implementations may leave it out.
    :return: the badge, or ``None`` if the provider holds none.
    """


@hookspec(firstresult=True)
def fetch_badge(connection: Connection, provider_badge_id: str) -> IssuedBadge:
    """Read one issued badge as the provider holds it now (optional).

    Called to show the learner's badges with their current state on the provider, and by
    ``awards sync``.

    :param connection: the connection the badge came through.
    :param provider_badge_id: the id ``issue_badge`` returned.
    :return: the badge, its ``state`` in the provider's words (Credly: ``revoked``, ``accepted``).
    :raises ProviderRefused: the provider does not know the badge; with ``status=404`` the host
        records it as deleted on the provider.
    """


@hookspec(firstresult=True)
def revoke_badge(connection: Connection, provider_badge_id: str, reason: str) -> IssuedBadge:
    """Revoke an issued badge on the provider (optional).

    Called by ``awards revoke``.

    :param connection: the connection the badge came through.
    :param provider_badge_id: the id ``issue_badge`` returned.
    :param reason: why, in the admin's words; providers that require a reason get this one.
    :return: the badge after revocation.
    :raises ProviderRefused: the provider does not know the badge.
    """
