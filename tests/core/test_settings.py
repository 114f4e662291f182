"""Settings validation: jsonschema first, errors name the field and never echo a secret."""

from __future__ import annotations

import pytest

from badgebridge.core.errors import ConfigurationError
from badgebridge.core.model import ProviderDeclaration
from badgebridge.core.secrets import Secret, mask
from badgebridge.core.settings import make_connection, validate_settings
from tests.fake_provider import SCHEMA

DECLARATION = ProviderDeclaration(name="fake", title="Fake", settings_schema=SCHEMA)


def test_missing_setting_is_named():
    with pytest.raises(ConfigurationError, match=r"Fake setting 'account' is required"):
        validate_settings(DECLARATION, {"api_key": "abcdefghij"})


def test_unknown_setting_is_named_with_the_known_ones():
    with pytest.raises(
        ConfigurationError, match=r"no setting 'region' \(its settings: account, api_key, host\)"
    ):
        validate_settings(DECLARATION, {"account": "a", "api_key": "abcdefghij", "region": "eu"})


def test_invalid_secret_is_named_without_its_value():
    with pytest.raises(ConfigurationError) as caught:
        validate_settings(DECLARATION, {"account": "a", "api_key": "short"})
    assert "'api_key'" in str(caught.value)
    assert "short" not in str(caught.value)


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("api.credly.com", "https://api.credly.com"),
        ("Sandbox-API.credly.com/", "https://sandbox-api.credly.com"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("https://api.credly.com/v1/", "https://api.credly.com/v1"),
    ],
)
def test_hosts_are_normalised(given, normalised):
    settings = validate_settings(DECLARATION, {"account": "a", "api_key": "abcdefghij", "host": given})
    assert settings["host"] == normalised


@pytest.mark.parametrize(
    "bad", ["ftp://x.org", "not a host", "http://", "http://x.org?q=1", "http://h:99999"]
)
def test_bad_hosts_are_refused(bad):
    with pytest.raises(ConfigurationError, match=r"setting 'host'"):
        validate_settings(DECLARATION, {"account": "a", "api_key": "abcdefghij", "host": bad})


def test_defaults_apply():
    assert (
        validate_settings(DECLARATION, {"account": "a", "api_key": "abcdefghij"})["host"]
        == "https://fake.example.org"
    )


def test_secrets_are_masked_everywhere_but_reveal():
    connection = make_connection("c", DECLARATION, {"account": "a"}, {"api_key": "abcdefghijkl"})
    key = connection.settings["api_key"]
    assert isinstance(key, Secret)
    assert key.reveal() == "abcdefghijkl"
    for shown in (str(key), repr(key), f"{key}", repr(connection)):
        assert "abcdefghijkl" not in shown
    assert mask("abcdefghijkl") == "********ijkl"
    assert mask("short") == "*****"
