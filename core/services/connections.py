"""Connections: verified before they are saved, loaded with their provider for the other services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from badgebridge.core.clock import utcnow
from badgebridge.core.errors import (
    BadgeBridgeError,
    ConfigurationError,
    InvalidInput,
    NotFound,
    ProviderError,
)
from badgebridge.core.model import Connection, ConnectionInfo
from badgebridge.core.plugin_manager import PluginHost, Provider
from badgebridge.core.secrets import mask
from badgebridge.core.settings import make_connection, split_secrets, validate_settings
from badgebridge.core.storage import Database, encryption
from badgebridge.core.storage.limits import require_fit
from badgebridge.core.storage.paging import ALL, Keyset, Listing, PageRequest, per_row
from badgebridge.core.storage.schema import badges, connections, provider_events


@dataclass(frozen=True, repr=False)
class ConnectionRecord:
    """A stored connection; ``masked_settings`` (and ``repr``) show secrets masked."""

    id: int
    name: str
    provider: str
    settings: dict[str, Any]
    secrets: dict[str, str]
    account_name: str | None
    verified_at: datetime | None
    account_id: str | None = None
    secrets_set_at: datetime | None = None
    rate_limit: float | None = None  # requests/s through this connection, all senders (None: unlimited)

    def __repr__(self) -> str:
        masked = {key: mask(value) for key, value in self.secrets.items()}
        return (
            f"ConnectionRecord(id={self.id!r}, name={self.name!r}, provider={self.provider!r}, "
            f"settings={self.settings!r}, secrets={masked!r}, account_name={self.account_name!r}, "
            f"verified_at={self.verified_at!r})"
        )

    @property
    def masked_settings(self) -> dict[str, Any]:
        return self.settings | {key: mask(value) for key, value in self.secrets.items()}

    def as_dict(self) -> dict[str, Any]:
        masked = self.masked_settings
        return {
            "name": self.name,
            "provider": self.provider,
            "host": masked.get("host"),
            "token": next((mask(value) for value in self.secrets.values()), None),
            "account_name": self.account_name,
            "verified_at": self.verified_at.isoformat() if self.verified_at else None,
            "token_set_at": self.secrets_set_at.isoformat() if self.secrets_set_at else None,
            "rate_limit": self.rate_limit,
            "settings": masked,
        }


def with_context(exc: BadgeBridgeError, context: str) -> BadgeBridgeError:
    """The same exception, its message prefixed with ``context``."""
    message = f"{context}: {exc}"
    exc.args = (message,)
    if isinstance(exc, ProviderError):
        exc.message = message
    return exc


def verify(provider: Provider, connection: Connection) -> ConnectionInfo:
    """Call the provider's ``connect`` hook; errors name the connection."""
    try:
        return provider.connect(connection)
    except ProviderError as exc:
        raise with_context(exc, f"connection {connection.name!r} ({provider.title})") from None


def add(
    db: Database, host: PluginHost, name: str, provider_name: str, settings: Mapping[str, Any]
) -> ConnectionRecord:
    """Validate, verify with a live call, then save. Nothing is saved if any step fails."""
    name = name.strip()
    if not name:
        raise InvalidInput("a connection needs a name")
    require_fit(connections, "the connection", name=name)
    provider = host.provider(provider_name)
    with db.begin() as conn:
        if conn.execute(select(connections.c.id).where(connections.c.name == name)).first():
            raise InvalidInput(f"a connection named {name!r} exists already (connections update changes it)")
    cleaned = validate_settings(provider.declaration, settings)
    plain, secrets = split_secrets(provider.declaration, cleaned)
    info = verify(provider, make_connection(name, provider.declaration, plain, secrets))
    now = utcnow()
    with db.begin() as conn:
        conn.execute(
            connections.insert().values(
                name=name,
                provider=provider.name,
                settings=plain,
                secrets=secrets,
                account_name=info.account_name,
                account_id=info.account_id,
                verified_at=now,
                secrets_set_at=now,
                created_at=now,
                updated_at=now,
            )
        )
    return get(db, name)


def update_settings(
    db: Database, host: PluginHost, name: str, changes: Mapping[str, Any]
) -> ConnectionRecord:
    """Change some settings (a rotated token, a new host), verify, then save."""
    record = get(db, name)
    provider = host.provider(record.provider)
    cleaned = validate_settings(provider.declaration, record.settings | record.secrets | dict(changes))
    plain, secrets = split_secrets(provider.declaration, cleaned)
    info = verify(provider, make_connection(name, provider.declaration, plain, secrets))
    now = utcnow()
    renewed = {"secrets_set_at": now} if secrets != record.secrets else {}
    with db.begin() as conn:
        conn.execute(
            update(connections)
            .where(connections.c.id == record.id)
            .values(
                settings=plain,
                secrets=secrets,
                account_name=info.account_name,
                account_id=info.account_id,
                verified_at=now,
                updated_at=now,
                **renewed,
            )
        )
    return get(db, name)


def rotate(db: Database, host: PluginHost, name: str) -> ConnectionRecord:
    """Rotate the connection's secret through its provider and store the new one, then verify it.

    The provider may refuse the old secret at once, so the new one is stored before anything else;
    a verification that fails afterwards is reported, and the new secret stays stored.
    """
    record, provider, connection = load(db, host, name)
    if not provider.supports("rotate_token"):
        raise InvalidInput(f"the {provider.title} plugin cannot rotate tokens")
    try:
        changes = dict(provider.rotate_token(connection))
    except ProviderError as exc:
        raise with_context(exc, f"rotating the token of {name!r} on {provider.title}") from None
    unknown = set(changes) - set(provider.declaration.secret_settings)
    if unknown or not changes:
        raise BadgeBridgeError(
            f"the {provider.title} plugin's rotate_token returned {sorted(unknown) or 'nothing'}, "
            "not secret settings; nothing was stored"
        )
    now = utcnow()
    with db.begin() as conn:
        conn.execute(
            update(connections)
            .where(connections.c.id == record.id)
            .values(secrets=record.secrets | changes, secrets_set_at=now, updated_at=now)
        )
    rotated = get(db, name)
    try:
        test(db, host, name)
    except ProviderError as exc:
        raise with_context(exc, f"the new token of {name!r} is stored, but verifying it failed") from None
    return rotated


WARN_BEFORE_EXPIRY = timedelta(days=30)


@dataclass(frozen=True)
class SecretExpiry:
    """When a connection's secret expires: set at ``set_at``, the provider (``provider_title``)
    expires it after ``lifetime_days`` (its settings schema's ``x-expires-after-days``)."""

    connection: str
    setting: str
    provider_title: str
    set_at: datetime
    lifetime_days: int

    @property
    def expires_at(self) -> datetime:
        return self.set_at + timedelta(days=self.lifetime_days)

    def days_left(self, now: datetime) -> int:
        """Whole days until it expires (negative once it has)."""
        return self.lifetime_days - (now - self.set_at).days

    def is_near(self, now: datetime) -> bool:
        """Within ``WARN_BEFORE_EXPIRY`` of expiring, or expired."""
        return now >= self.expires_at - WARN_BEFORE_EXPIRY

    def warning(self, now: datetime) -> str:
        left = self.days_left(now)
        when = f"expires in {left} day(s)" if left >= 0 else "has expired"
        return (
            f"connection {self.connection!r}: its {self.setting} was set {(now - self.set_at).days} days "
            f"ago and {when} ({self.provider_title} expires it after {self.lifetime_days} days); "
            f"badgebridge connections rotate {self.connection} replaces it"
        )


def secret_expiries(host: PluginHost, records: list[ConnectionRecord]) -> list[SecretExpiry]:
    """When each secret the providers expire does, soonest first (secrets without a declared
    lifetime, and connections whose provider is not installed, have none)."""
    found = []
    for record in records:
        if record.secrets_set_at is None:
            continue
        try:
            declaration = host.provider(record.provider).declaration
        except BadgeBridgeError:
            continue
        for key in record.secrets:
            lifetime = declaration.secret_lifetime_days(key)
            if lifetime is not None:
                title = declaration.title or declaration.name
                found.append(SecretExpiry(record.name, key, title, record.secrets_set_at, lifetime))
    return sorted(found, key=lambda expiry: (expiry.expires_at, expiry.connection))


def soonest_expiries(expiries: list[SecretExpiry]) -> dict[str, datetime]:
    """Each connection's soonest secret expiry, by connection name."""
    soonest: dict[str, datetime] = {}
    for expiry in expiries:
        soonest.setdefault(expiry.connection, expiry.expires_at)
    return soonest


def expiring_secrets(
    host: PluginHost, records: list[ConnectionRecord], now: datetime | None = None
) -> list[str]:
    """Warnings for connections whose secrets expire within ``WARN_BEFORE_EXPIRY`` (or have expired)."""
    now = now or utcnow()
    return [expiry.warning(now) for expiry in secret_expiries(host, records) if expiry.is_near(now)]


def test(db: Database, host: PluginHost, name: str) -> tuple[ConnectionRecord, ConnectionInfo]:
    """Verify a saved connection again and record when it last worked."""
    record, provider, connection = load(db, host, name)
    info = verify(provider, connection)
    with db.begin() as conn:
        conn.execute(
            update(connections)
            .where(connections.c.id == record.id)
            .values(verified_at=utcnow(), account_name=info.account_name)
        )
    return get(db, name), info


def set_rate_limit(db: Database, name: str, rate_limit: float | None) -> ConnectionRecord:
    """Pace the connection's requests at ``rate_limit`` per second, all senders together (None:
    unlimited). A host setting: the provider never sees it."""
    if rate_limit is not None and not rate_limit > 0:
        raise InvalidInput(f"--rate-limit must be a number of requests per second above 0, not {rate_limit}")
    record = get(db, name)
    with db.begin() as conn:
        conn.execute(
            update(connections)
            .where(connections.c.id == record.id)
            .values(rate_limit=rate_limit, updated_at=utcnow())
        )
    return get(db, name)


def remove(db: Database, name: str) -> None:
    """Forget a connection; refused while catalog badges still come through it."""
    record = get(db, name)
    with db.begin() as conn:
        count = conn.execute(
            select(func.count()).select_from(badges).where(badges.c.connection_id == record.id)
        ).scalar_one()
        if count:
            raise InvalidInput(
                f"connection {name!r} still carries {count} badge(s) in the catalog; not removed"
            )
        conn.execute(delete(provider_events).where(provider_events.c.connection_id == record.id))
        conn.execute(delete(connections).where(connections.c.id == record.id))


def reseal_secrets(db: Database) -> int:
    """Store every connection's secrets again, encrypted with the first key of
    ``BADGEBRIDGE_SECRET_KEY`` (those stored plain, or under an older key, included); returns how
    many connections there are."""
    if encryption.keys() is None:
        raise ConfigurationError(
            f"set {encryption.KEY_VARIABLE} to the new key, followed by the old ones (comma-separated)"
        )
    with db.begin() as conn:
        rows = conn.execute(select(connections.c.id, connections.c.secrets).with_for_update()).all()
        for connection_id, secrets in rows:  # read with any key, written with the first
            conn.execute(update(connections).where(connections.c.id == connection_id).values(secrets=secrets))
    return len(rows)


def get(db: Database, name: str) -> ConnectionRecord:
    with db.begin() as conn:
        row = conn.execute(select(connections).where(connections.c.name == name)).mappings().first()
    if row is None:
        raise NotFound(f"no connection named {name!r} (connections list shows them)")
    return connection_record(row)


def all_connections(db: Database) -> list[ConnectionRecord]:
    return list(page_connections(db))


def page_connections(db: Database, page: PageRequest = ALL) -> Listing[ConnectionRecord]:
    """The connections, by name, a batch at a time."""
    return Listing(db, select(connections), Keyset(connections.c.name), page, per_row(connection_record))


def load(db: Database, host: PluginHost, name: str) -> tuple[ConnectionRecord, Provider, Connection]:
    """The stored connection, its provider, and the ``Connection`` its hooks take."""
    record = get(db, name)
    return (record, *provider_connection(host, record))


def provider_connection(host: PluginHost, record: ConnectionRecord) -> tuple[Provider, Connection]:
    provider = host.provider(record.provider)
    return provider, make_connection(record.name, provider.declaration, record.settings, record.secrets)


def connection_record(row) -> ConnectionRecord:
    """A ``connections`` row (every column) as a ``ConnectionRecord``."""
    return ConnectionRecord(
        id=row["id"],
        name=row["name"],
        provider=row["provider"],
        settings=dict(row["settings"]),
        secrets=dict(row["secrets"]),
        account_name=row["account_name"],
        verified_at=row["verified_at"],
        account_id=row["account_id"],
        secrets_set_at=row["secrets_set_at"] or row["created_at"],
        rate_limit=row["rate_limit"],
    )
