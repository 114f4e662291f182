"""Finding, loading and validating provider plugins.

Plugins are published under the ``badgebridge`` entry-point group; the built-in Credly plugin is
registered there too, so it takes the path every plugin takes. Loading is lazy and happens once
(``get_host()``). A plugin that fails to import, or breaks the hook contract, is reported with its
name and left out; the others keep working.

Two environment variables change what loads, on pytest's model (``-p`` and
``PYTEST_DISABLE_PLUGIN_AUTOLOAD``): ``BADGEBRIDGE_PLUGINS`` names extra plugins, comma-separated,
each a path to a module file (``path/to/acme_badges.py``, named after its file) or an importable
module name; ``BADGEBRIDGE_DISABLE_PLUGIN_AUTOLOAD=1`` skips the entry points, the built-in Credly
plugin included.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
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

PLUGINS_ENV = "BADGEBRIDGE_PLUGINS"
DISABLE_AUTOLOAD_ENV = "BADGEBRIDGE_DISABLE_PLUGIN_AUTOLOAD"
FALSE_WORDS = ("", "0", "false", "no", "off")


@dataclass
class PluginInfo:
    """A plugin as ``badgebridge plugins`` shows it: loaded (``error`` None) or left out, and why."""

    name: str
    version: str | None
    hooks: list[str]
    providers: list[str]
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "hooks": self.hooks,
            "providers": self.providers,
            "error": self.error,
        }


PROVIDER_HOOKS = (
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
"""The hooks a ``Provider`` forwards to its plugin, in the hook specs' order (every spec but
``declare_provider``, which the host calls itself)."""


class Provider:
    """One provider's hooks, called on the one plugin that declared it (typed forwarding methods)."""

    def __init__(self, pm: pluggy.PluginManager, plugin: object, declaration: ProviderDeclaration) -> None:
        self.declaration = declaration
        self.name = declaration.name
        self._pm = pm
        self._plugin = plugin
        others = [p for p in pm.get_plugins() if p is not plugin]
        self._hooks = {hook: pm.subset_hook_caller(hook, remove_plugins=others) for hook in PROVIDER_HOOKS}

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

    def find_badge(
        self, connection: Connection, request: IssueRequest, *, after_send: bool = False
    ) -> IssuedBadge | None:
        return self._hooks["find_badge"](connection=connection, request=request, after_send=after_send)

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

    def load_from_environment(self, environ: Mapping[str, str] = os.environ) -> None:
        """What the command line loads: the entry points (unless ``BADGEBRIDGE_DISABLE_PLUGIN_AUTOLOAD``
        is set), then every plugin ``BADGEBRIDGE_PLUGINS`` names; then every declaration is checked."""
        if environ.get(DISABLE_AUTOLOAD_ENV, "").strip().lower() in FALSE_WORDS:
            self.load_entrypoints()
        for item in environ.get(PLUGINS_ENV, "").split(","):
            if item.strip():
                self.load_plugin(item.strip())
        self.providers  # noqa: B018 -- validates the declarations now, so that errors are complete

    def load_entrypoints(self) -> None:
        """Register every plugin published under the entry-point group."""
        for ep in importlib.metadata.entry_points(group=NAME):
            version = ep.dist.version if ep.dist else None
            try:
                plugin = ep.load()
            except Exception as exc:  # any import failure is the plugin's, reported by name
                self._fail(ep.name, f"plugin {ep.name!r} failed to load: {_describe(exc)}", version)
                continue
            self.register(plugin, ep.name, version)

    def load_plugin(self, spec: str) -> bool:
        """Register the plugin module at a file path (``.py``) or with an importable module name."""
        is_path = spec.endswith(".py") or "/" in spec or os.sep in spec
        name = Path(spec).stem if is_path else spec
        try:
            module = _import_file(Path(spec).expanduser(), name) if is_path else importlib.import_module(spec)
        except Exception as exc:  # any import failure is the plugin's, reported by name
            self._fail(name, f"plugin {name!r} failed to load from {spec}: {_describe(exc)}")
            return False
        return self.register(module, name)

    def register(self, plugin: object, name: str, version: str | None = None) -> bool:
        """Register and validate one plugin; on failure, record why and leave it out."""
        if self.pm.has_plugin(name):
            self._fail(name, f"plugin {name!r} is registered twice; the second was left out", version)
            return False
        try:
            self.pm.register(plugin, name=name)
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            self._drop(plugin, name, f"plugin {name!r} breaks the hook contract: {exc}", version)
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
        """The declared providers by name; plugins whose declaration is unusable are left out.

        Built whole before it is published, so a thread that asks while another builds it never
        sees a partial (empty) table.
        """
        if self._providers is None:
            found: dict[str, Provider] = {}
            for impl in self.pm.hook.declare_provider.get_hookimpls():
                name = self.pm.get_name(impl.plugin)
                try:
                    declaration = self._validate(impl.plugin, name, impl.function(), found)
                except PluginError as exc:
                    self._drop(impl.plugin, name, str(exc))
                    continue
                except Exception as exc:  # a declaration that raises is the plugin's fault
                    why = f"plugin {name!r} failed to declare its provider: {_describe(exc)}"
                    self._drop(impl.plugin, name, why)
                    continue
                found[declaration.name] = Provider(self.pm, impl.plugin, declaration)
            self._providers = found
        return self._providers

    def provider(self, name: str) -> Provider:
        """The provider called ``name`` (case-insensitive), or an error naming the installed ones."""
        found = self.providers.get(name.strip().lower())
        if found is None:
            installed = ", ".join(sorted(self.providers)) or "none"
            raise ConfigurationError(f"unknown provider {name!r}; installed providers: {installed}")
        return found

    def plugins(self) -> list[PluginInfo]:
        """The loaded plugins, then those left out (with ``error`` set), each by name."""
        providers_by_plugin: dict[str, list[str]] = {}
        for provider in self.providers.values():
            providers_by_plugin.setdefault(self.pm.get_name(provider._plugin), []).append(provider.name)
        infos = []
        for plugin in self.pm.get_plugins():
            name = self.pm.get_name(plugin)
            hooks = sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or [])
            infos.append(PluginInfo(name, self._versions.get(name), hooks, providers_by_plugin.get(name, [])))
        failed = [PluginInfo(e.plugin or "?", e.version, [], [], str(e)) for e in self.errors]
        return sorted(infos, key=lambda info: info.name) + sorted(failed, key=lambda info: info.name)

    def _validate(
        self, plugin: object, name: str, declaration: Any, taken: dict[str, Provider]
    ) -> ProviderDeclaration:
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
        if declaration.name in taken:
            raise PluginError(f"plugin {name!r}: provider {declaration.name!r} is declared by another plugin")
        return declaration

    def _drop(self, plugin: object, name: str, message: str, version: str | None = None) -> None:
        if self.pm.is_registered(plugin):
            self.pm.unregister(plugin)
        self._fail(name, message, self._versions.pop(name, version))

    def _fail(self, name: str, message: str, version: str | None = None) -> None:
        self.errors.append(PluginError(message, plugin=name, version=version))


def _new_plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(NAME)
    pm.add_hookspecs(hookspecs)
    return pm


def _import_file(path: Path, name: str) -> object:
    """The module in the file at ``path``, imported as ``name`` (and kept in ``sys.modules``)."""
    if not path.is_file():
        raise FileNotFoundError(f"no such file {str(path)!r}")
    loaded = sys.modules.get(name)
    if loaded is not None:
        if Path(getattr(loaded, "__file__", "") or "").resolve() == path.resolve():
            return loaded
        where = getattr(loaded, "__file__", None) or "built in"
        raise ImportError(f"a module named {name!r} is imported already ({where}); rename the file")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{str(path)!r} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


_host: PluginHost | None = None


def get_host() -> PluginHost:
    """The process's plugin host, loaded on first use (``PluginHost.load_from_environment``)."""
    global _host
    if _host is None:
        _host = PluginHost()
        _host.load_from_environment()
    return _host
