"""A provider plugin that is not ours, through the command line: the example plugin
(``examples/acme-badges``, the module the README shows) loaded from its file with
``BADGEBRIDGE_PLUGINS``, and the other ways plugins load or fail to.

``tests/test_packaging.py`` installs the same example as a distribution of its own.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.acme import EXAMPLE, KEY, drive_acme, plugins_with, write_store
from tests.e2e.conftest import one_line_error

pytestmark = pytest.mark.e2e


@pytest.fixture
def acme(cli, tmp_path):
    cli.env["BADGEBRIDGE_PLUGINS"] = str(EXAMPLE)
    return write_store(tmp_path / "acme-store.json")


def test_a_plugin_loaded_from_its_file_runs_connect_import_issue_through_the_cli(cli, acme):
    (plugin,) = [p for p in cli.json("plugins") if p["providers"] == ["acme"]]
    assert plugin == {
        "name": "acme_badges",
        "version": None,
        "hooks": [
            "connect",
            "declare_provider",
            "fetch_badge",
            "find_badge",
            "import_badges",
            "issue_badge",
            "revoke_badge",
        ],
        "providers": ["acme"],
        "error": None,
    }
    drive_acme(cli, acme)


def test_a_credly_setting_given_to_another_provider_is_refused(cli, acme):
    result = cli(
        *("connections", "add", "shop", "--provider", "acme", "--store", str(acme), "--org-id", "x"),
        *("--api-key-env", "K"),
        env={"K": KEY},
    )
    assert "the Acme Badges provider has no setting 'org_id'" in one_line_error(result)


def test_autoload_off_leaves_only_the_plugins_named_in_the_environment(cli, acme):
    cli.env["BADGEBRIDGE_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    assert [(p["name"], p["providers"]) for p in cli.json("plugins")] == [("acme_badges", ["acme"])]
    refused = cli("connections", "add", "c", "--provider", "credly")
    assert "unknown provider 'credly'; installed providers: acme" in one_line_error(refused)

    both = f"{EXAMPLE},badgebridge.plugins.credly.provider"  # a path and a module name
    listed = plugins_with(cli, BADGEBRIDGE_PLUGINS=both)
    assert [(p["name"], p["providers"]) for p in listed] == [
        ("acme_badges", ["acme"]),
        ("badgebridge.plugins.credly.provider", ["credly"]),
    ]
    assert plugins_with(cli, BADGEBRIDGE_PLUGINS="") == []


def test_autoload_on_by_default_and_when_the_switch_says_off(cli):
    for value in (None, "0", "false"):
        env = {} if value is None else {"BADGEBRIDGE_DISABLE_PLUGIN_AUTOLOAD": value}
        assert [p["name"] for p in plugins_with(cli, **env)] == ["credly"]


def test_plugins_that_fail_to_load_are_listed_with_their_error_and_the_others_work(cli, acme, tmp_path):
    site = tmp_path / "broken-site"
    (site / "broken_plugin-0.1.dist-info").mkdir(parents=True)
    (site / "broken_plugin.py").write_text("raise RuntimeError('boom at import')\n")
    (site / "broken_plugin-0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n"
    )
    (site / "broken_plugin-0.1.dist-info" / "entry_points.txt").write_text(
        "[badgebridge]\nbroken = broken_plugin\n"
    )
    typo = tmp_path / "typo_plugin.py"
    typo.write_text(
        "from badgebridge import hookimpl\n\n@hookimpl\ndef issue_badges(connection, request):\n    pass\n"
    )
    cli.env |= {
        "PYTHONPATH": str(site),
        "BADGEBRIDGE_PLUGINS": f"{EXAMPLE},{tmp_path / 'missing.py'},{typo}",
    }

    result = cli.ok("plugins", "--json")
    listed = {p["name"]: p for p in json.loads(result.stdout)}
    assert [name for name, p in listed.items() if p["error"] is None] == ["acme_badges", "credly"]
    assert listed["broken"] == {
        "name": "broken",
        "version": "0.1",
        "hooks": [],
        "providers": [],
        "error": "plugin 'broken' failed to load: RuntimeError: boom at import",
    }
    assert listed["missing"]["error"].startswith("plugin 'missing' failed to load from ")
    assert "FileNotFoundError: no such file" in listed["missing"]["error"]
    assert "plugin 'typo_plugin' breaks the hook contract" in listed["typo_plugin"]["error"]
    assert "issue_badges" in listed["typo_plugin"]["error"]
    assert "warning: plugin 'broken' failed to load: RuntimeError: boom at import" in result.stderr

    table = cli.ok("plugins").stdout.splitlines()
    assert table[0].split() == ["NAME", "VERSION", "PROVIDERS", "HOOKS", "ERROR"]
    broken_row = next(line for line in table if line.startswith("broken "))
    assert broken_row.split()[:2] == ["broken", "0.1"]
    assert broken_row.endswith("plugin 'broken' failed to load: RuntimeError: boom at import")
    add = ["connections", "add", "shop", "--provider", "acme", "--store", str(acme), "--api-key-env", "K"]
    cli.ok(*add, env={"K": KEY})
    assert "2 active badge(s)" in cli.ok("badges", "import", "shop").stdout
