"""The award rules through the services, checked in the database (fast companions of the e2e tests
in tests/e2e/test_award_rules.py, so the mutation run can use them)."""

from __future__ import annotations

import random
import sqlite3

import pytest
from sqlalchemy.exc import IntegrityError

from badgebridge import hookimpl
from badgebridge.core.clock import utcnow
from badgebridge.core.errors import InvalidInput, ProviderRefused, ProviderUnavailable
from badgebridge.core.model import IssuedBadge, ObjectKind
from badgebridge.core.services import awards, catalog, connections, learners, skills
from badgebridge.core.services import learning_objects as objects
from badgebridge.core.services.sender import AwardSender
from badgebridge.core.storage.schema import badges, object_instances
from tests.fake_provider import FakeProvider

EMAIL = "ada@example.org"
COURSE = ObjectKind.COURSE


class FetchingProvider(FakeProvider):
    """The fake provider that can also read a badge back; ``down`` makes every read fail."""

    down: bool = False
    fetches: int = 0

    @hookimpl
    def fetch_badge(self, connection, provider_badge_id):
        self.fetches += 1
        if self.down:
            raise ProviderUnavailable("Fake is down", status=503)
        for badge in self.issued.values():
            if badge.provider_badge_id == provider_badge_id:
                return IssuedBadge(provider_badge_id, "accepted", badge.url)
        raise ProviderRefused("no such badge", status=404)


@pytest.fixture
def fake() -> FetchingProvider:
    return FetchingProvider()


@pytest.fixture
def badge_ids(db, host):
    connections.add(db, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    catalog.import_badges(db, host, "c1")
    learners.add(db, EMAIL, "Ada", "Lovelace")
    return {b.external_badge_id: b.id for b in catalog.list_badges(db)}


@pytest.fixture
def sender(db, host):
    return AwardSender(db, host, rng=random.Random(2))


def test_a_badge_the_provider_retired_is_not_granted(db, host, fake, badge_ids):
    fake.templates = fake.templates[:1]  # t2 is no longer active on the provider
    catalog.import_badges(db, host, "c1")
    assert catalog.get_badge(db, badge_ids["t2"]).state == "Retired"
    with pytest.raises(InvalidInput, match="retired"):
        awards.grant(db, badge_ids["t2"], EMAIL)
    assert awards.list_awards(db) == []


def test_requeue_makes_a_failed_award_due_now_with_a_fresh_count(db, sender, fake, badge_ids):
    award, _ = awards.grant(db, badge_ids["t1"], EMAIL)
    fake.failures.append(ProviderRefused("template archived", status=422))
    sender.send_awards([award.id])
    assert (awards.get(db, award.id).state, awards.get(db, award.id).attempts) == ("failed", 1)
    before = utcnow()
    assert awards.requeue(db) == [award.id]
    again = awards.get(db, award.id)
    assert (again.state, again.attempts, again.error) == ("queued", 0, "template archived")
    assert before <= again.next_attempt_at <= utcnow()


def test_requeue_leaves_issued_awards_alone_and_names_unknown_ids(db, sender, badge_ids):
    award, _ = awards.grant(db, badge_ids["t1"], EMAIL)
    sender.send_awards([award.id])
    assert awards.requeue(db, [award.id]) == []
    assert awards.get(db, award.id).state == "issued"
    with pytest.raises(Exception, match=f"no award with id {award.id + 1}"):
        awards.requeue(db, [award.id, award.id + 1])


def test_learner_badges_refreshes_unless_told_not_to_and_keeps_the_stored_state_during_an_outage(
    db, host, sender, fake, badge_ids
):
    award, _ = awards.grant(db, badge_ids["t1"], EMAIL)
    sender.send_awards([award.id])
    fake.down = True
    (shown,) = awards.learner_badges(db, host, EMAIL)
    assert shown.provider_state == "pending" and fake.fetches == 1
    (shown,) = awards.learner_badges(db, host, EMAIL, refresh=False)
    assert shown.provider_state == "pending" and fake.fetches == 1, "no read without refresh"
    fake.down = False
    (shown,) = awards.learner_badges(db, host, EMAIL)
    assert shown.provider_state == "accepted" and shown.provider_url == award_url(fake)
    assert awards.get(db, award.id).provider_state == "accepted", "the refreshed state is stored"


def award_url(fake):
    (badge,) = fake.issued.values()
    return badge.url


def test_revoking_twice_changes_nothing_and_a_revoked_award_is_not_requeued(db, host, sender, badge_ids):
    award, _ = awards.grant(db, badge_ids["t1"], EMAIL)
    sender.send_awards([award.id])
    assert awards.revoke(db, host, award.id, "  by mistake ")[0].revoke_reason == "by mistake"
    assert awards.revoke(db, host, award.id, "again")[1] == "already"
    again, created = awards.grant(db, badge_ids["t1"], EMAIL)
    assert (again.id, again.state, created) == (award.id, "revoked", False)
    assert awards.requeue(db) == []
    with pytest.raises(InvalidInput, match="needs a reason"):
        awards.revoke(db, host, award.id, " ")


def _instance(db, instance_id, state, badge_id):
    now = utcnow()
    with db.begin() as conn:
        conn.execute(
            object_instances.insert().values(
                kind=COURSE,
                object_id="C1",
                id=instance_id,
                name=instance_id,
                state=state,
                badge_id=badge_id,
                created_at=now,
                updated_at=now,
            )
        )


def test_a_retired_instance_gives_no_badge(db, badge_ids):
    objects.add(db, COURSE, "C1", "Course")
    _instance(db, "NOW", "ACTIVE", badge_ids["t1"])
    _instance(db, "BEFORE", "Retired", badge_ids["t2"])
    new = objects.complete(db, EMAIL, COURSE, "C1")
    assert [a.badge_id for a in awards.list_awards(db, ids=new)] == [badge_ids["t1"]]


def test_a_failure_storing_the_award_undoes_the_completion(db, badge_ids, tmp_path):
    objects.add(db, COURSE, "C1", "Course")
    objects.assign_badge(db, COURSE, "C1", badge_ids["t1"])
    path = str(tmp_path / "bb.db")
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TRIGGER refuse_awards BEFORE INSERT ON awards BEGIN SELECT RAISE(ABORT, 'injected'); END"
        )
    with pytest.raises(IntegrityError, match="injected"):
        objects.complete(db, EMAIL, COURSE, "C1")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM completions").fetchone() == (0,)
        conn.execute("DROP TRIGGER refuse_awards")
    (award_id,) = objects.complete(db, EMAIL, COURSE, "C1")
    assert awards.get(db, award_id).badge_id == badge_ids["t1"]


def test_learner_badges_refreshes_every_issued_badge_past_a_platform_only_one(
    db, host, sender, fake, badge_ids
):
    now = utcnow()
    with db.begin() as conn:
        conn.execute(
            badges.insert().values(id="LOCAL", name="Local", state="Active", created_at=now, updated_at=now)
        )
    awards.grant(db, "LOCAL", EMAIL)  # first in the list: awarded locally, nothing to refresh
    issued, _ = awards.grant(db, badge_ids["t1"], EMAIL)
    sender.send_awards([issued.id])
    shown = {a.badge_id: a.provider_state for a in awards.learner_badges(db, host, EMAIL)}
    assert shown == {"LOCAL": None, badge_ids["t1"]: "accepted"}


def test_awards_list_filters_by_state_and_learner(db, sender, fake, badge_ids):
    learners.add(db, "bob@example.org", "Bob", "Builder")
    first, _ = awards.grant(db, badge_ids["t1"], EMAIL)
    second, _ = awards.grant(db, badge_ids["t2"], EMAIL)
    third, _ = awards.grant(db, badge_ids["t1"], "bob@example.org")
    fake.failures.append(ProviderRefused("no", status=422))
    sender.send_awards([first.id])
    sender.send_awards([second.id])
    assert [a.id for a in awards.list_awards(db, state="failed")] == [first.id]
    assert [a.id for a in awards.list_awards(db, state="queued")] == [third.id]
    assert [a.id for a in awards.list_awards(db, learner=" BOB@example.org ")] == [third.id]
    assert [a.id for a in awards.list_awards(db, state="issued", learner=EMAIL)] == [second.id]


def test_attaching_a_badge_later_awards_exactly_the_objects_completers_with_their_dates(db, badge_ids):
    learners.add(db, "bob@example.org", "Bob", "Builder")
    learners.add(db, "cy@example.org", "Cy", "Young")
    objects.add(db, COURSE, "C1", "Course one")
    objects.add(db, COURSE, "C2", "Course two")
    objects.add(db, ObjectKind.CERTIFICATION, "C1", "A certification with the same id")
    when = {
        EMAIL: utcnow().replace(year=2024, microsecond=0),
        "bob@example.org": utcnow().replace(year=2025, microsecond=0),
    }
    for email, moment in when.items():
        objects.complete(db, email, COURSE, "C1", moment)
    objects.complete(db, "cy@example.org", COURSE, "C2")
    objects.complete(db, "cy@example.org", ObjectKind.CERTIFICATION, "C1")
    changed, new = objects.assign_badge(db, COURSE, "C1", badge_ids["t1"])
    assert changed
    got = {(a.learner_email, a.earned_at.replace(tzinfo=None)) for a in awards.list_awards(db, ids=new)}
    assert got == {(email, moment.replace(tzinfo=None)) for email, moment in when.items()}


def test_skill_level_credits_count_only_the_objects_that_grant_them(db, badge_ids):
    skills.create(db, "Data", badge_id=badge_ids["t1"], level=1, max_credits=2)
    skills.create(db, "Ops", badge_id=badge_ids["t2"], level=1, max_credits=1)
    skills.create(db, "Data", badge_id=badge_ids["t2"], level=2, max_credits=10)
    for course in ("C1", "C2", "C3"):
        objects.add(db, COURSE, course, course)
    objects.assign_skill(db, COURSE, "C1", "data", 1, 1)
    objects.assign_skill(db, COURSE, "C1", "data", 2, 5)  # level 2's credits never count for level 1
    objects.assign_skill(db, COURSE, "C2", "data", 1, 1)
    objects.assign_skill(db, COURSE, "C3", "ops", 1, 1)

    def earned(course):
        return [a.badge_id for a in awards.list_awards(db, ids=objects.complete(db, EMAIL, COURSE, course))]

    assert earned("C3") == [badge_ids["t2"]], "C3's own credit reaches Ops level 1"
    assert earned("C1") == [], "one Data credit of two"
    assert earned("C2") == [badge_ids["t1"]]


def test_a_skill_level_whose_badge_is_retired_earns_nothing(db, badge_ids):
    now = utcnow()
    with db.begin() as conn:
        conn.execute(
            badges.insert().values(id="RET", name="Old", state="Retired", created_at=now, updated_at=now)
        )
    skills.create(db, "Legacy", badge_id="RET", level=1, max_credits=1)
    objects.add(db, COURSE, "C1", "Course")
    objects.assign_skill(db, COURSE, "C1", "legacy", 1, 1)
    assert objects.complete(db, EMAIL, COURSE, "C1") == []
