"""The provider declaration, its settings schema as the host applies it, and loading through the host."""

from __future__ import annotations

import jsonschema
import pytest

from badgebridge.core.errors import ConfigurationError
from badgebridge.core.plugin_manager import PluginHost
from badgebridge.core.settings import validate_settings
from badgebridge.plugins.credly import provider
from tests.credly.fake_credly import ORG_ID, TOKEN

DECLARATION = provider.declare_provider()


def test_declaration_names_credly_and_marks_the_token_and_client_secret_secret():
    assert (DECLARATION.name, DECLARATION.title) == ("credly", "Credly")
    assert DECLARATION.secret_settings == ("token", "client_secret")
    assert DECLARATION.secret_lifetime_days("token") == 180
    assert DECLARATION.secret_lifetime_days("client_secret") is None


def test_schema_is_draft_2020_12_with_the_documented_properties():
    schema = DECLARATION.settings_schema
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["org_id"]
    assert schema["properties"]["auth"]["enum"] == ["token", "oauth"]
    assert schema["properties"]["auth"]["default"] == "token"
    props = schema["properties"]
    assert props["org_id"] == props["org_id"] | {"type": "string", "minLength": 1, "title": "Organization ID"}
    assert props["token"] | {"writeOnly": True, "minLength": 1} == props["token"]
    assert props["token"]["title"] == "Authorization token"
    host = props["host"]
    assert (host["format"], host["default"], host["title"]) == ("host", "api.credly.com", "Hostname")
    for example in ("api.credly.com", "sandbox-api.credly.com", "http://127.0.0.1:8123"):
        assert example in host["description"]


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"token": TOKEN}, "'org_id' is required"),
        ({"org_id": ORG_ID}, "'token' is required"),
        ({"org_id": ORG_ID, "token": ""}, "'token' is not valid"),
        ({"org_id": "", "token": TOKEN}, "'org_id'"),
        ({"org_id": ORG_ID, "token": TOKEN, "api_key": "x"}, "no setting 'api_key'"),
        ({"org_id": ORG_ID, "token": TOKEN, "host": "ftp://api.credly.com"}, "not a valid host"),
        ({"org_id": ORG_ID, "auth": "oauth", "client_secret": "s3cret-value"}, "'client_id' is required"),
        ({"org_id": ORG_ID, "auth": "oauth", "client_id": "app"}, "'client_secret' is required"),
        ({"org_id": ORG_ID, "auth": "basic", "token": TOKEN}, "'auth'"),
    ],
)
def test_the_host_rejects_bad_settings(settings, complaint):
    with pytest.raises(ConfigurationError, match=complaint):
        validate_settings(DECLARATION, settings)


@pytest.mark.parametrize(
    ("host", "normalised"),
    [
        ("api.credly.com", "https://api.credly.com"),
        ("https://sandbox-api.credly.com/", "https://sandbox-api.credly.com"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
    ],
)
def test_the_host_normalises_the_hostname(host, normalised):
    settings = validate_settings(DECLARATION, {"org_id": ORG_ID, "token": TOKEN, "host": host})
    assert settings["host"] == normalised


def test_the_plugin_loads_through_the_host_with_every_hook():
    host = PluginHost()
    assert host.register(provider, "credly", "0.1.0")
    assert host.errors == []
    credly = host.provider("Credly")
    assert credly.title == "Credly"
    optional = ("find_badge", "fetch_badge", "revoke_badge", "fetch_event", "subscribe_events")
    assert all(credly.supports(hook) for hook in (*optional, "rotate_token", "push_learners"))
    [info] = host.plugins()
    assert info.hooks == [
        "connect",
        "declare_provider",
        "fetch_badge",
        "fetch_event",
        "find_badge",
        "import_badges",
        "issue_badge",
        "push_learners",
        "revoke_badge",
        "rotate_token",
        "subscribe_events",
    ]
    assert info.providers == ["credly"]
