"""A new award's first attempt from the command line: one issue request, no lookup before it (only a
request that may have landed earlier is looked up), and an award waiting for its retry is not
linked to any badge.

In-process (click's runner), Credly's client routed to the mock app through a counting transport.
"""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import connect_default_organization

EMAIL = "ada@example.org"


@pytest.fixture
def badge_id(bb, counting_credly) -> str:
    connect_default_organization(bb)
    bb("learners", "add", EMAIL, "--first-name", "Ada", "--last-name", "Lovelace")
    return json.loads(bb("badges", "list", "--json"))[0]["id"]


def test_a_new_award_is_issued_with_one_request_and_no_lookup_first(bb, counting_credly, badge_id):
    bb("awards", "grant", "--badge", badge_id, "--learner", EMAIL)

    (award,) = json.loads(bb("awards", "list", "--json"))
    assert (award["state"], award["linked"]) == ("issued", False)
    assert (counting_credly.issues, counting_credly.lookups) == (1, 0)


def test_an_award_whose_issue_never_left_is_retried_without_a_lookup_and_is_not_linked(
    bb, counting_credly, badge_id, manual_clock
):
    counting_credly.refuse_issues = True
    bb("awards", "grant", "--badge", badge_id, "--learner", EMAIL, code=1)

    (award,) = json.loads(bb("awards", "list", "--json"))
    assert (award["state"], award["linked"], award["attempts"]) == ("queued", False, 1)
    assert award["error"]

    counting_credly.refuse_issues = False
    bb("awards", "retry", str(award["id"]))
    (award,) = json.loads(bb("awards", "list", "--json"))
    assert (award["state"], award["linked"]) == ("issued", False)
    assert (counting_credly.issues, counting_credly.lookups) == (2, 0)
