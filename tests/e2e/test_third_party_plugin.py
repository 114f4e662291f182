"""A provider plugin that is not ours, installed the way any plugin is: an entry point.

The plugin is the README's example. It is made importable with a ``.dist-info`` folder on
PYTHONPATH that declares it under the ``badgebridge`` entry-point group, and the CLI then runs
connect, import and issue through it without a line of ``core/`` knowing about it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import one_line_error

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example_plugin() -> str:
    """The plugin the README shows under ``<!-- example-plugin -->``, so the example stays true."""
    text = README.read_text()
    block = text.split("<!-- example-plugin -->", 1)[1].split("```python\n", 1)[1]
    return block.split("```", 1)[0]


@pytest.fixture
def acme(cli, tmp_path):
    site = tmp_path / "site"
    (site / "acme_badges-0.1.dist-info").mkdir(parents=True)
    (site / "acme_badges.py").write_text(readme_example_plugin())
    (site / "acme_badges-0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-badges\nVersion: 0.1\n"
    )
    (site / "acme_badges-0.1.dist-info" / "entry_points.txt").write_text(
        "[badgebridge]\nacme = acme_badges\n"
    )
    cli.env["PYTHONPATH"] = str(site)
    return tmp_path / "acme-store.json"


def test_third_party_provider_runs_connect_import_issue_through_the_cli(cli, acme):
    (plugin,) = [p for p in cli.json("plugins") if p["providers"] == ["acme"]]
    assert plugin == {
        "name": "acme",
        "version": "0.1",
        "hooks": ["connect", "declare_provider", "import_badges", "issue_badge"],
        "providers": ["acme"],
    }
    bad = cli(
        "connections",
        "add",
        "acme",
        "--provider",
        "acme",
        "--store",
        str(acme),
        "--api-key-env",
        "K",
        env={"K": "wrong-key"},
    )
    assert "Acme says: bad key" in one_line_error(bad)

    cli.ok(
        "connections",
        "add",
        "acme",
        "--provider",
        "acme",
        "--store",
        str(acme),
        "--api-key-env",
        "K",
        env={"K": "acme-key-42"},
    )
    assert "2 active badge(s)" in cli.ok("badges", "import", "acme").stdout
    rocket = next(b for b in cli.json("badges", "list") if b["name"] == "Rocket Scientist")
    assert (rocket["external_badge_provider"], rocket["external_badge_id"]) == ("acme", "tpl-1")
    cli.ok("learners", "add", "wile@example.org", "--first-name", "Wile", "--last-name", "Coyote")
    cli.ok("awards", "grant", "--badge", rocket["id"], "--learner", "wile@example.org")

    (held,) = json.loads(acme.read_text())
    assert (held["template"], held["email"]) == ("tpl-1", "wile@example.org")
    (award,) = cli.json("awards", "list")
    assert (award["state"], award["provider_badge_id"]) == ("issued", "acme-1")


def test_a_credly_setting_given_to_another_provider_is_refused(cli, acme):
    result = cli(
        "connections",
        "add",
        "acme",
        "--provider",
        "acme",
        "--store",
        str(acme),
        "--org-id",
        "x",
        "--api-key-env",
        "K",
        env={"K": "acme-key-42"},
    )
    assert "the Acme Badges provider has no setting 'org_id'" in one_line_error(result)


def test_a_plugin_that_fails_to_import_is_named_and_the_others_keep_working(cli, tmp_path):
    site = tmp_path / "broken-site"
    (site / "broken_plugin-0.1.dist-info").mkdir(parents=True)
    (site / "broken_plugin.py").write_text("raise RuntimeError('boom at import')\n")
    (site / "broken_plugin-0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n"
    )
    (site / "broken_plugin-0.1.dist-info" / "entry_points.txt").write_text(
        "[badgebridge]\nbroken = broken_plugin\n"
    )
    result = cli.ok("plugins", "--json", env={"PYTHONPATH": str(site)})
    assert "plugin 'broken' failed to load: RuntimeError: boom at import" in result.stderr
    assert [p["name"] for p in json.loads(result.stdout)] == ["credly"]


def test_an_unexpected_plugin_exception_is_recorded_as_an_internal_error_and_shows_its_traceback(cli, acme):
    """A bug in a plugin (here: the README's plugin, its store path a folder) is no provider
    failure: the award is failed with what was raised, and the command shows the traceback."""
    acme.mkdir()  # writing the store now raises IsADirectoryError: a bug, not a ProviderError
    cli.ok(
        "connections",
        "add",
        "acme",
        "--provider",
        "acme",
        "--store",
        str(acme),
        "--api-key-env",
        "K",
        env={"K": "acme-key-42"},
    )
    cli.ok("badges", "import", "acme")
    rocket = next(b for b in cli.json("badges", "list") if b["name"] == "Rocket Scientist")
    cli.ok("learners", "add", "wile@example.org", "--first-name", "Wile", "--last-name", "Coyote")
    result = cli("awards", "grant", "--badge", rocket["id"], "--learner", "wile@example.org")
    assert result.returncode != 0
    assert "Traceback (most recent call last)" in result.stderr
    assert "IsADirectoryError" in result.stderr
    (award,) = cli.json("awards", "list")
    assert award["state"] == "failed"
    assert award["error"].startswith("internal error: IsADirectoryError")
