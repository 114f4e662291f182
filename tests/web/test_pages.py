"""Every page of the console, driven through its forms with Flask's test client (the in-test provider)."""

from __future__ import annotations

import csv
import io
import re

from badgebridge.core.errors import AuthenticationFailed, ProviderUnavailable
from badgebridge.core.model import AwardState
from badgebridge.core.services import awards, catalog, connections, learners, skills
from badgebridge.core.services import learning_objects as objects
from tests.migration.alm import BADGE_HEADER, D, write_csv
from tests.rows import add_instance
from tests.web.conftest import SETTINGS, flashes


def test_the_connect_form_is_made_from_each_providers_settings_schema(admin, app):
    fake = admin.text("/connections/connect/fake")
    assert "Fake → Connect" in fake
    assert "Connection Name" in fake and "Account" in fake and "API key" in fake
    assert '<input type="password" name="setting_api_key"' in fake
    assert 'placeholder="fake.example.org"' in fake  # the schema's default for host
    from badgebridge.plugins.credly import provider as credly_plugin

    app.extensions["badgebridge"].host.register(credly_plugin, "credly", "1")
    credly = admin.text("/connections/connect/credly")
    for label in ("Connection Name", "Organization ID", "Authorization token", "Hostname"):
        assert label in credly
    assert '<input type="password" name="setting_token"' in credly
    assert admin.get("/connections/connect/nope").status_code == 404


def test_connecting_verifies_with_the_provider_then_saves(admin, db, fake):
    fake.key = "another-key-5678"
    refused = admin.post("/connections/connect/fake", SETTINGS)
    assert refused.status_code == 422
    assert "connection &#39;c1&#39; (Fake): Fake refused the key" in refused.get_data(as_text=True)
    assert connections.all_connections(db) == []
    fake.key = "secret-key-1234"
    missing = admin.post("/connections/connect/fake", {"name": "c1", "setting_api_key": "secret-key-1234"})
    assert "Fake setting &#39;account&#39; is required" in missing.get_data(as_text=True)
    done = admin.post("/connections/connect/fake", SETTINGS, follow_redirects=True)
    assert "Connected &#39;c1&#39; to the Fake account &#39;Account acme&#39;." in done.get_data(as_text=True)
    record = connections.get(db, "c1")
    assert record.settings == {"account": "acme", "host": "https://fake.example.org"}
    tested = admin.post("/connections/c1/test", follow_redirects=True).get_data(as_text=True)
    assert "&#39;c1&#39; works" in tested


def test_connections_are_tested_and_removed_from_their_page(admin, connected, db):
    page = admin.post("/connections/c1/remove", follow_redirects=True).get_data(as_text=True)
    assert "still carries 2 badge(s)" in page
    assert connections.get(db, "c1")


def test_catalog_imports_lists_filters_and_retires(admin, connected, db, fake):
    page = admin.text("/badges/")
    assert "Template One" in page and "Template Two" in page
    one = connected["Template One"]
    done = admin.post(f"/badges/{one}/retire", follow_redirects=True).get_data(as_text=True)
    assert f"Badge &#39;{one}&#39; retired." in done
    assert catalog.get_badge(db, one).state == "Retired"
    retired = admin.text("/badges/?state=retired")
    assert "Template One" in retired and "Template Two" not in retired
    again = admin.post(f"/badges/{one}/retire", follow_redirects=True).get_data(as_text=True)
    assert "was retired already" in again
    fake.key = "rotated-0000"
    failed = admin.post("/badges/import", {"connection": "c1"}, follow_redirects=True).get_data(as_text=True)
    assert "Fake refused the key" in failed


def test_a_skill_is_made_of_a_badge_with_levels_and_credits(admin, connected, db):
    badge = connected["Template Two"]
    assert f'<option value="{badge}" selected>' in admin.text(f"/skills/?badge={badge}")
    admin.post("/skills/", {"name": "Leadership", "badge": badge, "level": "2", "max_credits": "3"})
    (skill,) = skills.list_skills(db)
    assert skill.id == "leadership" and skill.level(2).max_credits == 3 and skill.level(2).badge_id == badge
    page = admin.text("/skills/")
    assert "Level 2: 3 credit(s), badge" in page
    bad = admin.post("/skills/", {"name": "Leadership", "level": "4"}, follow_redirects=True)
    assert "level must be 1, 2 or 3, not 4" in bad.get_data(as_text=True)


def test_the_skill_form_refuses_a_name_another_skill_has(admin, db):
    admin.post("/skills/", {"name": "Leadership"})
    taken = admin.post("/skills/", {"name": "LEADERSHIP", "skill_id": "lead-2"}, follow_redirects=True)
    assert flashes(taken.get_data(as_text=True)) == [
        "a skill named &#39;Leadership&#39; exists already, with id &#39;leadership&#39;: give that id "
        "to add a level to it, or choose another name"
    ]
    assert [skill.id for skill in skills.list_skills(db)] == ["leadership"]


def test_learning_objects_get_badges_and_skill_credits_and_lose_them(admin, connected, db):
    admin.post("/learning-objects/", {"kind": "certification", "object_id": "CERT", "name": "Cert"})
    admin.post("/skills/", {"name": "Leadership", "badge": connected["Template Two"], "max_credits": "2"})
    admin.post(
        "/learning-objects/assign-badge", {"object": "certification:CERT", "badge": connected["Template One"]}
    )
    admin.post(
        "/learning-objects/assign-skill",
        {"object": "certification:CERT", "skill": "leadership", "level": "1"},
    )
    (obj,) = objects.list_objects(db)
    assert obj.badge_id == connected["Template One"]
    assert obj.skill_credits == [{"skill_id": "leadership", "level": 1, "credits": 2.0}]
    assert "leadership</code> level 1: 2" in admin.text("/learning-objects/")
    admin.post("/learning-objects/certification/CERT/detach-badge")
    page = admin.post(
        "/learning-objects/certification/CERT/detach-skill",
        {"skill": "leadership", "level": "1"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "grants no credits towards skill &#39;leadership&#39; level 1 now" in page
    (obj,) = objects.list_objects(db)
    assert obj.badge_id is None and obj.skill_credits == []
    over = admin.post(
        "/learning-objects/assign-skill",
        {"object": "certification:CERT", "skill": "leadership", "credits": "5"},
        follow_redirects=True,
    )
    assert "at most the level&#39;s maxCredits (2)" in over.get_data(as_text=True)


def test_detach_takes_off_the_badge_the_page_showed_from_the_object_or_an_instance(admin, connected, db):
    one, two = connected["Template One"], connected["Template Two"]
    objects.add(db, "course", "C1", "Intro")
    add_instance(db, "course", "C1", "I1")
    objects.assign_badge(db, "course", "C1", one)
    objects.assign_badge(db, "course", "C1", two, instance_id="I1")
    page = admin.text("/learning-objects/")
    assert page.count(">Detach</button>") == 2
    objects.assign_badge(db, "course", "C1", two)  # changed since the page was shown
    stale = admin.post("/learning-objects/course/C1/detach-badge", {"badge": one}, follow_redirects=True)
    assert flashes(stale.get_data(as_text=True)) == [
        "Course &#39;C1&#39; did not carry badge &#39;" + one + "&#39;."
    ]
    instance = admin.post(
        "/learning-objects/course/C1/detach-badge", {"badge": two, "instance": "I1"}, follow_redirects=True
    )
    assert flashes(instance.get_data(as_text=True)) == [
        "Course &#39;C1&#39; instance &#39;I1&#39; carries no badge now."
    ]
    (obj,) = objects.list_objects(db)
    assert (obj.badge_id, obj.instance_badges) == (two, {})


def test_a_completion_issues_the_badge_and_the_learner_sees_it(admin, course, db, fake):
    page = admin.post(
        "/learners/complete", {"email": "noor@example.org", "object": "course:C1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Recorded: noor@example.org completed course &#39;C1&#39;. 1 award(s): 1 issued." in page
    assert ("t1", "noor@example.org") in fake.issued
    again = admin.post(
        "/learners/complete", {"email": "noor@example.org", "object": "course:C1"}, follow_redirects=True
    )
    assert "had completed course &#39;C1&#39; already; nothing changed" in again.get_data(as_text=True)
    view = admin.text("/learners/badges?email=noor@example.org")
    assert "Template One" in view and "https://fake/b1" in view and "pending" in view
    assert admin.get("/learners/badges?email=nobody@example.org").status_code == 404


def test_assigning_to_a_completed_object_issues_to_earlier_completers(admin, course, db, fake):
    admin.post("/learners/complete", {"email": "noor@example.org", "object": "course:C1"})
    page = admin.post(
        "/learning-objects/assign-badge",
        {"object": "course:C1", "badge": course["Template Two"]},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Earlier completers: 1 award(s): 1 issued." in page
    assert ("t2", "noor@example.org") in fake.issued


def test_a_failed_award_is_retried_from_its_page(admin, course, db, fake):
    fake.failures.append(AuthenticationFailed("Fake refused the key", status=401))
    admin.post("/learners/complete", {"email": "noor@example.org", "object": "course:C1"})
    (award,) = awards.list_awards(db)
    assert award.state == AwardState.FAILED
    page = admin.text(f"/awards/{award.id}")
    assert "Fake refused the key" in page and "Retry now" in page
    done = admin.post(f"/awards/{award.id}/retry", follow_redirects=True).get_data(as_text=True)
    assert "1 award(s): 1 issued." in done
    assert awards.get(db, award.id).state == AwardState.ISSUED
    assert "Retry now" not in done
    noop = admin.post(f"/awards/{award.id}/retry", follow_redirects=True).get_data(as_text=True)
    assert flashes(noop) == [
        f"Award {award.id} is issued; left alone.",
        "No failed, waiting or abandoned awards; nothing changed.",
    ]


def test_ticked_awards_are_retried_from_the_list(admin, course, db, fake):
    fake.failures.extend([ProviderUnavailable("Fake is down", status=503)] * 1)
    admin.post("/learners/complete", {"email": "noor@example.org", "object": "course:C1"})
    (award,) = awards.list_awards(db)
    assert award.state == AwardState.QUEUED and award.error == "Fake is down"
    listing = admin.text("/awards/")
    assert f'name="award" value="{award.id}"' in listing and "Fake is down" in listing
    admin.post("/awards/retry", {"award": str(award.id)})
    assert awards.get(db, award.id).state == AwardState.ISSUED


def test_an_issued_award_is_revoked_with_a_reason(admin, course, db, fake):
    admin.post("/learners/complete", {"email": "noor@example.org", "object": "course:C1"})
    (award,) = awards.list_awards(db)
    refused = admin.post(f"/awards/{award.id}/revoke", {"reason": " "}, follow_redirects=True)
    assert "A reason is required" in refused.get_data(as_text=True)
    done = admin.post(f"/awards/{award.id}/revoke", {"reason": "issued by mistake"}, follow_redirects=True)
    assert f"Award {award.id} revoked on the provider." in done.get_data(as_text=True)
    assert awards.get(db, award.id).revoke_reason == "issued by mistake"
    again = admin.post(f"/awards/{award.id}/revoke", {"reason": "twice"}, follow_redirects=True)
    assert flashes(again.get_data(as_text=True)) == [
        f"Award {award.id} was revoked already (issued by mistake); nothing changed."
    ]


def test_awards_are_filtered_by_state_badge_object_connection_learner_and_date(admin, course, db, fake):
    learners.add(db, "sam@example.org", "Sam", "Lee")
    objects.add(db, "course", "C2", "Other")
    objects.assign_badge(db, "course", "C2", course["Template Two"])
    fake.failures.append(AuthenticationFailed("Fake refused the key", status=401))
    admin.post("/learners/complete", {"email": "noor@example.org", "object": "course:C1"})  # fails
    admin.post("/learners/complete", {"email": "sam@example.org", "object": "course:C2"})

    def shown(query: str) -> list[str]:
        page = admin.text(f"/awards/{query}")
        return re.findall(r"<td>([a-z]+@example\.org)</td>", page)

    assert sorted(shown("")) == ["noor@example.org", "sam@example.org"]
    assert shown("?state=failed") == ["noor@example.org"]
    assert shown(f"?badge={course['Template Two']}") == ["sam@example.org"]
    assert shown("?object=course:C1") == ["noor@example.org"]
    assert sorted(shown("?connection=c1")) == ["noor@example.org", "sam@example.org"]
    assert shown("?learner=SAM@example.org") == ["sam@example.org"]
    assert shown("?since=2000-01-01&until=2000-12-31") == []
    assert len(shown("?since=2000-01-01")) == 2
    assert admin.get("/awards/?since=yesterday").status_code == 400
    assert admin.get("/awards/?state=lost").status_code == 400
    export = admin.get("/awards/export.csv?state=failed")
    assert export.headers["Content-Disposition"] == "attachment; filename=awards.csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert [(r["learner_email"], r["state"], r["error"]) for r in rows] == [
        ("noor@example.org", "failed", "Fake refused the key")
    ]


def test_the_dashboard_counts_states_charts_issues_and_groups_failures(admin, course, db, fake):
    learners.add(db, "sam@example.org", "Sam", "Lee")
    learners.add(db, "kim@example.org", "Kim", "Ito")
    fake.failures.extend([AuthenticationFailed("Fake refused the key", status=401)] * 2)
    for email in ("noor@example.org", "sam@example.org", "kim@example.org"):
        admin.post("/learners/complete", {"email": email, "object": "course:C1"})
    page = admin.text("/")
    found = re.findall(r'<span class="number">(\d+)</span><span class="state (\w+)">', page)
    counts = {state: n for n, state in found}
    assert counts["issued"] == "1" and counts["failed"] == "2" and counts["queued"] == "0"
    assert "Issued per hour, last 3 day(s): 1" in page
    assert page.count('<rect class="bar"') == 1
    assert re.search(r'<td class="error-text">Fake refused the key</td><td>2</td>', page)
    week = admin.text("/?days=7")
    assert "last 7 day(s)" in week


def test_migration_uploads_report_each_file_and_offer_the_error_file(admin, connected, db, tmp_path):
    source = tmp_path / "alm"
    source.mkdir()
    write_csv(
        source,
        "badge.csv",
        BADGE_HEADER,
        [
            ["B1", "Local badge", D, D, "Active", "https://img/1.png", "", ""],
            ["B2", "Broken", D, D, "Sleeping", "https://img/2.png", "", ""],
        ],
    )
    with open(source / "badge.csv", "rb") as upload:
        response = admin.post(
            "/migrate/", {"files": (upload, "badge.csv")}, content_type="multipart/form-data"
        )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r"<td>badge.csv</td><td>2</td><td>1</td><td>0</td><td>1</td>", page)
    link = re.search(r'href="(/migrate/[0-9a-f]{16}/errors/badge.errors.csv)"', page).group(1)
    errors = admin.get(link)
    assert errors.status_code == 200
    rows = list(csv.reader(io.StringIO(errors.get_data(as_text=True))))
    assert rows[1][0] == "B2" and "row 3, column state" in rows[1][-1]
    assert catalog.get_badge(db, "B1").name == "Local badge"
    assert admin.get("/migrate/../../etc/errors/passwd").status_code == 404
    assert admin.get(link.replace("badge.errors.csv", "badge.csv")).status_code == 404
    empty = admin.post("/migrate/", {}, content_type="multipart/form-data")
    assert empty.status_code == 400 and "choose one or more CSV files" in empty.get_data(as_text=True)


def test_an_empty_chart_labels_its_axis_once(admin):
    page = admin.text("/")
    assert "Issued per hour, last 3 day(s): 0" in page
    assert re.findall(r'text-anchor="end">(\d+)</text>', page) == ["0"]
    assert '<rect class="bar"' not in page
