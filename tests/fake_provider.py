"""An in-test provider plugin: a dict-backed catalog and badge store with scriptable failures."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from badgebridge import hookimpl
from badgebridge.core.errors import AlreadyIssued, AuthenticationFailed, ProviderRefused
from badgebridge.core.model import ConnectionInfo, IssuedBadge, ProviderBadge, ProviderDeclaration

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["account", "api_key"],
    "properties": {
        "account": {"type": "string", "minLength": 1, "title": "Account"},
        "api_key": {"type": "string", "minLength": 8, "writeOnly": True, "title": "API key"},
        "host": {"type": "string", "format": "host", "default": "fake.example.org"},
    },
}


EXPIRING_SCHEMA = SCHEMA | {
    "properties": SCHEMA["properties"]
    | {"api_key": SCHEMA["properties"]["api_key"] | {"x-expires-after-days": 180}}
}
"""The settings of a provider whose API keys expire 180 days after they are set, as Credly's do."""


@dataclass(eq=False)
class FakeProvider:
    """Register with ``PluginHost.register(FakeProvider(), "fake")``.

    ``failures`` is a queue of exceptions the next ``issue_badge`` calls raise, in order; the
    provider enforces one badge per (template, recipient) like Credly does.
    """

    key: str = "secret-key-1234"
    templates: list[ProviderBadge] = field(
        default_factory=lambda: [ProviderBadge("t1", "Template One"), ProviderBadge("t2", "Template Two")]
    )
    failures: deque = field(default_factory=deque)
    issued: dict[tuple[str, str], IssuedBadge] = field(default_factory=dict)
    issue_calls: int = 0
    create_despite_failure: bool = False  # the failure happens after the badge was created
    on_issue: Callable[[], None] | None = None  # called at the start of every issue_badge
    lookups: int = 0
    lookup_failures: deque = field(default_factory=deque)  # raised by the next find_badge calls

    @hookimpl
    def declare_provider(self):
        return ProviderDeclaration(name="fake", title="Fake", settings_schema=SCHEMA)

    def _check(self, connection):
        if connection.settings["api_key"].reveal() != self.key:
            raise AuthenticationFailed("Fake refused the key", status=401)

    @hookimpl
    def connect(self, connection):
        self._check(connection)
        return ConnectionInfo(account_name=f"Account {connection.settings['account']}", account_id="acc-1")

    @hookimpl
    def import_badges(self, connection):
        self._check(connection)
        return iter(self.templates)

    @hookimpl
    def issue_badge(self, connection, request):
        self._check(connection)
        if self.on_issue is not None:
            self.on_issue()
        self.issue_calls += 1
        key = (request.external_badge_id, request.recipient.email)
        if self.failures:
            error = self.failures.popleft()
            if self.create_despite_failure:
                self.issued.setdefault(key, IssuedBadge(f"b{len(self.issued) + 1}", "pending", "https://x/b"))
            raise error
        if key in self.issued:
            raise AlreadyIssued("already has this badge", status=422)
        self.issued[key] = IssuedBadge(
            f"b{len(self.issued) + 1}", "pending", f"https://fake/b{len(self.issued) + 1}"
        )
        return self.issued[key]

    @hookimpl
    def find_badge(self, connection, request):
        self.lookups += 1
        if self.lookup_failures:
            raise self.lookup_failures.popleft()
        return self.issued.get((request.external_badge_id, request.recipient.email))

    @hookimpl
    def fetch_badge(self, connection, provider_badge_id):
        for badge in self.issued.values():
            if badge.provider_badge_id == provider_badge_id:
                return badge
        raise ProviderRefused(f"no badge {provider_badge_id}", status=404)

    @hookimpl
    def revoke_badge(self, connection, provider_badge_id, reason):
        for key, badge in self.issued.items():
            if badge.provider_badge_id == provider_badge_id:
                self.issued[key] = IssuedBadge(badge.provider_badge_id, "revoked", badge.url)
                return self.issued[key]
        raise AssertionError(provider_badge_id)
