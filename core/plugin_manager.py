"""Finding, loading and validating provider plugins.

Plugins are published under the ``badgebridge`` entry-point group; the built-in Credly plugin is
registered there too, so it takes the path every plugin takes. Loading is lazy and happens once
(``get_host()``). A plugin that fails to import, or breaks the hook contract, is reported with its
name and left out; the others keep working.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jsonschema
import pluggy

from badgebridge.core import hookspecs
from badgebridge.core.errors import ConfigurationError, PluginError
from badgebridge.core.hookspecs import NAME, REQUIRED_HOOKS
from badgebridge.core.model import (
    Connection,
    ConnectionInfo,
    IssuedBadge,
    IssueRequest,
    ProviderBadge,
    ProviderDeclaration,
    ProviderEvent,
    PushedLearner,
    Recipient,
)


@dataclass
class PluginInfo:
    """A loaded plugin, as ``badgebridge plugins`` shows it."""

    name: str
    version: str | None
    hooks: list[str]
    providers: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "hooks": self.hooks, "providers": self.providers}


class Provider:
    """One provider's hooks, called on the one plugin that declared it (typed forwarding methods)."""

    def __init__(self, pm: pluggy.PluginManager, plugin: object, declaration: ProviderDeclaration) -> None:
        self.declaration = declaration
        self.name = declaration.name
        self._pm = pm
        self._plugin = plugin
        others = [p for p in pm.get_plugins() if p is not plugin]
        self._hooks = {
            hook: pm.subset_hook_caller(hook, remove_plugins=others)
            for hook in (
                "connect",
                "import_badges",
                "issue_badge",
                "find_badge",
                "fetch_badge",
                "revoke_badge",
                "fetch_event",
                "subscribe_events",
                "rotate_token",
                "push_learners",
            )
        }

    @property
    def title(self) -> str:
        return self.declaration.title or self.declaration.name

    def supports(self, hook: str) -> bool:
        """Whether the plugin implements the (optional) hook."""
        return bool(self._hooks[hook].get_hookimpls())

    def connect(self, connection: Connection) -> ConnectionInfo:
        return self._hooks["connect"](connection=connection)

    def import_badges(self, connection: Connection) -> Iterable[ProviderBadge]:
        return self._hooks["import_badges"](connection=connection)

    def issue_badge(self, connection: Connection, request: IssueRequest) -> IssuedBadge:
        return self._hooks["issue_badge"](connection=connection, request=request)

    def find_badge(self, connection: Connection, request: IssueRequest) -> IssuedBadge | None:
        return self._hooks["find_badge"](connection=connection, request=request)

    def fetch_badge(self, connection: Connection, provider_badge_id: str) -> IssuedBadge:
        return self._hooks["fetch_badge"](connection=connection, provider_badge_id=provider_badge_id)

    def revoke_badge(self, connection: Connection, provider_badge_id: str, reason: str) -> IssuedBadge:
        return self._hooks["revoke_badge"](
            connection=connection, provider_badge_id=provider_badge_id, reason=reason
        )

    def fetch_event(self, connection: Connection, event_id: str) -> ProviderEvent:
        return self._hooks["fetch_event"](connection=connection, event_id=event_id)

    def subscribe_events(self, connection: Connection, url: str) -> str:
        return self._hooks["subscribe_events"](connection=connection, url=url)

    def rotate_token(self, connection: Connection) -> Mapping[str, str]:
        return self._hooks["rotate_token"](connection=connection)

    def push_learners(
        self, connection: Connection, recipients: Sequence[Recipient]
    ) -> Iterable[PushedLearner]:
        return self._hooks["push_learners"](connection=connection, recipients=recipients)


@dataclass
class PluginHost:
    """The plugin manager, the providers it found, and the plugins it had to leave out."""

    pm: pluggy.PluginManager = field(default_factory=lambda: _new_plugin_manager())
    errors: list[PluginError] = field(default_factory=list)
    _versions: dict[str, str | None] = field(default_factory=dict)
    _providers: dict[str, Provider] | None = None

    def load_entrypoints(self) -> None:
        """Register every plugin published under the entry-point group."""
        for ep in importlib.metadata.entry_points(group=NAME):
            version = ep.dist.version if ep.dist else None
            try:
                plugin = ep.load()
            except Exception as exc:  # any import failure is the plugin's, reported by name
                self.errors.append(PluginError(f"plugin {ep.name!r} failed to load: {_describe(exc)}"))
                continue
            self.register(plugin, ep.name, version)

    def register(self, plugin: object, name: str, version: str | None = None) -> bool:
        """Register and validate one plugin; on failure, record why and leave it out."""
        if self.pm.has_plugin(name):
            self.errors.append(PluginError(f"plugin {name!r} is registered twice; the second was left out"))
            return False
        try:
            self.pm.register(plugin, name=name)
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            self._drop(plugin, name, f"breaks the hook contract: {exc}")
            return False
        self._versions[name] = version
        self._providers = None
        return True

    def unregister(self, name: str) -> None:
        self.pm.unregister(name=name)
        self._versions.pop(name, None)
        self._providers = None

    @property
    def providers(self) -> dict[str, Provider]:
        """The declared providers by name; plugins whose declaration is unusable are left out."""
        if self._providers is None:
            self._providers = {}
            for impl in self.pm.hook.declare_provider.get_hookimpls():
                name = self.pm.get_name(impl.plugin)
                try:
                    declaration = self._validate(impl.plugin, name, impl.function())
                except PluginError as exc:
                    self._drop(impl.plugin, name, str(exc))
                    continue
                except Exception as exc:  # a declaration that raises is the plugin's fault
                    self._drop(impl.plugin, name, f"failed to declare its provider: {_describe(exc)}")
                    continue
                self._providers[declaration.name] = Provider(self.pm, impl.plugin, declaration)
        return self._providers

    def provider(self, name: str) -> Provider:
        """The provider called ``name`` (case-insensitive), or an error naming the installed ones."""
        found = self.providers.get(name.strip().lower())
        if found is None:
            installed = ", ".join(sorted(self.providers)) or "none"
            raise ConfigurationError(f"unknown provider {name!r}; installed providers: {installed}")
        return found

    def plugins(self) -> list[PluginInfo]:
        providers_by_plugin: dict[str, list[str]] = {}
        for provider in self.providers.values():
            providers_by_plugin.setdefault(self.pm.get_name(provider._plugin), []).append(provider.name)
        infos = []
        for plugin in self.pm.get_plugins():
            name = self.pm.get_name(plugin)
            hooks = sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or [])
            infos.append(PluginInfo(name, self._versions.get(name), hooks, providers_by_plugin.get(name, [])))
        return sorted(infos, key=lambda info: info.name)

    def _validate(self, plugin: object, name: str, declaration: Any) -> ProviderDeclaration:
        if not isinstance(declaration, ProviderDeclaration):
            raise PluginError(f"plugin {name!r}: declare_provider must return a ProviderDeclaration")
        implemented = {caller.name for caller in self.pm.get_hookcallers(plugin) or []}
        missing = [hook for hook in REQUIRED_HOOKS if hook not in implemented]
        if missing:
            raise PluginError(f"plugin {name!r} declares provider {declaration.name!r} but lacks {missing}")
        if declaration.name != declaration.name.strip().lower() or not declaration.name:
            raise PluginError(f"plugin {name!r}: provider name {declaration.name!r} must be lower-case")
        try:
            jsonschema.Draft202012Validator.check_schema(declaration.settings_schema)
        except jsonschema.SchemaError as exc:
            raise PluginError(f"plugin {name!r}: invalid settings schema: {exc.message}") from None
        if declaration.name in (self._providers or {}):
            raise PluginError(f"plugin {name!r}: provider {declaration.name!r} is declared by another plugin")
        return declaration

    def _drop(self, plugin: object, name: str, why: str) -> None:
        if self.pm.is_registered(plugin):
            self.pm.unregister(plugin)
        self._versions.pop(name, None)
        self.errors.append(PluginError(why if why.startswith("plugin ") else f"plugin {name!r} {why}"))


def _new_plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(NAME)
    pm.add_hookspecs(hookspecs)
    return pm


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


_host: PluginHost | None = None


def get_host() -> PluginHost:
    """The process's plugin host, loaded from entry points on first use."""
    global _host
    if _host is None:
        _host = PluginHost()
        _host.load_entrypoints()
    return _host
