"""The Connect form made from a settings schema: one field per property, typed as the schema says."""

from __future__ import annotations

from badgebridge.core.model import ProviderDeclaration
from badgebridge.web.settings_form import fields_of, kept_values, read_settings

DECLARATION = ProviderDeclaration(
    name="other",
    title="Other",
    settings_schema={
        "type": "object",
        "required": ["client_id", "secret"],
        "properties": {
            "client_id": {"type": "string", "title": "Client ID", "description": "From the app page."},
            "secret": {
                "type": "string",
                "writeOnly": True,
                "title": "Client secret",
                "default": "never-shown",
            },
            "region": {"type": "string", "enum": ["us", "eu"], "default": "us"},
            "rate_limit": {"type": "number", "title": "Requests per second"},
            "page_size": {"type": "integer", "default": 50},
            "sandbox": {"type": "boolean"},
        },
    },
)


def test_every_property_becomes_a_field_of_its_kind():
    fields = {field.key: field for field in fields_of(DECLARATION)}
    assert [f.key for f in fields_of(DECLARATION)] == list(DECLARATION.settings_schema["properties"])
    assert (fields["client_id"].label, fields["client_id"].help, fields["client_id"].required) == (
        "Client ID",
        "From the app page.",
        True,
    )
    assert fields["secret"].kind == "password" and fields["secret"].placeholder == ""
    assert fields["region"].kind == "select" and fields["region"].choices == ("us", "eu")
    assert fields["rate_limit"].kind == "number" and fields["rate_limit"].step == "any"
    assert fields["page_size"].kind == "number" and fields["page_size"].step == "1"
    assert fields["page_size"].placeholder == "50" and fields["page_size"].label == "Page size"
    assert fields["sandbox"].kind == "checkbox" and not fields["sandbox"].required


def test_the_form_is_read_typed_with_empty_fields_left_to_the_schemas_defaults():
    form = {
        "setting_client_id": " app-1 ",
        "setting_secret": "s3cret-value",
        "setting_region": "",
        "setting_rate_limit": "2.5",
        "setting_page_size": "ten",
        "setting_sandbox": "on",
    }
    assert read_settings(DECLARATION, form) == {
        "client_id": "app-1",
        "secret": "s3cret-value",
        "rate_limit": 2.5,
        "page_size": "ten",  # left as given: the schema's validation names it
        "sandbox": True,
    }
    assert read_settings(DECLARATION, {})["sandbox"] is False
    kept = kept_values(DECLARATION, form)
    assert "secret" not in kept and kept["client_id"] == " app-1 "
