"""The default seed, seed validation and seed files."""

from __future__ import annotations

import json

import pytest

from badgebridge.mock_server import (
    DEFAULT_ORGANIZATION_ID,
    DEFAULT_ORGANIZATION_NAME,
    DEFAULT_SEED,
    DEFAULT_TOKEN,
    create_app,
    load_seed_file,
    validate_seed,
)


def test_the_default_seed_is_one_organization_with_four_active_templates_and_one_archived():
    (org,) = DEFAULT_SEED["organizations"]

    assert (org["id"], org["name"], org["token"]) == (
        DEFAULT_ORGANIZATION_ID,
        DEFAULT_ORGANIZATION_NAME,
        DEFAULT_TOKEN,
    )
    states = [t.get("state", "active") for t in org["badge_templates"]]
    assert (states.count("active"), states.count("archived")) == (4, 1)
    assert validate_seed(DEFAULT_SEED) == DEFAULT_SEED | {}  # complete already: nothing to fill in


def test_missing_ids_and_tokens_are_filled_in_the_same_way_every_time():
    seed = {"organizations": [{"name": "A", "badge_templates": [{"name": "T"}, {"name": "T"}]}]}

    first, second = validate_seed(seed), validate_seed(seed)

    assert first == second
    org = first["organizations"][0]
    assert org["id"] and org["token"]
    assert len({t["id"] for t in org["badge_templates"]}) == 2
    assert "id" not in seed["organizations"][0]  # the caller's seed is left alone


@pytest.mark.parametrize(
    ("seed", "named"),
    [
        ({}, "organizations is required"),
        ({"organizations": [{}]}, "organizations.0.name is required"),
        ({"organizations": [{"name": ""}]}, "organizations.0.name:"),
        (
            {"organizations": [{"name": "A", "badge_templates": [{"name": "T", "state": "retired"}]}]},
            "organizations.0.badge_templates.0.state:",
        ),
        ({"organizations": [{"name": "A", "tokn": "x"}]}, "organizations.0.tokn: is not a known field"),
        (
            {"organizations": [{"name": "A", "id": "x"}, {"name": "B", "id": "x"}]},
            "organization id x is used twice",
        ),
        (
            {"organizations": [{"name": "A", "token": "t"}, {"name": "B", "token": "t"}]},
            "token is used twice",
        ),
        (
            {
                "organizations": [
                    {"name": "A", "badge_templates": [{"name": "T", "id": "1"}, {"name": "U", "id": "1"}]}
                ]
            },
            "badge template id 1 is used twice",
        ),
        ([], "body:"),
    ],
)
def test_an_invalid_seed_is_a_value_error_naming_the_problem(seed, named):
    with pytest.raises(ValueError, match="invalid seed") as error:
        validate_seed(seed)

    assert named in str(error.value)


def test_create_app_refuses_an_invalid_seed():
    with pytest.raises(ValueError, match="organizations"):
        create_app({"organizations": "many"})


def test_a_seed_file_is_loaded_and_served(tmp_path):
    path = tmp_path / "seed.json"
    path.write_text(
        json.dumps(
            {"organizations": [{"name": "Filed", "token": "tok-f", "badge_templates": [{"name": "One"}]}]}
        )
    )

    seed = load_seed_file(path)
    client = create_app(seed).test_client()

    org_id = seed["organizations"][0]["id"]
    body = client.get(
        f"/v1/organizations/{org_id}/badge_templates", headers={"Authorization": "Bearer tok-f"}
    ).get_json()
    assert [t["name"] for t in body["data"]] == ["One"]


def test_a_seed_file_that_is_not_json_names_the_file_and_line(tmp_path):
    path = tmp_path / "seed.json"
    path.write_text('{"organizations": [\n  {"name": "A",}\n]}')

    with pytest.raises(ValueError) as error:
        load_seed_file(path)

    assert str(path) in str(error.value)
    assert "line 2" in str(error.value)


def test_an_invalid_seed_file_names_the_file_and_the_field(tmp_path):
    path = tmp_path / "seed.json"
    path.write_text(json.dumps({"organizations": [{"name": 3}]}))

    with pytest.raises(ValueError, match=r"seed\.json: invalid seed: organizations\.0\.name"):
        load_seed_file(path)


def test_a_missing_seed_file_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="cannot read the seed file"):
        load_seed_file(tmp_path / "absent.json")
