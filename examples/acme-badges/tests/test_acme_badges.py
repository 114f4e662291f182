"""Acme Badges against badgebridge's conformance kit: ``python -m pytest``."""

import json

import pytest

from badgebridge.testing import ProviderContract

KEY = "acme-key-42"


@pytest.fixture
def store(tmp_path):
    """A fresh Acme "server" with two active templates and a retired one."""
    path = tmp_path / "acme.json"
    templates = [
        {"id": "tpl-1", "name": "Rocket Scientist"},
        {"id": "tpl-2", "name": "Anvil Expert"},
        {"id": "tpl-3", "name": "Retired Roadrunner", "state": "retired"},
    ]
    path.write_text(
        json.dumps({"account": "Acme Academy", "api_key": KEY, "templates": templates, "badges": []})
    )
    return path


class TestAcme(ProviderContract):
    provider = "acme"

    @pytest.fixture
    def good_settings(self, store):
        return {"store": str(store), "api_key": KEY}

    @pytest.fixture
    def bad_credentials(self, store):
        return {"store": str(store), "api_key": "not-the-key"}

    @pytest.fixture
    def unreachable_settings(self, tmp_path):
        return {"store": str(tmp_path / "nowhere" / "acme.json"), "api_key": KEY}

    @pytest.fixture
    def expected_badge_ids(self):
        return {"tpl-1", "tpl-2"}
