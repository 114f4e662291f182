"""badgebridge: connect a learning platform's badges to external badge providers through plugins.

This is the one import name a provider plugin needs, as in llm and datasette::

    from badgebridge import hookimpl, ProviderDeclaration, ConnectionInfo, IssuedBadge

    @hookimpl
    def declare_provider():
        return ProviderDeclaration(name="acme", title="Acme Badges", settings_schema={...})

The hooks are specified in ``badgebridge.core.hookspecs`` (rendered in ``docs/plugins.md``); the
conformance kit for a plugin's own tests is ``badgebridge.testing.ProviderContract``.

The repository keeps ``core/``, ``plugins/``, ``mock_server/`` and ``cli.py`` at its root; setuptools
installs the root as this package (``package_dir = badgebridge = .``), so they import as
``badgebridge.core``, ``badgebridge.plugins``, ``badgebridge.mock_server`` and ``badgebridge.cli``.
"""

from badgebridge.core.errors import (
    AlreadyIssued,
    AuthenticationFailed,
    BadgeBridgeError,
    ProviderError,
    ProviderRefused,
    ProviderUnavailable,
)
from badgebridge.core.hookspecs import hookimpl
from badgebridge.core.model import (
    Connection,
    ConnectionInfo,
    EventType,
    IssuedBadge,
    IssueRequest,
    ProviderBadge,
    ProviderDeclaration,
    ProviderEvent,
    PushedLearner,
    PushOutcome,
    Recipient,
)
from badgebridge.core.secrets import Secret

__version__ = "0.2.0"

__all__ = [
    "AlreadyIssued",
    "AuthenticationFailed",
    "BadgeBridgeError",
    "Connection",
    "ConnectionInfo",
    "EventType",
    "IssueRequest",
    "IssuedBadge",
    "ProviderBadge",
    "ProviderDeclaration",
    "ProviderError",
    "ProviderEvent",
    "ProviderRefused",
    "ProviderUnavailable",
    "PushOutcome",
    "PushedLearner",
    "Recipient",
    "Secret",
    "__version__",
    "hookimpl",
]
