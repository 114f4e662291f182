"""Acme Badges: an example provider whose "server" is a JSON file (the ``store`` setting).

The file holds the account, its API key, its badge templates and the badges issued so far::

    {"account": "Acme Academy", "api_key": "acme-key-42",
     "templates": [{"id": "tpl-1", "name": "Rocket Scientist"}], "badges": []}

Every hook opens the file the way a real plugin calls its provider's API: a missing file is an
unreachable provider, a wrong key is refused.
"""

import json
from pathlib import Path

from badgebridge import (
    AlreadyIssued,
    AuthenticationFailed,
    ConnectionInfo,
    IssuedBadge,
    ProviderBadge,
    ProviderDeclaration,
    ProviderRefused,
    ProviderUnavailable,
    hookimpl,
)


@hookimpl
def declare_provider():
    return ProviderDeclaration(
        name="acme",
        title="Acme Badges",
        settings_schema={
            "type": "object",
            "additionalProperties": False,
            "required": ["store", "api_key"],
            "properties": {
                "store": {"type": "string", "title": "Store file"},
                "api_key": {"type": "string", "writeOnly": True, "minLength": 6, "title": "API key"},
            },
        },
    )


@hookimpl
def connect(connection):
    _, store = _call(connection)
    return ConnectionInfo(account_name=store["account"])


@hookimpl
def import_badges(connection):
    _, store = _call(connection)
    templates = [t for t in store["templates"] if t.get("state", "active") == "active"]
    return [ProviderBadge(t["id"], t["name"], t.get("description", "")) for t in templates]


@hookimpl
def issue_badge(connection, request):
    path, store = _call(connection)
    if request.external_badge_id not in {t["id"] for t in store["templates"]}:
        raise ProviderRefused(f"Acme has no badge template {request.external_badge_id!r}", status=404)
    if _held(store, request) is not None:
        raise AlreadyIssued("Acme says: the recipient already has this badge", status=422)
    badge = {
        "id": f"acme-{len(store['badges']) + 1}",
        "template": request.external_badge_id,
        "email": request.recipient.email,
        "state": "issued",
    }
    store["badges"].append(badge)
    path.write_text(json.dumps(store, indent=2))
    return _issued(badge)


@hookimpl
def find_badge(connection, request):
    _, store = _call(connection)
    badge = _held(store, request)
    return _issued(badge) if badge else None


@hookimpl
def fetch_badge(connection, provider_badge_id):
    _, store = _call(connection)
    return _issued(_badge(store, provider_badge_id))


@hookimpl
def revoke_badge(connection, provider_badge_id, reason):
    path, store = _call(connection)
    badge = _badge(store, provider_badge_id)
    badge["state"], badge["reason"] = "revoked", reason
    path.write_text(json.dumps(store, indent=2))
    return _issued(badge)


def _call(connection):
    """The store, once the key is checked: what an API call to the provider would be."""
    path = Path(connection.settings["store"])
    try:
        store = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ProviderUnavailable(f"cannot reach Acme at {path}: {type(exc).__name__}") from None
    if connection.settings["api_key"].reveal() != store["api_key"]:
        raise AuthenticationFailed("Acme says: bad key", status=401)
    return path, store


def _held(store, request):
    """The badge of this template the recipient holds (issued, not revoked), if any."""
    wanted = (request.external_badge_id, request.recipient.email, "issued")
    return next((b for b in store["badges"] if (b["template"], b["email"], b["state"]) == wanted), None)


def _badge(store, provider_badge_id):
    for badge in store["badges"]:
        if badge["id"] == provider_badge_id:
            return badge
    raise ProviderRefused(f"Acme has no badge {provider_badge_id!r}", status=404)


def _issued(badge):
    return IssuedBadge(badge["id"], badge["state"], f"https://acme.example/badges/{badge['id']}")
