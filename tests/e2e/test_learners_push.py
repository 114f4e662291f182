"""``learners push``: the platform's learners into the organization's Credly workforce, idempotent."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.e2e.conftest import one_line_error

pytestmark = pytest.mark.e2e

LEARNERS = (("ada@example.org", "Ada", "Lovelace"), ("grace@example.org", "Grace", "Hopper"))


@pytest.fixture
def org(cli, credly_mock):
    org = credly_mock.create_organization("Workforce Org")
    cli.connect(credly_mock, org["id"], org["token"])
    for email, first, last in LEARNERS:
        cli.ok("learners", "add", email, "--first-name", first, "--last-name", last)
    return org


def workforce(credly_mock, org_id: str) -> dict[str, dict]:
    return {
        e["email"]: e for e in credly_mock.state()["employees"] if e.get("organization_id", org_id) == org_id
    }


def test_pushing_adds_the_learners_once(cli, credly_mock, org):
    first = cli.ok("learners", "push", "credly-main")
    assert "2 added, 0 already there, 0 refused." in first.stdout
    held = workforce(credly_mock, org["id"])
    assert sorted(held) == ["ada@example.org", "grace@example.org"]
    learners = {row["email"]: row for row in cli.json("learners", "list")}
    ada = held["ada@example.org"]
    assert (ada["first_name"], ada["last_name"], ada["external_id"]) == (
        "Ada",
        "Lovelace",
        learners["ada@example.org"]["id"],
    )

    again = cli.ok("learners", "push", "credly-main")
    assert "0 added, 2 already there, 0 refused. Nothing changed." in again.stdout
    assert len(credly_mock.state()["employees"]) == 2


def test_pushing_one_learner_and_learners_known_to_credly_already(cli, credly_mock, org):
    with httpx.Client(base_url=f"{credly_mock.url}/v1", auth=(org["token"], ""), timeout=30) as api:
        made = api.post(f"/organizations/{org['id']}/employees", json={"email": "Grace@Example.org"})
        assert made.status_code == 201, made.text
    only = json.loads(
        cli.ok("learners", "push", "credly-main", "--email", "grace@example.org", "--json").stdout
    )
    assert only == [{"email": "grace@example.org", "outcome": "present", "message": ""}]
    rest = json.loads(cli.ok("learners", "push", "credly-main", "--json").stdout)
    assert {r["email"]: r["outcome"] for r in rest} == {
        "ada@example.org": "added",
        "grace@example.org": "present",
    }
    assert len(credly_mock.state()["employees"]) == 2


def test_a_refused_learner_is_reported_and_the_others_still_added(cli, credly_mock, org):
    scripted = httpx.post(
        f"{credly_mock.url}/_mock/script",
        json={"operation": "create_employee", "times": 1, "status": 422},
        timeout=30,
    )
    assert scripted.status_code == 201, scripted.text
    result = cli("learners", "push", "credly-main")
    assert result.returncode == 1
    assert "1 added, 0 already there, 1 refused." in result.stdout
    assert "the provider refused 1 learner(s): ada@example.org" in one_line_error(result)
    assert sorted(workforce(credly_mock, org["id"])) == ["grace@example.org"]
    retried = cli.ok("learners", "push", "credly-main")
    assert "1 added, 1 already there, 0 refused." in retried.stdout
