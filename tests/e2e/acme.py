"""The example plugin (``examples/acme-badges``) driven through a ``badgebridge`` command: shared by
the end-to-end tests (the plugin loaded from its file) and the packaging tests (installed)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import one_line_error

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "acme-badges" / "acme_badges.py"
KEY = "acme-key-42"


def write_store(path: Path) -> Path:
    """An Acme "server": its account, key and templates (the example's module docstring shows the shape)."""
    templates = [{"id": "tpl-1", "name": "Rocket Scientist"}, {"id": "tpl-2", "name": "Anvil Expert"}]
    path.write_text(
        json.dumps({"account": "Acme Academy", "api_key": KEY, "templates": templates, "badges": []})
    )
    return path


def plugins_with(cli, **env: str) -> list[dict]:
    return json.loads(cli.ok("plugins", "--json", env=env).stdout)


def drive_acme(cli, store: Path) -> None:
    """connect (refused, then accepted), import, and a grant that issues on Acme; checks the store."""
    add = ["connections", "add", "shop", "--provider", "acme", "--store", str(store), "--api-key-env", "K"]
    assert "Acme says: bad key" in one_line_error(cli(*add, env={"K": "wrong-key"}))
    cli.ok(*add, env={"K": KEY})
    assert "2 active badge(s)" in cli.ok("badges", "import", "shop").stdout
    rocket = next(b for b in cli.json("badges", "list") if b["name"] == "Rocket Scientist")
    assert (rocket["external_badge_provider"], rocket["external_badge_id"]) == ("acme", "tpl-1")
    cli.ok("learners", "add", "wile@example.org", "--first-name", "Wile", "--last-name", "Coyote")
    cli.ok("awards", "grant", "--badge", rocket["id"], "--learner", "wile@example.org")

    (held,) = json.loads(store.read_text())["badges"]
    assert (held["template"], held["email"], held["state"]) == ("tpl-1", "wile@example.org", "issued")
    (award,) = cli.json("awards", "list")
    assert (award["state"], award["provider_badge_id"]) == ("issued", held["id"])
    assert KEY not in "".join(cli.outputs)
