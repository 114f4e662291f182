"""The error family.

Everything that derives from ``BadgeBridgeError`` is an *expected* failure: the command line prints
its message on one line and exits non-zero. Anything else is a bug and keeps its traceback.

Plugins raise the ``ProviderError`` subclasses; the host raises the others. Messages never carry
a secret: mask it with ``badgebridge.core.secrets.mask`` if a message must refer to one.
"""

from __future__ import annotations


class BadgeBridgeError(Exception):
    """A failure the user can act on; shown as one line."""


# -- raised by provider plugins ---------------------------------------------------------------


class ProviderError(BadgeBridgeError):
    """The provider could not do what was asked.

    :param message: the provider's own words where it gave any.
    :param status: the provider's status code (HTTP status for HTTP providers), if there was one.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class AuthenticationFailed(ProviderError):
    """The provider refused the credentials (wrong, expired or revoked token, wrong environment)."""


class ProviderRefused(ProviderError):
    """The provider understood the request and refused it for good (unknown id, validation failure).

    Sending the same request again will fail again.
    """


class AlreadyIssued(ProviderRefused):
    """The recipient already holds this badge on the provider.

    Not a failure for the host: it asks the plugin's ``find_badge`` hook for the existing badge and
    links the award to it.
    """


class ProviderUnavailable(ProviderError):
    """A transient failure: unreachable host, timeout, rate limit, provider-side error.

    :param retry_after: seconds the provider asked us to wait (``Retry-After``), if it said.
    :param maybe_sent: True when the request may have reached the provider and taken effect
        (e.g. a read timeout after a POST was written); the host then looks the badge up before it
        sends again.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        maybe_sent: bool = False,
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after
        self.maybe_sent = maybe_sent


# -- raised by the host -----------------------------------------------------------------------


class ConfigurationError(BadgeBridgeError):
    """Settings that cannot work: an unknown provider, invalid connection settings."""


class PluginError(BadgeBridgeError):
    """A plugin that cannot be used: it failed to import or breaks the hook contract.

    :param plugin: the plugin's name (its entry point's, or its module's), when known.
    :param version: the version of the distribution that ships it, when known.
    """

    def __init__(self, message: str, *, plugin: str | None = None, version: str | None = None) -> None:
        super().__init__(message)
        self.plugin = plugin
        self.version = version


class NotFound(BadgeBridgeError):
    """A local object (connection, badge, learner, award ...) that does not exist."""


class InvalidInput(BadgeBridgeError):
    """Input that cannot be accepted; the message says where (file, row, column, field) and what."""
