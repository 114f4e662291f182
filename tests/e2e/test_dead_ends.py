"""No dead ends: everything the command line adds it can also take out, and awards can be found.

Every test drives the installed ``badgebridge`` against the mock and checks what the mock holds.
"""

from __future__ import annotations

import csv
import io

import pytest

from tests.e2e.conftest import one_line_error

pytestmark = pytest.mark.e2e

EMAIL = "noor@example.org"
OTHER = "sami@example.org"


@pytest.fixture
def setup(cli, credly_mock):
    """An organization with two templates, connected and imported, and two learners."""
    org = credly_mock.create_organization("Dead Ends Org")
    for name in ("Speaker", "Lead"):
        credly_mock.create_template(org["id"], name)
    cli.connect(credly_mock, org["id"], org["token"])
    cli.ok("badges", "import", "credly-main")
    badge_ids = {b["name"]: b["id"] for b in cli.json("badges", "list")}
    cli.ok("learners", "add", EMAIL, "--first-name", "Noor", "--last-name", "Haddad")
    cli.ok("learners", "add", OTHER, "--first-name", "Sami", "--last-name", "Aziz")
    return badge_ids


def mock_badges(credly_mock, email):
    return [b for b in credly_mock.state()["badges"] if b["recipient_email"] == email]


def test_a_badge_nothing_refers_to_is_removed_and_one_with_awards_only_retired(cli, credly_mock, setup):
    cli.ok("awards", "grant", "--badge", setup["Speaker"], "--learner", EMAIL)
    refused = one_line_error(cli("badges", "remove", setup["Speaker"]))
    (award,) = cli.json("awards", "list")
    assert f"award(s) {award['id']}" in refused and "badges retire" in refused
    assert "retired" in cli.ok("badges", "retire", setup["Speaker"]).stdout
    assert "nothing changed" in cli.ok("badges", "retire", setup["Speaker"]).stdout
    (retired,) = cli.json("badges", "list", "--state", "retired")
    assert retired["id"] == setup["Speaker"]
    again = cli("awards", "grant", "--badge", setup["Speaker"], "--learner", OTHER)
    assert "retired" in one_line_error(again)

    cli.ok("learning-objects", "add", "--course", "C1", "--name", "Leading")
    cli.ok("assign", "--badge", setup["Lead"], "--course", "C1")
    refused = one_line_error(cli("badges", "remove", setup["Lead"]))
    assert "learning object(s) course:C1" in refused and "unassign" in refused
    cli.ok("unassign", "--badge", setup["Lead"], "--course", "C1")
    assert "removed" in cli.ok("badges", "remove", setup["Lead"]).stdout
    assert [b["id"] for b in cli.json("badges", "list")] == [setup["Speaker"]]
    assert len(mock_badges(credly_mock, EMAIL)) == 1


def test_empty_listings_say_what_matched_nothing(cli, setup):
    assert cli.ok("badges", "list", "--state", "retired").stdout.strip() == "no retired badges"
    assert "catalog is empty" not in cli.ok("badges", "list", "--connection", "other").stdout


def test_unassign_stops_later_completions_earning_and_keeps_earlier_awards(cli, credly_mock, setup):
    cli.ok("learning-objects", "add", "--course", "C1", "--name", "Speaking")
    cli.ok("assign", "--badge", setup["Speaker"], "--course", "C1")
    cli.ok("complete", EMAIL, "--course", "C1")
    detached = cli.ok("unassign", "--badge", setup["Speaker"], "--course", "C1")
    assert f"Detached badge {setup['Speaker']!r} from course 'C1'." in detached.stdout
    assert "nothing changed" in cli.ok("unassign", "--badge", setup["Speaker"], "--course", "C1").stdout
    cli.ok("complete", OTHER, "--course", "C1")
    assert len(mock_badges(credly_mock, EMAIL)) == 1
    assert mock_badges(credly_mock, OTHER) == []

    cli.ok("skills", "create", "Leadership", "--badge", setup["Lead"], "--max-credits", "2")
    cli.ok("assign", "--skill", "leadership", "--credits", "1", "--course", "C1")
    refused = one_line_error(cli("skills", "remove", "leadership"))
    assert "course:C1 (level 1)" in refused and "unassign --skill leadership" in refused
    cli.ok("unassign", "--skill", "leadership", "--level", "1", "--course", "C1")
    (course,) = cli.json("learning-objects", "list")
    assert (course["badge_id"], course["skill_credits"]) == (None, [])
    assert "removed" in cli.ok("skills", "remove", "leadership").stdout
    assert cli.json("skills", "list") == []
    assert "give exactly one of --badge and --skill" in one_line_error(cli("unassign", "--course", "C1"))


def test_a_completed_learning_object_is_removed_only_with_force(cli, credly_mock, setup):
    cli.ok("learning-objects", "add", "--course", "C1", "--name", "Speaking")
    cli.ok("assign", "--badge", setup["Speaker"], "--course", "C1")
    cli.ok("complete", EMAIL, "--course", "C1")
    refused = one_line_error(cli("learning-objects", "remove", "--course", "C1"))
    assert "1 completion(s)" in refused and "--force" in refused
    removed = cli.ok("learning-objects", "remove", "--course", "C1", "--force")
    assert "removed with 1 completion(s)" in removed.stdout
    assert cli.json("learning-objects", "list") == []
    (award,) = cli.json("awards", "list")
    assert award["state"] == "issued", "awards are history and stay"
    assert len(mock_badges(credly_mock, EMAIL)) == 1
    assert "no course" in one_line_error(cli("learning-objects", "remove", "--course", "C1"))


def test_erasing_a_learner_revokes_on_the_provider_and_deletes_their_data(cli, credly_mock, setup):
    cli.ok("learning-objects", "add", "--course", "C1", "--name", "Speaking")
    cli.ok("assign", "--badge", setup["Speaker"], "--course", "C1")
    cli.ok("complete", EMAIL, "--course", "C1")
    cli.ok("complete", OTHER, "--course", "C1")
    refused = one_line_error(cli("learners", "remove", EMAIL, input=""))
    assert "--yes" in refused
    assert len(cli.json("awards", "list")) == 2

    erased = cli.ok("learners", "remove", EMAIL, "--on-provider", "--yes")
    assert "1 award(s) and 1 completion(s) deleted, 1 revoked on the provider first" in erased.stdout
    (held,) = mock_badges(credly_mock, EMAIL)
    assert held["state"] == "revoked"
    assert [a["learner_email"] for a in cli.json("awards", "list")] == [OTHER]
    assert [lr["email"] for lr in cli.json("learners", "list")] == [OTHER]
    assert "no learner" in one_line_error(cli("learners", "badges", EMAIL))

    local_only = cli.ok("learners", "remove", OTHER, "--yes")
    assert "revoked" not in local_only.stdout
    (theirs,) = mock_badges(credly_mock, OTHER)
    assert theirs["state"] != "revoked", "without --on-provider the provider keeps its badge"


def test_erasure_deletes_nothing_when_the_provider_cannot_revoke(cli, credly_mock, setup):
    cli.ok("awards", "grant", "--badge", setup["Speaker"], "--learner", EMAIL)
    credly_mock.set_faults(error_rate=1.0)
    failed = one_line_error(cli("learners", "remove", EMAIL, "--on-provider", "--yes"))
    assert "revoking award" in failed
    assert [a["state"] for a in cli.json("awards", "list")] == ["issued"]
    assert EMAIL in [lr["email"] for lr in cli.json("learners", "list")]


def test_connections_remove_names_what_holds_it_and_force_keeps_history(cli, credly_mock, setup):
    cli.ok("awards", "grant", "--badge", setup["Speaker"], "--learner", EMAIL)
    refused = one_line_error(cli("connections", "remove", "credly-main"))
    assert setup["Speaker"] in refused and "badges remove" in refused and "--force" in refused
    removed = cli.ok("connections", "remove", "credly-main", "--force")
    assert "2 badge(s) retired and kept without a connection" in removed.stdout
    assert cli.json("connections", "list") == []
    assert {b["state"] for b in cli.json("badges", "list")} == {"Retired"}
    (award,) = cli.json("awards", "list")
    assert (award["state"], award["connection"]) == ("issued", None)
    assert len(mock_badges(credly_mock, EMAIL)) == 1


def test_awards_list_filters_and_shows_attempts_and_next_attempt(cli, credly_mock, setup):
    cli.ok("learning-objects", "add", "--course", "C1", "--name", "Speaking")
    cli.ok("assign", "--badge", setup["Speaker"], "--course", "C1")
    cli.ok("complete", EMAIL, "--course", "C1", "--date", "2024-05-01T10:00:00")
    cli.ok("awards", "grant", "--badge", setup["Lead"], "--learner", OTHER, "--date", "2024-06-01T10:00:00")
    by = {
        args: [a["learner_email"] for a in cli.json("awards", "list", *args)]
        for args in (
            ("--badge", setup["Lead"]),
            ("--course", "C1"),
            ("--connection", "credly-main"),
            ("--connection", "elsewhere"),
            ("--since", "2024-05-15"),
            ("--until", "2024-05-15"),
            ("--since", "2024-05-01", "--until", "2024-06-01"),
            ("--learner", OTHER.upper()),
        )
    }
    assert by == {
        ("--badge", setup["Lead"]): [OTHER],
        ("--course", "C1"): [EMAIL],
        ("--connection", "credly-main"): [EMAIL, OTHER],
        ("--connection", "elsewhere"): [],
        ("--since", "2024-05-15"): [OTHER],
        ("--until", "2024-05-15"): [EMAIL],
        ("--since", "2024-05-01", "--until", "2024-06-01"): [EMAIL],
        ("--learner", OTHER.upper()): [OTHER],
    }
    table = cli.ok("awards", "list").stdout.splitlines()
    assert "ATTEMPTS" in table[0] and "NEXT_ATTEMPT_AT" in table[0]
    assert cli.ok("awards", "list", "--connection", "elsewhere").stdout.strip() == "no awards match"
    (first, _) = cli.json("awards", "list")
    assert {"attempts", "next_attempt_at", "provider_badge_id"} <= first.keys()
    both = one_line_error(cli("awards", "list", "--course", "C1", "--certification", "X"))
    assert "at most one of" in both


def test_awards_show_prints_every_field(cli, credly_mock, setup):
    cli.ok("awards", "grant", "--badge", setup["Speaker"], "--learner", EMAIL)
    (award,) = cli.json("awards", "list")
    shown = cli.json("awards", "show", str(award["id"]))
    assert shown["provider_badge_id"] == mock_badges(credly_mock, EMAIL)[0]["id"]
    assert [(a["action"], a["outcome"]) for a in shown.pop("history")] == [("issue", "issued")]
    text = cli.ok("awards", "show", str(award["id"])).stdout
    for key in shown:
        assert any(line.startswith(key + " ") for line in text.splitlines()), key
    assert any(line.split()[1:3] == ["issue", "issued"] for line in text.splitlines() if line[:1].isdigit())
    assert "no award with id 999" in one_line_error(cli("awards", "show", "999"))


def test_awards_export_writes_csv_to_stdout_or_a_file(cli, credly_mock, setup, tmp_path):
    cli.ok("awards", "grant", "--badge", setup["Speaker"], "--learner", EMAIL)
    cli.ok("awards", "grant", "--badge", setup["Lead"], "--learner", OTHER)
    rows = list(csv.DictReader(io.StringIO(cli.ok("awards", "export", "--format", "csv").stdout)))
    on_mock = {b["id"] for b in credly_mock.state()["badges"]}
    assert {r["provider_badge_id"] for r in rows} == on_mock
    assert [r["learner_email"] for r in rows] == [EMAIL, OTHER]
    target = tmp_path / "lead.csv"
    written = cli.ok("awards", "export", "--badge", setup["Lead"], "--output", str(target))
    assert "Wrote 1 award(s)" in written.stdout
    (only,) = csv.DictReader(target.open(encoding="utf-8"))
    assert (only["learner_email"], only["state"], only["attempts"]) == (OTHER, "issued", "1")


def test_learners_badges_shows_the_award_id_revoke_needs(cli, setup):
    cli.ok("awards", "grant", "--badge", setup["Speaker"], "--learner", EMAIL)
    (award,) = cli.json("awards", "list")
    table = cli.ok("learners", "badges", EMAIL, "--no-refresh").stdout.splitlines()
    assert table[0].split()[0] == "ID" and table[1].split()[0] == str(award["id"])
    revoked = cli.ok("awards", "revoke", str(award["id"]), "--reason", "mistake")
    assert revoked.stdout.strip() == f"Award {award['id']} revoked on the provider."
