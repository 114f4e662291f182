"""Fixtures for the console: the app on a fresh database with the in-test provider, and users."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from badgebridge.core.services import catalog
from badgebridge.core.services import users as user_service
from badgebridge.web import create_app

ADMIN = ("admin@example.org", "correct horse battery")
VIEWER = ("viewer@example.org", "viewer password 123")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SETTINGS = {"name": "c1", "setting_account": "acme", "setting_api_key": "secret-key-1234"}


@pytest.fixture
def app(db, host, tmp_path):
    user_service.add(db, *ADMIN, role="admin")
    user_service.add(db, *VIEWER, role="viewer")
    application = create_app(
        database=db, host=host, secret_key="test-secret", upload_dir=tmp_path / "uploads"
    )
    application.config["TESTING"] = True
    return application


@dataclass
class Session:
    """A test client that logs in like a person and sends each form with the page's CSRF token."""

    client: FlaskClient

    def token(self, path: str = "/login") -> str:
        found = CSRF.search(self.client.get(path).get_data(as_text=True))
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def login(self, email: str, password: str):
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": self.token()}
        )

    def post(self, path: str, data: dict | None = None, **kwargs):
        return self.client.post(path, data={"csrf_token": self.token("/")} | (data or {}), **kwargs)

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def text(self, path: str, status: int = 200) -> str:
        response = self.client.get(path)
        assert response.status_code == status, (path, response.status_code)
        return response.get_data(as_text=True)


@pytest.fixture
def anonymous(app) -> Session:
    return Session(app.test_client())


@pytest.fixture
def admin(app) -> Session:
    session = Session(app.test_client())
    assert session.login(*ADMIN).status_code == 302
    return session


@pytest.fixture
def viewer(app) -> Session:
    session = Session(app.test_client())
    assert session.login(*VIEWER).status_code == 302
    return session


@pytest.fixture
def connected(admin, db):
    """c1 connected through the form and its two templates imported."""
    assert admin.post("/connections/connect/fake", SETTINGS).status_code == 302
    assert admin.post("/badges/import", {"connection": "c1"}).status_code == 302
    return {badge.name: badge.id for badge in catalog.list_badges(db)}


@pytest.fixture
def course(admin, connected, db):
    """Course C1 carrying Template One, and a learner."""
    admin.post("/learning-objects/", {"kind": "course", "object_id": "C1", "name": "Intro"})
    admin.post("/learning-objects/assign-badge", {"object": "course:C1", "badge": connected["Template One"]})
    admin.post("/learners/", {"email": "noor@example.org", "first_name": "Noor", "last_name": "Haddad"})
    return connected


def flashes(page: str) -> list[str]:
    return re.findall(r'<p class="flash \w+" role="status">([^<]*)</p>', page)
