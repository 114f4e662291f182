"""The conformance kit: the tests every provider plugin runs against itself.

A plugin's test module supplies the provider's name and three settings dicts; pytest collects the
inherited tests::

    import pytest
    from badgebridge.testing import ProviderContract

    class TestAcme(ProviderContract):
        provider = "acme"

        @pytest.fixture
        def good_settings(self):
            return {"store": "...", "api_key": "..."}      # settings the provider accepts

        @pytest.fixture
        def bad_credentials(self, good_settings):
            return good_settings | {"api_key": "wrong-key"}  # settings it refuses

        @pytest.fixture
        def unreachable_settings(self, good_settings):
            return good_settings | {"store": "/nowhere/acme.json"}  # settings that reach nothing

The kit loads plugins as the command line does (entry points and ``BADGEBRIDGE_PLUGINS``, see
``badgebridge.core.plugin_manager``) and builds each ``Connection`` as the host does: settings
validated and normalised against the declared schema, secrets wrapped in ``Secret``. Every hook is
called through the host's ``Provider``. A failing test names the hook and what was expected.

The three fixtures may also live in the module or a ``conftest.py``. Overridable in the class:
``expected_badge_ids`` (the external ids ``import_badges`` must yield with the good settings, e.g.
more than one page of them; default: not checked) and ``contract_host`` (the plugin host, if the
plugin is loaded some other way). ``public_settings`` lists settings whose names look secret but
are not. The kit needs pytest (``pip install pytest``; it is not a dependency of badgebridge).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, NoReturn

import jsonschema
import pytest

from badgebridge.core.errors import (
    AlreadyIssued,
    AuthenticationFailed,
    ConfigurationError,
    ProviderError,
    ProviderRefused,
    ProviderUnavailable,
)
from badgebridge.core.model import (
    Connection,
    ConnectionInfo,
    IssuedBadge,
    IssueRequest,
    ProviderBadge,
    Recipient,
)
from badgebridge.core.plugin_manager import PluginHost, Provider
from badgebridge.core.secrets import mask
from badgebridge.core.settings import make_connection, split_secrets, validate_settings

__all__ = ["ProviderContract"]

SECRET_NAME = re.compile(r"token|secret|password|passwd|api_?key|private_?key|credential", re.IGNORECASE)
"""Setting names that say they hold a secret; such a setting must be ``writeOnly``."""
FAMILY = "AuthenticationFailed, ProviderRefused, AlreadyIssued or ProviderUnavailable"
OPTIONAL_HOOKS = ("find_badge", "fetch_badge", "revoke_badge")
UNKNOWN_BADGE = "contract-no-such-badge"
SHORTEST_SECRET = 4  # shorter values would match anywhere; they are not looked for


def _fail(hook: str, expected: str) -> NoReturn:
    pytest.fail(f"{hook}: {expected}", pytrace=False)


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _issued_problem(value: object) -> str | None:
    if not isinstance(value, IssuedBadge):
        return f"expected an IssuedBadge, got {value!r}"
    if not _is_text(value.provider_badge_id):
        return f"expected an IssuedBadge with a provider_badge_id (a non-empty str), got {value!r}"
    if not _is_text(value.state):
        return f"expected an IssuedBadge with a state (a non-empty str), got {value!r}"
    if value.url is not None and not isinstance(value.url, str):
        return f"expected an IssuedBadge whose url is a str or None, got {value!r}"
    return None


def _info_problem(value: object) -> str | None:
    if not isinstance(value, ConnectionInfo) or not _is_text(value.account_name):
        return f"expected a ConnectionInfo with an account_name (a non-empty str), got {value!r}"
    if value.account_id is not None and not isinstance(value.account_id, str):
        return f"expected a ConnectionInfo whose account_id is a str or None, got {value!r}"
    return None


def _badges_problem(value: object) -> str | None:
    if not isinstance(value, list):
        return f"expected an iterable of ProviderBadge, got {value!r}"
    for badge in value:
        if not isinstance(badge, ProviderBadge):
            return f"expected only ProviderBadge items, got {badge!r}"
        if not (_is_text(badge.external_id) and _is_text(badge.name)):
            return f"expected badges with an external_id and a name (non-empty str), got {badge!r}"
        if not (isinstance(badge.description, str) and isinstance(badge.image_url, str)):
            return f"expected badges whose description and image_url are str, got {badge!r}"
        if badge.state.lower() != "active":
            return f"expected only active badges (state 'active'), got {badge!r}"
    ids = [badge.external_id for badge in value]
    repeated = sorted({external_id for external_id in ids if ids.count(external_id) > 1})
    return (
        f"expected each badge once, got {repeated} more than once (a page read twice?)" if repeated else None
    )


RESULTS: dict[str, Callable[[object], str | None]] = {
    "connect": _info_problem,
    "import_badges": _badges_problem,
    "issue_badge": _issued_problem,
    "find_badge": lambda value: None if value is None else _issued_problem(value),
    "fetch_badge": _issued_problem,
    "revoke_badge": _issued_problem,
}
"""What each hook must return: a description of the problem, or None."""


class HookCalls:
    """Calls a provider's hooks through the host and checks every call: what it returns, that any
    failure is in the error family, and that no secret shows in an error, a repr or a log line."""

    def __init__(self, provider: Provider, secrets: Mapping[str, str], caplog: pytest.LogCaptureFixture):
        self.provider = provider
        self.secrets = {value: name for value, name in secrets.items() if len(value) >= SHORTEST_SECRET}
        self.caplog = caplog

    def __call__(self, hook: str, **kwargs: Any) -> Any:
        logged = len(self.caplog.records)
        result, error = self._call(hook, kwargs)
        self._no_secret_logged(hook, logged)
        if isinstance(error, ProviderError):
            self._no_secret(hook, "its error message", str(error))
            self._no_secret(hook, "its error's repr", repr(error))
            for link in (error.__cause__, error.__context__):
                if link is not None:
                    self._no_secret(hook, "the error it chains", f"{link} {link!r}")
            raise error
        if error is not None:
            _fail(
                hook,
                f"raised {type(error).__name__}: {self._scrub(str(error))}; expected a failure in "
                f"badgebridge's error family ({FAMILY}), anything else is shown as a bug",
            )
        self._no_secret(hook, "what it returned", repr(result))
        problem = RESULTS[hook](result)
        if problem:
            _fail(hook, f"returned {self._scrub(repr(result))}: {self._scrub(problem)}")
        return result

    def _call(self, hook: str, kwargs: dict[str, Any]) -> tuple[Any, Exception | None]:
        """(what the hook returned, what it raised); the error is handed out of the ``except`` block so
        that a failing check does not show it (and any secret in it) as the check's context."""
        try:
            result = getattr(self.provider, hook)(**kwargs)
            if (
                hook == "import_badges"
                and isinstance(result, Iterable)
                and not isinstance(result, str | bytes)
            ):
                result = list(result)  # the host may consume it lazily: failures on later pages count too
        except Exception as exc:  # judged by the caller: the family is expected, anything else is a bug
            return None, exc
        return result, None

    def raises(self, hook: str, error: type[ProviderError], why: str, **kwargs: Any) -> ProviderError:
        """The error ``hook`` raised, after checking it is an ``error``."""
        raised: ProviderError | None = None
        try:
            result = self(hook, **kwargs)
        except ProviderError as exc:
            raised = exc
        if raised is None:
            _fail(hook, f"{why}: expected {error.__name__}, but it returned {self._scrub(repr(result))}")
        if not isinstance(raised, error):
            _fail(hook, f"{why}: expected {error.__name__}, got {type(raised).__name__}: {raised}")
        return raised

    def _no_secret(self, hook: str, where: str, text: str) -> None:
        for value, name in self.secrets.items():
            if value in text:
                _fail(
                    hook,
                    f"{where} holds the secret setting {name!r} in full: {self._scrub(text)!r}; "
                    "never put a secret in a message, a repr or a log (mask it with "
                    "badgebridge.core.secrets.mask if it must be referred to)",
                )

    def _no_secret_logged(self, hook: str, since: int) -> None:
        for record in self.caplog.records[since:]:
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
            self._no_secret(hook, f"a log line of logger {record.name!r}", text)

    def _scrub(self, text: str) -> str:
        for value in self.secrets:
            text = text.replace(value, mask(value))
        return text


class ProviderContract:
    """The tests a provider plugin must pass. Subclass it as ``TestSomething``, set ``provider``, and
    define the fixtures ``good_settings``, ``bad_credentials`` and ``unreachable_settings`` (in the
    class, its module or a ``conftest.py``)."""

    provider: str = ""
    """The provider's name, as its declaration gives it (the ``externalBadgeProvider`` value)."""
    public_settings: tuple[str, ...] = ()
    """Settings whose names look like secrets (``token``, ``key`` ...) but are not."""

    # -- what the plugin author supplies: good_settings, bad_credentials, unreachable_settings ----
    # (fixtures of the subclass, of its module or of a conftest.py); these two have defaults:

    @pytest.fixture
    def expected_badge_ids(self) -> set[str] | None:
        """The external ids ``import_badges`` must yield with the good settings (None: any)."""
        return None

    @pytest.fixture
    def contract_host(self) -> PluginHost:
        """The plugins, loaded as the command line loads them."""
        host = PluginHost()
        host.load_from_environment()
        return host

    # -- what the kit builds from it -------------------------------------------------------------

    @pytest.fixture
    def contract_provider(self, contract_host: PluginHost) -> Provider:
        if not self.provider:
            pytest.fail(f"{type(self).__name__} must set provider = '<the provider's name>'", pytrace=False)
        found = contract_host.providers.get(self.provider)
        if found is None:
            errors = "; ".join(str(error) for error in contract_host.errors) or "none"
            installed = ", ".join(sorted(contract_host.providers)) or "none"
            _fail(
                "declare_provider",
                f"no plugin declares the provider {self.provider!r} (installed providers: {installed}; "
                f"plugins left out: {errors})",
            )
        return found

    @pytest.fixture
    def good_connection(self, contract_provider: Provider, good_settings: dict) -> Connection:
        return self._connection(contract_provider, "good_settings", good_settings)

    @pytest.fixture
    def bad_connection(self, contract_provider: Provider, bad_credentials: dict) -> Connection:
        return self._connection(contract_provider, "bad_credentials", bad_credentials)

    @pytest.fixture
    def unreachable_connection(self, contract_provider: Provider, unreachable_settings: dict) -> Connection:
        return self._connection(contract_provider, "unreachable_settings", unreachable_settings)

    @pytest.fixture
    def provider_hooks(
        self,
        contract_provider: Provider,
        good_settings: dict,
        bad_credentials: dict,
        unreachable_settings: dict,
        caplog: pytest.LogCaptureFixture,
    ) -> HookCalls:
        caplog.set_level(logging.DEBUG)
        secret = contract_provider.declaration.secret_settings
        values = {
            str(settings[name]): name
            for settings in (good_settings, bad_credentials, unreachable_settings)
            for name in secret
            if settings.get(name)
        }
        return HookCalls(contract_provider, values, caplog)

    @pytest.fixture
    def issue_request(self, provider_hooks: HookCalls, good_connection: Connection) -> IssueRequest:
        """A request for the first badge the good settings import, to a recipient of its own."""
        badges = provider_hooks("import_badges", connection=good_connection)
        if not badges:
            _fail("import_badges", "yielded no badge with good_settings; the kit needs one to issue")
        return self.request_for(badges[0].external_id)

    @staticmethod
    def request_for(external_badge_id: str) -> IssueRequest:
        """A request for ``external_badge_id`` to a recipient nobody issued anything to."""
        tag = uuid.uuid4().hex[:12]
        recipient = Recipient(f"contract-{tag}@example.org", "Contract", f"Learner {tag}", f"learner-{tag}")
        return IssueRequest(
            f"award-{tag}", external_badge_id, recipient, datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
        )

    def _connection(self, provider: Provider, fixture: str, settings: Mapping[str, Any]) -> Connection:
        try:
            cleaned = validate_settings(provider.declaration, settings)
        except ConfigurationError as exc:
            pytest.fail(f"fixture {fixture}: settings the declared schema refuses: {exc}", pytrace=False)
        plain, secrets = split_secrets(provider.declaration, cleaned)
        return make_connection(f"contract-{fixture}", provider.declaration, plain, secrets)

    def _require(self, provider: Provider, hook: str) -> None:
        if not provider.supports(hook):
            pytest.skip(f"the plugin does not implement the optional hook {hook}")

    # -- declare_provider --------------------------------------------------------------------------

    def test_declare_provider_gives_a_name_a_title_and_a_valid_settings_schema(self, contract_provider):
        declaration = contract_provider.declaration
        if declaration.name != self.provider:
            _fail("declare_provider", f"expected the name {self.provider!r}, got {declaration.name!r}")
        if not _is_text(declaration.title):
            _fail("declare_provider", "expected a title (how people write the provider's name), got none")
        schema = declaration.settings_schema
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as exc:
            _fail("declare_provider", f"expected a valid JSON Schema of the settings: {exc.message}")
        if schema.get("type") != "object" or not isinstance(schema.get("properties"), Mapping):
            _fail("declare_provider", "expected a settings schema of type 'object' with 'properties'")

    def test_declare_provider_marks_every_secret_write_only(self, contract_provider):
        properties = contract_provider.declaration.settings_schema["properties"]
        unmarked = [
            name
            for name, spec in properties.items()
            if SECRET_NAME.search(name) and name not in self.public_settings and not spec.get("writeOnly")
        ]
        if unmarked:
            _fail(
                "declare_provider",
                f'settings {unmarked} look like secrets: expected them marked "writeOnly": true '
                "(or listed in public_settings if they are not secrets)",
            )
        if not contract_provider.declaration.secret_settings:
            _fail("declare_provider", 'expected at least one secret setting marked "writeOnly": true')
        not_text = [
            name
            for name in contract_provider.declaration.secret_settings
            if properties[name].get("type") != "string"
        ]
        if not_text:
            _fail("declare_provider", f"secret settings {not_text}: expected type 'string'")

    # -- connect -------------------------------------------------------------------------------------

    def test_connect_accepts_good_settings(self, provider_hooks, good_connection):
        provider_hooks("connect", connection=good_connection)

    def test_connect_refuses_bad_credentials_with_authentication_failed(self, provider_hooks, bad_connection):
        provider_hooks.raises(
            "connect", AuthenticationFailed, "with bad_credentials", connection=bad_connection
        )

    def test_connect_reports_an_unreachable_provider_as_unavailable(
        self, provider_hooks, unreachable_connection
    ):
        provider_hooks.raises(
            "connect", ProviderUnavailable, "with unreachable_settings", connection=unreachable_connection
        )

    # -- import_badges -------------------------------------------------------------------------------

    def test_import_badges_yields_every_active_badge_well_formed(
        self, provider_hooks, good_connection, expected_badge_ids
    ):
        badges = provider_hooks("import_badges", connection=good_connection)
        if expected_badge_ids is not None:
            got = {badge.external_id for badge in badges}
            missing, extra = sorted(set(expected_badge_ids) - got), sorted(got - set(expected_badge_ids))
            if missing or extra:
                _fail(
                    "import_badges",
                    f"expected the {len(expected_badge_ids)} badges of expected_badge_ids (every page); "
                    f"missing {missing[:10]}{' ...' if len(missing) > 10 else ''}, unexpected {extra[:10]}",
                )

    # -- issue_badge and find_badge ------------------------------------------------------------------

    def test_issue_badge_returns_an_id_and_a_state(self, provider_hooks, good_connection, issue_request):
        provider_hooks("issue_badge", connection=good_connection, request=issue_request)

    def test_issuing_the_same_request_again_gives_the_same_badge(
        self, provider_hooks, contract_provider, good_connection, issue_request
    ):
        first = provider_hooks("issue_badge", connection=good_connection, request=issue_request)
        try:
            again: IssuedBadge | ProviderError = provider_hooks(
                "issue_badge", connection=good_connection, request=issue_request
            )
        except ProviderError as exc:
            again = exc
        if isinstance(again, AlreadyIssued):
            if not contract_provider.supports("find_badge"):
                _fail(
                    "find_badge", "issue_badge raises AlreadyIssued, so the plugin must implement find_badge"
                )
            found = provider_hooks("find_badge", connection=good_connection, request=issue_request)
            if found is None or found.provider_badge_id != first.provider_badge_id:
                _fail("find_badge", f"after AlreadyIssued, expected the first badge {first!r}, got {found!r}")
        elif isinstance(again, ProviderError) or again.provider_badge_id != first.provider_badge_id:
            _fail(
                "issue_badge",
                f"issued again: expected the same badge {first!r} or AlreadyIssued, got {again!r}",
            )

    def test_issue_badge_refuses_an_unknown_badge(self, provider_hooks, good_connection):
        provider_hooks.raises(
            "issue_badge",
            ProviderRefused,
            f"for the unknown badge {UNKNOWN_BADGE!r}",
            connection=good_connection,
            request=self.request_for(UNKNOWN_BADGE),
        )

    def test_find_badge_finds_what_issue_badge_created(
        self, provider_hooks, contract_provider, good_connection, issue_request
    ):
        self._require(contract_provider, "find_badge")
        if provider_hooks("find_badge", connection=good_connection, request=issue_request) is not None:
            _fail("find_badge", "expected None for a recipient who holds no badge")
        issued = provider_hooks("issue_badge", connection=good_connection, request=issue_request)
        found = provider_hooks("find_badge", connection=good_connection, request=issue_request)
        if found is None or found.provider_badge_id != issued.provider_badge_id:
            _fail("find_badge", f"expected the badge issue_badge created, {issued!r}; got {found!r}")

    # -- fetch_badge and revoke_badge ----------------------------------------------------------------

    def test_fetch_badge_reads_an_issued_badge(
        self, provider_hooks, contract_provider, good_connection, issue_request
    ):
        self._require(contract_provider, "fetch_badge")
        issued = provider_hooks("issue_badge", connection=good_connection, request=issue_request)
        fetched = provider_hooks(
            "fetch_badge", connection=good_connection, provider_badge_id=issued.provider_badge_id
        )
        if fetched.provider_badge_id != issued.provider_badge_id:
            _fail("fetch_badge", f"expected the badge {issued.provider_badge_id!r}, got {fetched!r}")
        provider_hooks.raises(
            "fetch_badge",
            ProviderRefused,
            f"for the unknown badge {UNKNOWN_BADGE!r}",
            connection=good_connection,
            provider_badge_id=UNKNOWN_BADGE,
        )

    def test_revoke_badge_revokes_an_issued_badge(
        self, provider_hooks, contract_provider, good_connection, issue_request
    ):
        self._require(contract_provider, "revoke_badge")
        issued = provider_hooks("issue_badge", connection=good_connection, request=issue_request)
        revoked = provider_hooks(
            "revoke_badge",
            connection=good_connection,
            provider_badge_id=issued.provider_badge_id,
            reason="contract",
        )
        if revoked.provider_badge_id != issued.provider_badge_id or revoked.state == issued.state:
            _fail("revoke_badge", f"expected {issued.provider_badge_id!r} in a new state, got {revoked!r}")
        if contract_provider.supports("fetch_badge"):
            now = provider_hooks(
                "fetch_badge", connection=good_connection, provider_badge_id=issued.provider_badge_id
            )
            if now.state != revoked.state:
                _fail("fetch_badge", f"after revoke_badge, expected the state {revoked.state!r}, got {now!r}")
        if contract_provider.supports("find_badge"):
            found = provider_hooks("find_badge", connection=good_connection, request=issue_request)
            if found is not None:
                _fail(
                    "find_badge",
                    f"expected None once the badge is revoked (ignore revoked badges), got {found!r}",
                )

    # -- failures: in the family, and no secret ------------------------------------------------------

    @pytest.mark.parametrize("hook", ["import_badges", "issue_badge", *OPTIONAL_HOOKS])
    @pytest.mark.parametrize(
        ("settings", "error"),
        [("bad_credentials", AuthenticationFailed), ("unreachable_settings", ProviderUnavailable)],
    )
    def test_every_hook_fails_within_the_error_family(
        self, provider_hooks, contract_provider, bad_connection, unreachable_connection, hook, settings, error
    ):
        if hook in OPTIONAL_HOOKS:
            self._require(contract_provider, hook)
        connection = bad_connection if settings == "bad_credentials" else unreachable_connection
        arguments: dict[str, Any] = {"connection": connection}
        if hook in ("issue_badge", "find_badge"):
            arguments["request"] = self.request_for(UNKNOWN_BADGE)
        else:
            arguments |= {"provider_badge_id": UNKNOWN_BADGE} if hook != "import_badges" else {}
        if hook == "revoke_badge":
            arguments["reason"] = "contract"
        provider_hooks.raises(hook, error, f"with {settings}", **arguments)
