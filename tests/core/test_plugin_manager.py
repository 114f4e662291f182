"""Loading, validating and choosing provider plugins."""

from __future__ import annotations

import importlib.metadata

import pytest

from badgebridge import hookimpl
from badgebridge.core.errors import ConfigurationError
from badgebridge.core.model import ProviderDeclaration
from badgebridge.core.plugin_manager import PluginHost
from tests.fake_provider import FakeProvider


def test_provider_hooks_are_called_on_the_declaring_plugin_only(host, fake):
    class Other:
        @hookimpl
        def declare_provider(self):
            return ProviderDeclaration(name="other", settings_schema={"type": "object"})

        @hookimpl
        def connect(self, connection):
            raise AssertionError("called for the wrong provider")

        @hookimpl
        def import_badges(self, connection):
            raise AssertionError("called for the wrong provider")

        @hookimpl
        def issue_badge(self, connection, request):
            raise AssertionError("called for the wrong provider")

    assert host.register(Other(), "other-plugin")
    from badgebridge.core.settings import make_connection

    provider = host.provider("fake")
    connection = make_connection("c", provider.declaration, {"account": "a"}, {"api_key": fake.key})
    assert provider.connect(connection).account_name == "Account a"
    assert sorted(host.providers) == ["fake", "other"]
    assert host.provider("other").supports("revoke_badge") is False
    assert provider.supports("revoke_badge") is True


def test_unknown_provider_names_the_installed_ones(host):
    with pytest.raises(ConfigurationError, match=r"unknown provider 'nope'; installed providers: fake"):
        host.provider("nope")


def test_provider_names_are_case_insensitive(host):
    assert host.provider(" FAKE ").name == "fake"


def test_plugin_lacking_a_required_hook_is_left_out_with_its_name():
    class Half:
        @hookimpl
        def declare_provider(self):
            return ProviderDeclaration(name="half", settings_schema={"type": "object"})

        @hookimpl
        def connect(self, connection):
            return None

    plugin_host = PluginHost()
    plugin_host.register(Half(), "half-plugin")
    assert plugin_host.providers == {}
    assert "half-plugin" in str(plugin_host.errors[0])
    assert "import_badges" in str(plugin_host.errors[0])


def test_hookimpl_without_a_spec_is_rejected_at_load_time():
    class Typo:
        @hookimpl
        def issue_badges(self, connection, request):  # not a hook: the spec is issue_badge
            return None

    plugin_host = PluginHost()
    assert plugin_host.register(Typo(), "typo-plugin") is False
    assert "typo-plugin" in str(plugin_host.errors[0])
    assert "issue_badges" in str(plugin_host.errors[0])


def test_invalid_settings_schema_is_reported():
    class BadSchema(FakeProvider):
        @hookimpl
        def declare_provider(self):
            return ProviderDeclaration(name="bad", settings_schema={"type": "nonsense"})

    plugin_host = PluginHost()
    plugin_host.register(BadSchema(), "bad-plugin")
    assert plugin_host.providers == {}
    assert "invalid settings schema" in str(plugin_host.errors[0])


def test_entry_point_that_fails_to_import_is_reported_and_others_load(monkeypatch):
    broken = importlib.metadata.EntryPoint("broken", "no_such_module_xyz", "badgebridge")
    good = importlib.metadata.EntryPoint("credly", "badgebridge.plugins.credly.provider", "badgebridge")
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: [broken, good])
    plugin_host = PluginHost()
    plugin_host.load_entrypoints()
    assert list(plugin_host.providers) == ["credly"]
    assert len(plugin_host.errors) == 1
    assert "plugin 'broken' failed to load: ModuleNotFoundError" in str(plugin_host.errors[0])


def test_plugins_lists_hooks_and_providers(host):
    (info,) = host.plugins()
    assert info.as_dict() == {
        "name": "fake-plugin",
        "version": "1.0",
        "hooks": [
            "connect",
            "declare_provider",
            "fetch_badge",
            "find_badge",
            "import_badges",
            "issue_badge",
            "revoke_badge",
        ],
        "providers": ["fake"],
        "error": None,
    }


def test_plugins_named_in_the_environment_load_from_paths_and_module_names(tmp_path):
    module = tmp_path / "path_plugin.py"
    module.write_text(
        "from tests.fake_provider import FakeProvider\n\n"
        "plugin = FakeProvider()\n"
        "declare_provider, connect = plugin.declare_provider, plugin.connect\n"
        "import_badges, issue_badge = plugin.import_badges, plugin.issue_badge\n"
    )
    same_name_as_stdlib = tmp_path / "json.py"
    same_name_as_stdlib.write_text("")
    plugin_host = PluginHost()
    plugin_host.load_from_environment(
        {
            "BADGEBRIDGE_DISABLE_PLUGIN_AUTOLOAD": "1",
            "BADGEBRIDGE_PLUGINS": f" {module} , badgebridge.plugins.credly.provider,{same_name_as_stdlib},",
        }
    )
    assert sorted(plugin_host.providers) == ["credly", "fake"]
    assert [info.name for info in plugin_host.plugins() if info.error is None] == [
        "badgebridge.plugins.credly.provider",
        "path_plugin",
    ]
    (error,) = plugin_host.errors
    assert (error.plugin, error.version) == ("json", None)
    assert "a module named 'json' is imported already (" in str(error)
    assert str(error).endswith("); rename the file")

    again = PluginHost()  # a second host reuses the module the first imported from that path
    again.load_from_environment(
        {"BADGEBRIDGE_DISABLE_PLUGIN_AUTOLOAD": "yes", "BADGEBRIDGE_PLUGINS": str(module)}
    )
    assert list(again.providers) == ["fake"] and again.errors == []


def test_a_declaration_that_fails_is_listed_with_the_plugins_version():
    class Raising(FakeProvider):
        @hookimpl
        def declare_provider(self):
            raise KeyError("settings.schema.json")

    plugin_host = PluginHost()
    plugin_host.register(Raising(), "raising", "2.1")
    assert plugin_host.providers == {}
    (info,) = plugin_host.plugins()
    assert (info.name, info.version, info.hooks) == ("raising", "2.1", [])
    assert info.error == "plugin 'raising' failed to declare its provider: KeyError: 'settings.schema.json'"
