"""Provider events in: stored deliveries, fetched from the provider, applied once, ignored when foreign.

The in-test provider keeps its events in a dict; a delivery's body is only ever a claim.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field

import pytest
from sqlalchemy import update

from badgebridge import hookimpl
from badgebridge.core.clock import utcnow
from badgebridge.core.errors import NotFound, ProviderRefused, ProviderUnavailable
from badgebridge.core.model import EventState, EventType, IssuedBadge, ProviderBadge, ProviderEvent
from badgebridge.core.plugin_manager import PluginHost
from badgebridge.core.services import awards, catalog, connections, learners
from badgebridge.core.services import events as event_service
from badgebridge.core.services.sender import AwardSender
from badgebridge.core.storage.schema import provider_events
from badgebridge.core.webhooks import create_app
from tests.fake_provider import FakeProvider

ACCOUNT = "acc-1"  # what FakeProvider.connect reports


@dataclass(eq=False)
class EventfulProvider(FakeProvider):
    """The fake provider with an event log the host reads through ``fetch_event``."""

    events: dict[str, ProviderEvent] = field(default_factory=dict)
    fetches: list[str] = field(default_factory=list)
    fetch_failures: list[Exception] = field(default_factory=list)
    barrier: threading.Barrier | None = None

    @hookimpl
    def fetch_event(self, connection, event_id):
        self.fetches.append(event_id)
        if self.barrier is not None:
            self.barrier.wait(timeout=10)
        if self.fetch_failures:
            raise self.fetch_failures.pop(0)
        if event_id not in self.events:
            raise ProviderRefused(f"no event {event_id}", status=404)
        return self.events[event_id]

    def record(self, event_type: str, **details) -> str:
        event_id = uuid.uuid4().hex
        self.events[event_id] = ProviderEvent(event_id, event_type, account_id=ACCOUNT, **details)
        return event_id


@pytest.fixture
def fake() -> EventfulProvider:
    return EventfulProvider()


@pytest.fixture
def issued(db, host, fake):
    """One award issued on the fake provider as badge b1 (pending); returns its id."""
    connections.add(db, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    catalog.import_badges(db, host, "c1")
    learners.add(db, "ada@example.org", "Ada", "Lovelace")
    award, _ = awards.grant(db, catalog.list_badges(db)[0].id, "ada@example.org")
    AwardSender(db, host).send_awards([award.id])
    assert awards.get(db, award.id).provider_badge_id == "b1"
    return award.id


def deliver(db, event_id: str | None = None, connection: str = "c1", **body) -> int:
    payload = ({"id": event_id} if event_id else {}) | {"organization_id": ACCOUNT} | body
    return event_service.receive(db, connection, json.dumps(payload).encode())


def process(db, host) -> list[event_service.EventRecord]:
    return event_service.EventProcessor(db, host).process_due()


def state_changed(fake: EventfulProvider, state: str, badge_id: str = "b1") -> str:
    return fake.record(EventType.BADGE_STATE_CHANGED, badge=IssuedBadge(badge_id, state))


def test_a_state_change_reaches_the_award_and_a_replay_changes_nothing(db, host, fake, issued):
    accepted = state_changed(fake, "accepted")
    deliver(db, accepted)
    (record,) = process(db, host)
    assert (record.state, record.event_type) == (EventState.HANDLED, "badge.state.changed")
    assert "pending -> accepted" in record.outcome
    assert awards.get(db, issued).provider_state == "accepted"

    # the provider's record of the event changes meanwhile; a replay must not act on it again
    fake.events[accepted] = ProviderEvent(
        accepted, EventType.BADGE_STATE_CHANGED, ACCOUNT, badge=IssuedBadge("b1", "rejected")
    )
    awards_table_before = awards.get(db, issued)
    deliver(db, accepted)
    (replay,) = process(db, host)
    assert replay.state == EventState.IGNORED
    assert "handled already" in replay.outcome
    assert awards.get(db, issued) == awards_table_before
    assert fake.fetches == [accepted], "a replay is not even fetched"


def test_an_unknown_event_id_changes_nothing(db, host, fake, issued):
    before = awards.get(db, issued)
    deliver(db, "made-up-event")
    (record,) = process(db, host)
    assert record.state == EventState.IGNORED
    assert "does not know event made-up-event" in record.outcome
    assert awards.get(db, issued) == before


def test_an_event_of_another_organization_changes_nothing(db, host, fake, issued):
    before = awards.get(db, issued)
    claimed_foreign = state_changed(fake, "rejected")
    deliver(db, claimed_foreign, organization_id="someone-else")
    fetched_foreign = fake.record(EventType.BADGE_STATE_CHANGED, badge=IssuedBadge("b1", "rejected"))
    fake.events[fetched_foreign] = ProviderEvent(
        fetched_foreign, EventType.BADGE_STATE_CHANGED, "someone-else", badge=IssuedBadge("b1", "rejected")
    )
    deliver(db, fetched_foreign)
    first, second = process(db, host)
    assert (first.state, second.state) == (EventState.IGNORED, EventState.IGNORED)
    assert "claims another organization" in first.outcome
    assert "belongs to another organization" in second.outcome
    assert fake.fetches == [fetched_foreign], "a body claiming another organization is not fetched"
    assert awards.get(db, issued) == before


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"{}", b'{"id": 7}', b'{"id": ""}'])
def test_a_body_without_an_event_id_is_ignored(db, host, fake, issued, body):
    event_service.receive(db, "c1", body)
    (record,) = process(db, host)
    assert record.state == EventState.IGNORED
    assert fake.fetches == []


def test_a_delivery_for_an_unknown_connection_is_refused(db, host, fake, issued):
    with pytest.raises(NotFound):
        deliver(db, "e1", connection="nope")


def test_a_revocation_on_the_provider_revokes_the_award(db, host, fake, issued):
    deliver(db, state_changed(fake, "revoked"))
    process(db, host)
    award = awards.get(db, issued)
    assert (award.state, award.provider_state) == ("revoked", "revoked")
    assert award.revoke_reason.startswith("revoked on Fake")


def test_a_deleted_badge_is_recorded_and_the_award_can_be_issued_again(db, host, fake, issued):
    fake.issued.clear()  # the provider holds it no more
    deliver(db, fake.record(EventType.BADGE_DELETED, badge=IssuedBadge("b1", "accepted")))
    (record,) = process(db, host)
    assert record.state == EventState.HANDLED
    award = awards.get(db, issued)
    assert (award.state, award.provider_state) == ("failed", "deleted")
    assert "awards retry issues it again" in award.error
    assert awards.requeue(db, [issued]) == [issued]
    AwardSender(db, host).send_awards([issued])
    again = awards.get(db, issued)
    assert (again.state, again.provider_state, again.provider_badge_id) == ("issued", "pending", "b1")
    assert fake.issue_calls == 2


def test_template_changes_update_the_catalog_and_a_deletion_retires_without_deleting(db, host, fake, issued):
    badge = catalog.list_badges(db)[0]
    renamed = ProviderBadge(badge.external_badge_id, "Renamed", "new words", "https://img/x.png", "active")
    deliver(db, fake.record(EventType.TEMPLATE_CHANGED, template=renamed))
    (changed,) = process(db, host)
    assert "name 'Template One' -> 'Renamed'" in changed.outcome
    after = catalog.get_badge(db, badge.id)
    assert (after.name, after.description, after.image_url, after.state) == (
        "Renamed",
        "new words",
        "https://img/x.png",
        "Active",
    )
    deliver(db, fake.record(EventType.TEMPLATE_DELETED, template=renamed))
    (deleted,) = process(db, host)
    assert deleted.state == EventState.HANDLED
    retired = catalog.get_badge(db, badge.id)
    assert (retired.state, retired.name) == ("Retired", "Renamed")
    assert awards.get(db, issued).badge_id == badge.id, "the award still refers to the badge"


def test_an_unreachable_provider_is_retried_later(db, host, fake, issued):
    event_id = state_changed(fake, "accepted")
    fake.fetch_failures.append(ProviderUnavailable("Fake is down", status=503))
    deliver(db, event_id)
    (first,) = process(db, host)
    assert first.state == EventState.RECEIVED and "will retry" in first.outcome
    assert process(db, host) == [], "not due before its retry time"
    with db.begin() as conn:
        conn.execute(update(provider_events).values(next_attempt_at=utcnow()))
    (second,) = process(db, host)
    assert (second.state, second.attempts) == (EventState.HANDLED, 2)
    assert awards.get(db, issued).provider_state == "accepted"


def _race_two_deliveries(db, host, fake):
    """Two processors fetch the same event at the same moment; returns the two rows afterwards."""
    event_id = state_changed(fake, "accepted")
    deliver(db, event_id)
    deliver(db, event_id)
    fake.barrier = threading.Barrier(2)
    results: list = []
    errors: list[BaseException] = []

    def run():
        try:
            results.extend(event_service.EventProcessor(db, host).process_due(limit=1))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert fake.fetches == [event_id, event_id], "both fetched: the race reached the apply step"
    return sorted(r.state for r in results)


def test_two_deliveries_of_one_event_handled_at_once_apply_it_once(db, host, fake, issued):
    assert _race_two_deliveries(db, host, fake) == [EventState.HANDLED, EventState.IGNORED]
    assert awards.get(db, issued).provider_state == "accepted"


@pytest.mark.postgres
def test_the_same_race_on_postgresql(pg, host, fake):
    connections.add(pg, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    catalog.import_badges(pg, host, "c1")
    learners.add(pg, "ada@example.org", "Ada", "Lovelace")
    award, _ = awards.grant(pg, catalog.list_badges(pg)[0].id, "ada@example.org")
    AwardSender(pg, host).send_awards([award.id])
    assert _race_two_deliveries(pg, host, fake) == [EventState.HANDLED, EventState.IGNORED]
    assert awards.get(pg, award.id).provider_state == "accepted"


def test_the_receiver_stores_and_answers_at_once(db, host, fake, issued):
    app = create_app(db, host=host, process=False)
    client = app.test_client()
    event_id = state_changed(fake, "accepted")
    answer = client.post("/events/c1", json={"id": event_id, "organization_id": ACCOUNT})
    assert answer.status_code == 200
    assert fake.fetches == [], "nothing is fetched while answering"
    (stored,) = event_service.list_events(db)
    assert (stored.state, stored.event_id) == (EventState.RECEIVED, event_id)
    assert client.post("/events/nope", json={"id": event_id}).status_code == 404
    too_big = client.post("/events/c1", data=b"x" * (event_service.MAX_BODY_BYTES + 1))
    assert too_big.status_code == 413
    assert len(event_service.list_events(db)) == 1


def test_the_receivers_thread_processes_what_arrives(db, host, fake, issued):
    app = create_app(db, host=host, poll_seconds=0.05)
    try:
        client = app.test_client()
        client.post("/events/c1", json={"id": state_changed(fake, "accepted")})
        for _ in range(400):
            if awards.get(db, issued).provider_state == "accepted":
                break
            threading.Event().wait(0.05)
        assert awards.get(db, issued).provider_state == "accepted"
    finally:
        app.extensions["badgebridge_events"]["stop"].set()


def test_removing_a_connection_forgets_its_events(db, host, fake):
    connections.add(db, host, "c2", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    deliver(db, "e1", connection="c2")
    connections.remove(db, "c2")
    assert event_service.list_events(db) == []


def test_host_without_the_hook_ignores_deliveries(db):
    plain = PluginHost()
    assert plain.register(FakeProvider(), "plain")
    connections.add(db, plain, "c3", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    deliver(db, "e1", connection="c3")
    (record,) = process(db, plain)
    assert (record.state, record.outcome) == (EventState.IGNORED, "the Fake plugin cannot read events")
