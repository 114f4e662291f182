"""The Credly plugin passes the conformance kit, against the mock on a real socket."""

from __future__ import annotations

import socket

import pytest

from badgebridge.mock_server.query import DEFAULT_PER
from badgebridge.testing import ProviderContract

TEMPLATES = DEFAULT_PER + 3  # more than one page of the mock's default page size


@pytest.fixture
def organization(credly_mock):
    """An organization with one active template and an archived one."""
    org = credly_mock.create_organization("Contract Org")
    org["active"] = {credly_mock.create_template(org["id"], "Contract Badge 000")["id"]}
    credly_mock.create_template(org["id"], "Archived Badge", state="archived")
    return org


class TestCredly(ProviderContract):
    provider = "credly"

    @pytest.fixture
    def good_settings(self, organization, credly_mock):
        return {"org_id": organization["id"], "token": organization["token"], "host": credly_mock.url}

    @pytest.fixture
    def bad_credentials(self, good_settings):
        return good_settings | {"token": "not-the-token-0000"}

    @pytest.fixture
    def unreachable_settings(self, good_settings):
        with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        return good_settings | {"host": f"http://127.0.0.1:{port}"}

    @pytest.fixture
    def expected_badge_ids(self, organization, credly_mock):
        """More than a page of active templates (only the import test asks for them)."""
        more = [
            credly_mock.create_template(organization["id"], f"Contract Badge {n:03}")
            for n in range(1, TEMPLATES)
        ]
        return organization["active"] | {template["id"] for template in more}
