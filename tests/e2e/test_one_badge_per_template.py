"""One catalog badge per provider template, whichever came first: the import or the migration."""

from __future__ import annotations

import pytest

from tests.migration.alm import BADGE_HEADER, D, write_csv

pytestmark = pytest.mark.e2e

EMAIL = "ada@example.org"


@pytest.fixture
def org(cli, credly_mock):
    org = credly_mock.create_organization("Template Org")
    templates = {name: credly_mock.create_template(org["id"], name)["id"] for name in ("Speaker", "Lead")}
    cli.connect(credly_mock, org["id"], org["token"])
    cli.ok("learners", "add", EMAIL, "--first-name", "Ada", "--last-name", "Lovelace")
    return templates


def migrate_badges(cli, tmp_path, rows):
    folder = tmp_path / "alm"
    folder.mkdir(exist_ok=True)
    write_csv(folder, "badge.csv", BADGE_HEADER, rows)
    return cli("migrate", str(folder))


def by_template(cli):
    found: dict[str, list[str]] = {}
    for badge in cli.json("badges", "list"):
        found.setdefault(badge["external_badge_id"], []).append(badge["id"])
    return found


def test_migrating_a_template_imported_before_makes_the_migrated_badge_the_one(
    cli, credly_mock, org, tmp_path
):
    cli.ok("badges", "import", "credly-main")
    imported = {b["name"]: b["id"] for b in cli.json("badges", "list")}
    cli.ok("learning-objects", "add", "--course", "C0", "--name", "Speaking")
    cli.ok("assign", "--badge", imported["Speaker"], "--course", "C0")
    cli.ok("awards", "grant", "--badge", imported["Speaker"], "--learner", EMAIL)

    row = ["B1", "Course Star", D, "", "Active", "https://img.example.org/b1.png", org["Speaker"], "Credly"]
    result = migrate_badges(cli, tmp_path, [row])
    assert result.returncode == 0, result.stdout + result.stderr
    assert by_template(cli) == {org["Speaker"]: ["B1"], org["Lead"]: [imported["Lead"]]}
    (award,) = cli.json("awards", "list")
    assert (award["badge_id"], award["state"]) == ("B1", "issued")
    (course,) = cli.json("learning-objects", "list")
    assert course["badge_id"] == "B1"

    again = cli.ok("badges", "import", "credly-main")
    assert "0 new" in again.stdout
    assert by_template(cli) == {org["Speaker"]: ["B1"], org["Lead"]: [imported["Lead"]]}
    on_mock = [b for b in credly_mock.state()["badges"] if b["recipient_email"] == EMAIL]
    assert [b["badge_template"]["id"] for b in on_mock] == [org["Speaker"]]


def test_importing_a_migrated_template_updates_it_instead_of_adding_one(cli, org, tmp_path):
    row = ["B1", "Course Star", D, "", "Active", "b1.png", org["Speaker"], "Credly"]
    assert migrate_badges(cli, tmp_path, [row]).returncode == 0
    result = cli.ok("badges", "import", "credly-main")
    assert "1 new, 1 updated" in result.stdout
    found = by_template(cli)
    assert found[org["Speaker"]] == ["B1"] and len(found) == 2
    (b1,) = [b for b in cli.json("badges", "list") if b["id"] == "B1"]
    assert b1["name"] == "Speaker", "the provider's template name is the one shown"


def test_two_badge_rows_for_one_template_are_a_row_error(cli, org, tmp_path):
    rows = [
        ["B1", "Course Star", D, "", "Active", "b1.png", org["Speaker"], "Credly"],
        ["B2", "Same Star", D, "", "Active", "b2.png", org["Speaker"], "Credly"],
    ]
    result = migrate_badges(cli, tmp_path, rows)
    assert result.returncode != 0
    assert by_template(cli) == {org["Speaker"]: ["B1"]}
    errors = (tmp_path / "alm" / "badge.errors.csv").read_text(encoding="utf-8")
    assert "already the template of badge 'B1'" in errors
