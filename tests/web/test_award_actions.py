"""The award lifecycle in the console: history, cancel, reissue, retry of a dead claim, provider sync."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update

from badgebridge.core.clock import utcnow
from badgebridge.core.errors import AuthenticationFailed, ProviderUnavailable
from badgebridge.core.model import AwardState, IssuedBadge
from badgebridge.core.services import awards, learners
from badgebridge.core.storage.schema import awards as award_table
from tests.web.conftest import flashes

EMAIL = "noor@example.org"


def award_of(db, email: str = EMAIL):
    (award,) = awards.list_awards(db, learner=email)
    return award


def history_rows(page: str) -> list[tuple[str, ...]]:
    body = page.split("<h2>History</h2>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", body, re.S)
    return [tuple(re.split(r"</td>\s*<td>", row))[1:] for row in rows]  # the time aside


def buttons(page: str) -> list[str]:
    """The buttons of the page's content, above the history (the header's Log out aside)."""
    actions = page.split("<main>", 1)[1].split("<h2>History", 1)[0]
    return re.findall(r'<button type="submit" class="[^"]*">([^<]+)</button>', actions)


def test_the_award_page_shows_its_history(admin, course, db, fake):
    fake.failures.append(ProviderUnavailable("Fake is down", status=503))
    admin.post("/learners/complete", {"email": EMAIL, "object": "course:C1"})
    award = award_of(db)
    admin.post(f"/awards/{award.id}/retry")
    page = admin.text(f"/awards/{award.id}")
    rows = history_rows(page)
    assert [row[:3] for row in rows] == [
        ("issue", "unavailable", "503"),
        ("retry", "requeued", ""),
        ("issue", "issued", ""),
    ]
    assert rows[0][3] == "Fake is down" and rows[1][3:] == ("queued again (was queued)", "command line")
    assert re.search(r"<tr><td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</td>", page)


def test_a_failed_award_is_cancelled_then_reissued_from_its_page(admin, course, db, fake):
    fake.failures.append(AuthenticationFailed("Fake refused the key", status=401))
    admin.post("/learners/complete", {"email": EMAIL, "object": "course:C1"})
    award = award_of(db)
    assert buttons(admin.text(f"/awards/{award.id}")) == ["Retry now", "Cancel"]
    done = admin.post(f"/awards/{award.id}/cancel", follow_redirects=True).get_data(as_text=True)
    assert flashes(done) == [f"Award {award.id} cancelled; it will not be sent."]
    assert award_of(db).state == AwardState.CANCELLED
    assert buttons(done) == ["Reissue"]
    assert ("cancel", "cancelled", "", "was failed", "command line") in history_rows(done)
    again = admin.post(f"/awards/{award.id}/cancel", follow_redirects=True).get_data(as_text=True)
    assert flashes(again) == [f"Award {award.id} was cancelled already; left alone."]

    reissued = admin.post(f"/awards/{award.id}/reissue", follow_redirects=True).get_data(as_text=True)
    assert flashes(reissued) == [f"Award {award.id} queued to be issued again: 1 award(s): 1 issued."]
    assert award_of(db).state == AwardState.ISSUED and ("t1", EMAIL) in fake.issued
    twice = admin.post(f"/awards/{award.id}/reissue", follow_redirects=True).get_data(as_text=True)
    assert "only revoked, cancelled or provider-deleted awards" in flashes(twice)[0]
    assert fake.issue_calls == 2


def test_ticked_awards_are_cancelled_from_the_list(admin, course, db, fake):
    learners.add(db, "sam@example.org", "Sam", "Lee")
    fake.failures.extend([ProviderUnavailable("Fake is down", status=503)] * 2)
    for email in (EMAIL, "sam@example.org"):
        admin.post("/learners/complete", {"email": email, "object": "course:C1"})
    ids = [award.id for award in awards.list_awards(db)]
    listing = admin.text("/awards/")
    assert "Cancel the ticked awards" in listing
    none = admin.post("/awards/cancel", follow_redirects=True).get_data(as_text=True)
    assert flashes(none) == ["tick the awards to cancel"]
    done = admin.post("/awards/cancel", {"award": [str(i) for i in ids]}, follow_redirects=True)
    assert flashes(done.get_data(as_text=True)) == [f"Award {i} cancelled; it will not be sent." for i in ids]
    assert {award.state for award in awards.list_awards(db)} == {AwardState.CANCELLED}
    assert fake.issue_calls == 2


def test_an_award_whose_sender_died_is_retried_and_a_live_claim_is_left_alone(admin, course, db, fake):
    fake.failures.append(ProviderUnavailable("Fake is down", status=503))
    admin.post("/learners/complete", {"email": EMAIL, "object": "course:C1"})
    award = award_of(db)

    def claim(lease: timedelta) -> None:
        with db.begin() as conn:
            conn.execute(
                update(award_table)
                .where(award_table.c.id == award.id)
                .values(state=AwardState.SENDING, claimed_by="w1", lease_expires_at=utcnow() + lease)
            )

    claim(timedelta(minutes=5))
    assert buttons(admin.text(f"/awards/{award.id}")) == []
    live = admin.post(f"/awards/{award.id}/retry", follow_redirects=True).get_data(as_text=True)
    assert f"Award {award.id} is being sent (its lease runs until" in flashes(live)[0]
    assert award_of(db).state == AwardState.SENDING

    claim(timedelta(minutes=-5))
    assert buttons(admin.text(f"/awards/{award.id}")) == ["Retry now"]
    done = admin.post(f"/awards/{award.id}/retry", follow_redirects=True).get_data(as_text=True)
    assert flashes(done) == ["Queued 1 award(s) again; sent them: 1 award(s): 1 issued."]
    assert fake.lookups == 1, "a taken-over claim is looked up on the provider first"
    assert award_of(db).state == AwardState.ISSUED
    assert ("retry", "requeued", "", "took over a claim whose lease ran out", "command line") in history_rows(
        done
    )


def test_syncing_a_connection_records_the_providers_states_and_offers_a_reissue(admin, course, db, fake):
    admin.post("/learners/complete", {"email": EMAIL, "object": "course:C1"})
    award = award_of(db)
    assert "Sync with provider" in admin.text("/connections/")
    unchanged = admin.post("/connections/c1/sync", follow_redirects=True).get_data(as_text=True)
    assert flashes(unchanged) == ["Synced 1 issued award(s) of &#39;c1&#39;: 0 changed, 0 not read."]

    fake.issued[("t1", EMAIL)] = IssuedBadge(award.provider_badge_id, "accepted", "https://fake/b1")
    accepted = admin.post("/connections/c1/sync", follow_redirects=True).get_data(as_text=True)
    assert flashes(accepted) == [
        f"Award {award.id}: pending -&gt; accepted.",
        "Synced 1 issued award(s) of &#39;c1&#39;: 1 changed, 0 not read.",
    ]
    del fake.issued[("t1", EMAIL)]
    deleted = admin.post("/connections/c1/sync", follow_redirects=True).get_data(as_text=True)
    assert flashes(deleted)[0] == f"Award {award.id}: accepted -&gt; deleted."
    assert award_of(db).state == AwardState.REVOKED and award_of(db).provider_state == "deleted"
    missing = admin.post("/connections/nope/sync", follow_redirects=True).get_data(as_text=True)
    assert "nope" in flashes(missing)[0]

    page = admin.text(f"/awards/{award.id}")
    assert buttons(page) == ["Reissue"]
    reissued = admin.post(f"/awards/{award.id}/reissue", follow_redirects=True).get_data(as_text=True)
    assert flashes(reissued) == [f"Award {award.id} queued to be issued again: 1 award(s): 1 issued."]
    assert award_of(db).state == AwardState.ISSUED and ("t1", EMAIL) in fake.issued
    assert ("reissue", "requeued", "", "was deleted on the provider", "command line") in history_rows(
        reissued
    )


def test_a_viewer_sees_the_history_but_no_lifecycle_buttons(admin, viewer, course, db, fake):
    fake.failures.append(AuthenticationFailed("Fake refused the key", status=401))
    admin.post("/learners/complete", {"email": EMAIL, "object": "course:C1"})
    award = award_of(db)
    page = viewer.text(f"/awards/{award.id}")
    assert history_rows(page)[0][:2] == ("issue", "refused")
    assert buttons(page) == []
    assert "Sync with provider" not in viewer.text("/connections/")
    assert "Cancel the ticked awards" not in viewer.text("/awards/")
