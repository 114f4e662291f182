"""Secrets masked in reprs, and database errors shown as one line without parameters (item 5)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError

from badgebridge.commands.base import Group
from badgebridge.core.clock import utcnow
from badgebridge.core.errors import ConfigurationError
from badgebridge.core.services import awards, catalog, connections, learners
from badgebridge.core.services.sender import AwardSender
from badgebridge.core.storage import encryption, open_database
from badgebridge.core.storage.schema import connections as connections_table
from badgebridge.core.storage.schema import learners as learners_table
from tests.races import postgres_schema

TOKEN = "secret-key-1234"


@pytest.fixture
def connected(db, host):
    connections.add(db, host, "c1", "fake", {"account": "acme", "api_key": TOKEN})
    return db


def test_a_stored_connection_its_claim_and_its_hook_connection_mask_the_token(connected, host):
    record = connections.get(connected, "c1")
    assert TOKEN not in repr(record) and "1234" in repr(record)
    assert TOKEN not in repr(connections.load(connected, host, "c1")[2])
    catalog.import_badges(connected, host, "c1")
    learners.add(connected, "ada@example.org", "Ada", "Lovelace")
    awards.grant(connected, catalog.list_badges(connected)[0].id, "ada@example.org")
    (claim,) = AwardSender(connected, host).claim(1)
    assert claim.connection.secrets == {"api_key": TOKEN}  # the sender still gets the value
    assert TOKEN not in repr(claim) and TOKEN not in str(claim)


def test_sealed_values_need_a_key_that_holds(monkeypatch):
    monkeypatch.setenv(encryption.KEY_VARIABLE, Fernet.generate_key().decode())
    sealed = encryption.seal({"token": TOKEN})
    assert encryption.is_encrypted(sealed) and TOKEN not in str(sealed)
    assert encryption.unseal(sealed) == {"token": TOKEN}
    monkeypatch.setenv(encryption.KEY_VARIABLE, Fernet.generate_key().decode())
    with pytest.raises(ConfigurationError, match="does not hold"):
        encryption.unseal(sealed)
    monkeypatch.delenv(encryption.KEY_VARIABLE)
    assert encryption.seal({"token": TOKEN}) == {"token": TOKEN}
    with pytest.raises(ConfigurationError, match="set BADGEBRIDGE_SECRET_KEY"):
        encryption.unseal(sealed)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db(request, tmp_path):
    if request.param == "sqlite":
        database = open_database(f"sqlite:///{tmp_path / 'bb.db'}")
        yield database
        database.dispose()
    else:
        with postgres_schema() as url:
            database = open_database(url)
            yield database
            database.dispose()


def test_a_refused_statement_is_one_line_without_its_parameters(any_db):
    """A write the database refuses (a duplicate name) under a command of the Group."""
    now = utcnow()
    row = {
        "provider": "fake",
        "settings": {},
        "secrets": {"token": TOKEN},
        "created_at": now,
        "updated_at": now,
    }

    @click.group(cls=Group)
    def root() -> None:
        pass

    @root.command()
    def clash() -> None:
        with any_db.begin() as conn:
            conn.execute(insert(connections_table).values(name="same", **row))
            conn.execute(insert(connections_table).values(name="same", **row))

    @root.command()
    def nul() -> None:
        with any_db.begin() as conn:
            conn.execute(
                insert(learners_table).values(
                    id="L1",
                    email="a@b.org",
                    first_name=TOKEN + "\x00",
                    last_name="x",
                    created_at=now,
                    updated_at=now,
                )
            )

    with pytest.raises(DBAPIError) as refused:
        clash.callback()
    assert TOKEN not in str(refused.value)  # hide_parameters: the error holds no values

    for command in ("clash", "nul"):
        result = CliRunner().invoke(root, [command])
        if any_db.is_sqlite and command == "nul":
            assert result.exit_code == 0  # SQLite stores a NUL; only PostgreSQL refuses it
            continue
        assert result.exit_code == 1, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: the database refused the command: ")
        assert TOKEN not in result.output and "INSERT" not in result.output
