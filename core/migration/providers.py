"""badge.csv's external columns: the provider is installed, and the badge is active on its connection.

A provider's connection is the only one it has, or the one ``--connection`` names. Each
connection's active badges are asked for once per run (its ``import_badges`` hook) and kept as a
set of external ids; a provider or connection that fails is remembered too, so every row that
needs it gets the same answer without asking again.
"""

from __future__ import annotations

from badgebridge.core.errors import ConfigurationError, ProviderError
from badgebridge.core.migration.pipeline import Entry
from badgebridge.core.migration.schemas import Problem, shown
from badgebridge.core.plugin_manager import PluginHost, Provider
from badgebridge.core.services.connections import ConnectionRecord, provider_connection

PROVIDER, EXTERNAL_ID = "externalBadgeProvider", "externalBadgeId"


class ExternalBadges:
    """Checks badge.csv rows; sets ``found["connection_id"]`` and ``found["provider"]`` (or None)."""

    def __init__(self, host: PluginHost, connections: list[ConnectionRecord], chosen: str | None) -> None:
        self._host = host
        self._connections = connections
        self._chosen = chosen
        self._targets: dict[str, tuple[Provider, ConnectionRecord] | Problem] = {}
        self._active: dict[int, frozenset[str] | Problem] = {}

    def check(self, entries: list[Entry]) -> None:
        for entry in entries:
            external_id = entry.row.get(EXTERNAL_ID)
            entry.found["connection_id"] = entry.found["provider"] = None
            if external_id is None or PROVIDER not in entry.row:
                continue  # a platform-only badge (the schema makes sure both columns are empty) or a
                # row whose provider column failed already
            target = self._target(entry.row[PROVIDER])
            if isinstance(target, Problem):
                entry.problems.append(target)
                continue
            provider, record = target
            active = self._badges(provider, record)
            if isinstance(active, Problem):
                entry.problems.append(active)
            elif external_id not in active:
                entry.problems.append(
                    Problem(
                        EXTERNAL_ID,
                        f"{shown(external_id)} is not an active badge of connection {record.name!r} "
                        f"({provider.title})",
                    )
                )
            else:
                entry.found["connection_id"], entry.found["provider"] = record.id, provider.name

    def _target(self, name: str) -> tuple[Provider, ConnectionRecord] | Problem:
        key = name.strip().lower()
        if key not in self._targets:
            self._targets[key] = self._find_target(name)
        return self._targets[key]

    def _find_target(self, name: str) -> tuple[Provider, ConnectionRecord] | Problem:
        try:
            provider = self._host.provider(name)
        except ConfigurationError as exc:
            return Problem(PROVIDER, str(exc))
        candidates = [record for record in self._connections if record.provider == provider.name]
        chosen = [record for record in candidates if record.name == self._chosen]
        if chosen or len(candidates) == 1:
            return provider, (chosen or candidates)[0]
        if not candidates:
            return Problem(
                PROVIDER,
                f"no {provider.title} connection; add one first "
                f"(connections add NAME --provider {provider.name})",
            )
        names = ", ".join(record.name for record in candidates)
        return Problem(
            PROVIDER, f"several {provider.title} connections ({names}); choose one with --connection"
        )

    def _badges(self, provider: Provider, record: ConnectionRecord) -> frozenset[str] | Problem:
        if record.id not in self._active:
            try:
                _, connection = provider_connection(self._host, record)
                self._active[record.id] = frozenset(
                    badge.external_id for badge in provider.import_badges(connection)
                )
            except ProviderError as exc:
                self._active[record.id] = Problem(
                    EXTERNAL_ID,
                    f"cannot check it with connection {record.name!r} ({provider.title}): {exc.message}",
                )
        return self._active[record.id]
