"""`POST /oauth/token` (and `/v1/oauth/token`): OAuth 2.0 client credentials for a Bearer token.

The client id and secret come as HTTP Basic or in the body (form or JSON); `scope` is space-separated
(commas and `+` read as spaces). Answers and errors are in OAuth 2.0's own shape (RFC 6749 §5).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from .. import parsing
from ..exceptions import InvalidClient, InvalidOAuthRequest, UnsupportedGrantType
from .helpers import backend
from .v1 import guard_api

oauth = Blueprint("oauth", __name__)


@oauth.before_request
def _checks() -> None:
    guard_api("oauth_token")


@oauth.post("/oauth/token")
@oauth.post("/v1/oauth/token")
def oauth_token() -> tuple[Response, int, dict[str, str]]:
    body = {key: str(value) for key, value in parsing.read_body().items() if value is not None}
    grant_type = body.get("grant_type")
    if not grant_type:
        raise InvalidOAuthRequest("grant_type is required.")
    if grant_type != "client_credentials":
        raise UnsupportedGrantType()
    pair = parsing.basic_pair(request.headers.get("Authorization"))
    client_id, client_secret = pair or (body.get("client_id"), body.get("client_secret"))
    if not client_id or client_secret is None:
        raise InvalidClient()
    scopes = body.get("scope", "").replace(",", " ").replace("+", " ").split()
    access = backend().issue_access_token(client_id, client_secret, scopes or None)
    answer = {
        "access_token": access.token,
        "token_type": "Bearer",
        "expires_in": access.application.expires_in,
        "scope": " ".join(access.scopes),
        "created_at": int(access.created_at.timestamp()),
    }
    return jsonify(answer), 200, {"Cache-Control": "no-store", "Pragma": "no-cache"}
