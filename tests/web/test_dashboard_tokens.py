"""The dashboard's "tokens near expiry": a provider that expires its secrets after N days
(``x-expires-after-days``, 180 for Credly) gets a line 30 days before, with the host's clock moved
by hand."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from badgebridge import hookimpl
from badgebridge.core.model import ProviderDeclaration
from badgebridge.core.plugin_manager import PluginHost
from badgebridge.core.services import connections
from badgebridge.web import create_app
from tests.fake_provider import EXPIRING_SCHEMA, FakeProvider
from tests.web.conftest import ADMIN, Session

SETTINGS = {"account": "acme", "api_key": "secret-key-1234"}


@dataclass(eq=False)
class ExpiringProvider(FakeProvider):
    @hookimpl
    def declare_provider(self):
        return ProviderDeclaration(name="fake", title="Fake", settings_schema=EXPIRING_SCHEMA)


@pytest.fixture
def fake() -> ExpiringProvider:
    return ExpiringProvider()


@pytest.fixture(autouse=True)
def clock(manual_clock):
    """Every fixture and the console read the hand-moved clock."""
    return manual_clock


def near_expiry(admin) -> list[tuple[str, ...]]:
    page = admin.text("/")
    section = page.split('id="tokens-near-expiry"')[1].split("</section>")[0]
    return [
        tuple(re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row))
        for row in re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>")[1])
    ]


def token_expires_column(admin) -> dict[str, str]:
    page = admin.text("/")
    section = page.split("<h2>Connections</h2>")[1].split("</section>")[0]
    rows = re.findall(r"<tr><td>([^<]+)</td><td>[^<]*</td><td>[^<]*</td><td>([^<]+)</td></tr>", section)
    return dict(rows)


def test_tokens_are_listed_from_30_days_before_they_expire(admin, db, host, clock):
    connections.add(db, host, "old", "fake", SETTINGS)  # set on 2030-01-01
    clock.advance(days=100)
    connections.add(db, host, "fresh", "fake", SETTINGS)  # set on 2030-04-11
    clock.advance(days=49)  # old is 149 days old
    assert near_expiry(admin) == [("No token expires within 30 days.",)]
    assert token_expires_column(admin) == {"old": "2030-06-30", "fresh": "2030-10-08"}

    clock.advance(days=2)  # 151 days
    assert near_expiry(admin) == [("old", "api_key", "2030-01-01", "2030-06-30", "29")]
    clock.advance(days=30)  # 181 days: expired; fresh is 81 days old
    assert near_expiry(admin) == [("old", "api_key", "2030-01-01", "2030-06-30", "expired")]
    clock.advance(days=69)  # fresh is 150 days old
    assert near_expiry(admin) == [
        ("old", "api_key", "2030-01-01", "2030-06-30", "expired"),
        ("fresh", "api_key", "2030-04-11", "2030-10-08", "30"),
    ]


def test_a_rotated_token_leaves_the_list(admin, db, host, clock, fake):
    connections.add(db, host, "c1", "fake", SETTINGS)
    clock.advance(days=170)
    assert [row[0] for row in near_expiry(admin)] == ["c1"]
    fake.key = "a-new-key-5678"
    connections.update_settings(db, host, "c1", {"api_key": "a-new-key-5678"})
    assert near_expiry(admin) == [("No token expires within 30 days.",)]
    assert token_expires_column(admin) == {"c1": "2030-12-17"}


def test_a_provider_that_declares_no_lifetime_is_never_near_expiry(app, db, clock, tmp_path):
    plain = PluginHost()
    assert plain.register(FakeProvider(), "plain")
    console = create_app(database=db, host=plain, secret_key="k", upload_dir=tmp_path / "uploads")
    admin = Session(console.test_client())
    assert admin.login(*ADMIN).status_code == 302
    connections.add(db, plain, "forever", "fake", SETTINGS)
    clock.advance(days=1000)
    assert near_expiry(admin) == [("No token expires within 30 days.",)]
    assert token_expires_column(admin) == {"forever": "not declared"}


def test_the_expiry_query_gives_dates_soonest_first(db, host, clock):
    connections.add(db, host, "b-later", "fake", SETTINGS)
    clock.advance(days=1)
    connections.add(db, host, "a-sooner-first-added-later", "fake", SETTINGS)
    expiries = connections.secret_expiries(host, connections.all_connections(db))
    assert [(e.connection, e.expires_at.date().isoformat()) for e in expiries] == [
        ("b-later", "2030-06-30"),
        ("a-sooner-first-added-later", "2030-07-01"),
    ]
    assert [e.days_left(clock.now) for e in expiries] == [179, 180]
