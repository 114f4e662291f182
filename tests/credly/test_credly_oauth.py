"""OAuth mode: client credentials for Bearer tokens, renewed when they expire or are refused."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs

import httpx
import pytest

from badgebridge.core.errors import AuthenticationFailed, ConfigurationError
from badgebridge.core.settings import make_connection, split_secrets, validate_settings
from badgebridge.plugins.credly import provider
from badgebridge.plugins.credly.oauth import ClientCredentials, token_url_for
from tests.credly.fake_credly import ORG_ID, envelope

CLIENT_ID = "app-7f3e"
SECRET = "cs-5b4a39d8e7f6a5b4-secret"
ORGANIZATION = {"id": ORG_ID, "name": "Acme Academy"}


def oauth_conn(host: str = "http://127.0.0.1:8123", **extra):
    declaration = provider.declare_provider()
    settings = {
        "org_id": ORG_ID,
        "auth": "oauth",
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "host": host,
    }
    plain, secrets = split_secrets(declaration, validate_settings(declaration, settings | extra))
    return make_connection("oauth-test", declaration, plain, secrets)


class FakeOAuthCredly:
    """A token endpoint handing out numbered tokens, and an API that accepts only the live ones."""

    def __init__(self, expires_in: int = 7200) -> None:
        self.expires_in = expires_in
        self.issued: list[str] = []
        self.live: set[str] = set()
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith("/oauth/token"):
            form = parse_qs(request.content.decode())
            basic = base64.b64decode(request.headers["Authorization"].split()[1]).decode()
            if form.get("client_secret") != [SECRET] or basic != f"{CLIENT_ID}:{SECRET}":
                return httpx.Response(401, json={"error": "invalid_client"})
            token = f"bearer-{len(self.issued) + 1}-abcdefgh"
            self.issued.append(token)
            self.live.add(token)
            return httpx.Response(
                200,
                json={
                    "access_token": token,
                    "token_type": "Bearer",
                    "expires_in": self.expires_in,
                    "scope": "",
                },
            )
        if request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.live:
            return httpx.Response(
                401, json={"data": {"message": "You specified an invalid authorization token."}}
            )
        return httpx.Response(200, json=envelope(ORGANIZATION))

    @property
    def paths(self) -> list[str]:
        return [request.url.path for request in self.requests]


@pytest.fixture
def oauth_credly():
    from badgebridge.plugins.credly import client as credly_client

    fake = FakeOAuthCredly()
    credly_client.set_transport(httpx.MockTransport(fake))
    yield fake
    credly_client.set_transport(None)


@pytest.mark.parametrize(
    ("base", "token_url"),
    [
        ("https://api.credly.com/v1", "https://www.credly.com/oauth/token"),
        ("https://sandbox-api.credly.com/v1", "https://sandbox.credly.com/oauth/token"),
        ("http://127.0.0.1:8123/v1", "http://127.0.0.1:8123/oauth/token"),
    ],
)
def test_the_token_endpoint_follows_credlys_docs(base, token_url):
    assert token_url_for(base) == token_url


def test_the_first_call_fetches_a_bearer_token_then_reuses_it(oauth_credly):
    conn = oauth_conn()
    provider.connect(connection=conn)
    provider.connect(connection=conn)
    assert oauth_credly.paths == [
        "/oauth/token",
        f"/v1/organizations/{ORG_ID}",
        f"/v1/organizations/{ORG_ID}",
    ]
    token_request = oauth_credly.requests[0]
    assert parse_qs(token_request.content.decode())["grant_type"] == ["client_credentials"]
    assert oauth_credly.requests[1].headers["Authorization"] == "Bearer bearer-1-abcdefgh"


def test_a_token_refused_early_is_renewed_and_the_call_repeated(oauth_credly):
    conn = oauth_conn()
    provider.connect(connection=conn)
    oauth_credly.live.clear()  # Credly revoked it (or it expired sooner than it said)
    assert provider.connect(connection=conn).account_name == "Acme Academy"
    assert oauth_credly.paths[-3:] == [
        "/v1/organizations/" + ORG_ID,
        "/oauth/token",
        "/v1/organizations/" + ORG_ID,
    ]
    assert oauth_credly.requests[-1].headers["Authorization"] == "Bearer bearer-2-abcdefgh"


def test_an_expired_token_is_renewed_before_the_call():
    fake = FakeOAuthCredly(expires_in=60)
    now = [1000.0]
    auth = ClientCredentials("http://127.0.0.1:8123/oauth/token", CLIENT_ID, SECRET, clock=lambda: now[0])
    with httpx.Client(transport=httpx.MockTransport(fake), auth=auth) as http:
        assert http.get(f"http://127.0.0.1:8123/v1/organizations/{ORG_ID}").status_code == 200
        now[0] += 30
        assert http.get(f"http://127.0.0.1:8123/v1/organizations/{ORG_ID}").status_code == 200
        assert fake.issued == ["bearer-1-abcdefgh"], "still fresh: reused"
        now[0] += 30  # 60 s: expired
        assert http.get(f"http://127.0.0.1:8123/v1/organizations/{ORG_ID}").status_code == 200
    assert fake.issued == ["bearer-1-abcdefgh", "bearer-2-abcdefgh"]
    assert fake.paths.count("/oauth/token") == 2
    assert fake.requests[-1].headers["Authorization"] == "Bearer bearer-2-abcdefgh"


def test_refused_client_credentials_are_one_masked_error(oauth_credly):
    conn = oauth_conn()
    wrong = make_connection(
        "oauth-test",
        provider.declare_provider(),
        {k: v for k, v in conn.settings.items() if k != "client_secret"},
        {"client_secret": "wrong-secret-0000"},
    )
    with pytest.raises(AuthenticationFailed) as caught:
        provider.connect(connection=wrong)
    assert "refused the OAuth client credentials" in str(caught.value)
    assert "invalid_client" in str(caught.value)
    assert "wrong-secret" not in str(caught.value) and SECRET not in str(caught.value)


def test_the_scope_and_oauth_url_settings_are_used(oauth_credly):
    conn = oauth_conn(
        oauth_scope="badge_templates issued_badges", oauth_url="http://127.0.0.1:8123/v1/oauth/token"
    )
    provider.connect(connection=conn)
    token_request = oauth_credly.requests[0]
    assert token_request.url.path == "/v1/oauth/token"
    assert parse_qs(token_request.content.decode())["scope"] == ["badge_templates issued_badges"]


def test_oauth_mode_needs_the_client_id_and_secret_not_a_token():
    declaration = provider.declare_provider()
    with pytest.raises(ConfigurationError, match="'client_secret' is required"):
        validate_settings(declaration, {"org_id": ORG_ID, "auth": "oauth", "client_id": CLIENT_ID})
    settings = validate_settings(
        declaration, {"org_id": ORG_ID, "auth": "oauth", "client_id": "a", "client_secret": "b"}
    )
    assert "token" not in settings


def test_rotating_is_refused_in_oauth_mode(oauth_credly):
    from badgebridge.core.errors import ProviderRefused

    with pytest.raises(ProviderRefused, match="only an authorization token"):
        provider.rotate_token(connection=oauth_conn())
    assert oauth_credly.requests == []
