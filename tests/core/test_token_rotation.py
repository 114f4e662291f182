"""Rotating a connection's secret through its provider, and warning before a secret expires."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import update

from badgebridge import hookimpl
from badgebridge.core.clock import utcnow
from badgebridge.core.errors import AuthenticationFailed, BadgeBridgeError, InvalidInput
from badgebridge.core.model import ProviderDeclaration
from badgebridge.core.plugin_manager import PluginHost
from badgebridge.core.services import connections
from badgebridge.core.storage.schema import connections as connections_table
from tests.fake_provider import EXPIRING_SCHEMA, FakeProvider

SETTINGS = {"account": "acme", "api_key": "secret-key-1234"}


@dataclass(eq=False)
class RotatingProvider(FakeProvider):
    """Rotation makes a new key and refuses the old one at once, as Credly does."""

    rotations: int = 0
    refuse_new_key: bool = False

    @hookimpl
    def declare_provider(self):
        return ProviderDeclaration(name="fake", title="Fake", settings_schema=EXPIRING_SCHEMA)

    @hookimpl
    def rotate_token(self, connection):
        self._check(connection)
        self.rotations += 1
        new = f"rotated-key-{self.rotations:04d}"
        self.key = "refused-by-now" if self.refuse_new_key else new
        return {"api_key": new}


@pytest.fixture
def fake() -> RotatingProvider:
    return RotatingProvider()


def test_rotation_stores_the_new_secret_and_when_it_was_set(db, host, fake):
    added = connections.add(db, host, "c1", "fake", SETTINGS)
    with db.begin() as conn:
        conn.execute(update(connections_table).values(secrets_set_at=utcnow() - timedelta(days=170)))
    assert connections.expiring_secrets(host, connections.all_connections(db))
    rotated = connections.rotate(db, host, "c1")
    assert rotated.secrets == {"api_key": "rotated-key-0001"}
    assert rotated.secrets_set_at > added.secrets_set_at
    assert connections.expiring_secrets(host, connections.all_connections(db)) == []
    connections.test(db, host, "c1")  # the stored key is the one the provider accepts now
    assert "rotated-key-0001" not in repr(rotated.as_dict()) and "0001" in rotated.as_dict()["token"]


def test_a_new_secret_that_fails_verification_stays_stored(db, host, fake):
    connections.add(db, host, "c1", "fake", SETTINGS)
    fake.refuse_new_key = True
    with pytest.raises(AuthenticationFailed, match="new token of 'c1' is stored, but verifying it failed"):
        connections.rotate(db, host, "c1")
    assert connections.get(db, "c1").secrets == {"api_key": "rotated-key-0001"}


def test_a_plugin_without_the_hook_cannot_rotate(db):
    plain = PluginHost()
    assert plain.register(FakeProvider(), "plain")
    connections.add(db, plain, "c1", "fake", SETTINGS)
    with pytest.raises(InvalidInput, match="cannot rotate tokens"):
        connections.rotate(db, plain, "c1")


def test_a_rotation_returning_a_setting_that_is_not_secret_stores_nothing(db, host, fake, monkeypatch):
    connections.add(db, host, "c1", "fake", SETTINGS)
    monkeypatch.setattr(RotatingProvider, "rotate_token", hookimpl(lambda self, connection: {"account": "x"}))
    other = PluginHost()
    assert other.register(RotatingProvider(), "rot")
    with pytest.raises(BadgeBridgeError, match="not secret settings; nothing was stored"):
        connections.rotate(db, other, "c1")
    assert connections.get(db, "c1").secrets == {"api_key": "secret-key-1234"}


@pytest.mark.parametrize(("age_days", "warned"), [(0, False), (149, False), (150, True), (200, True)])
def test_a_secret_is_warned_about_30_days_before_it_expires(db, host, fake, age_days, warned):
    connections.add(db, host, "c1", "fake", SETTINGS)
    with db.begin() as conn:
        conn.execute(update(connections_table).values(secrets_set_at=utcnow() - timedelta(days=age_days)))
    warnings = connections.expiring_secrets(host, connections.all_connections(db))
    assert bool(warnings) is warned
    if warned:
        assert f"was set {age_days} days ago" in warnings[0]
        assert "connections rotate c1" in warnings[0]
        assert ("has expired" in warnings[0]) is (age_days > 180)


def test_a_secret_without_a_lifetime_is_never_warned_about(db):
    plain = PluginHost()
    assert plain.register(FakeProvider(), "plain")
    connections.add(db, plain, "c1", "fake", SETTINGS)
    with db.begin() as conn:
        conn.execute(update(connections_table).values(secrets_set_at=utcnow() - timedelta(days=400)))
    assert connections.expiring_secrets(plain, connections.all_connections(db)) == []


def test_updating_the_secret_resets_its_age_and_other_updates_do_not(db, host, fake):
    connections.add(db, host, "c1", "fake", SETTINGS)
    old = utcnow() - timedelta(days=160)
    with db.begin() as conn:
        conn.execute(update(connections_table).values(secrets_set_at=old))
    assert connections.update_settings(db, host, "c1", {"host": "other.example.org"}).secrets_set_at == old
    fake.key = "another-key-5678"
    assert connections.update_settings(db, host, "c1", {"api_key": "another-key-5678"}).secrets_set_at > old
