"""The default seed, and reading seed files.

A seed lists the organizations (with their tokens) and badge templates the mock holds when it starts
and after every `POST /_mock/reset`:

    {"organizations": [{"id"?, "name", "token"?,
                        "badge_templates": [{"id"?, "name", "state"?, "description"?,
                                             "allow_duplicate_badges"?, "public"?}]}]}

Ids and tokens left out are derived from names (UUID 5), so they are the same on every run.
"""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from . import schemas

DEFAULT_ORGANIZATION_ID = "6f1c3e2a-8b4d-4c5e-9a7f-0d2b4e6a8c10"
DEFAULT_ORGANIZATION_NAME = "Badgebridge Demo Academy"
DEFAULT_TOKEN = "badgebridge-mock-token"

_NAMESPACE = uuid.UUID("0b7f6d64-2c1e-4b8a-a3d5-5e9c7a1f2b40")

DEFAULT_SEED: dict[str, Any] = {
    "organizations": [
        {
            "id": DEFAULT_ORGANIZATION_ID,
            "name": DEFAULT_ORGANIZATION_NAME,
            "token": DEFAULT_TOKEN,
            "badge_templates": [
                {
                    "id": "3a5e7c90-1b2d-4f6a-8c0e-2d4f6a8b0c11",
                    "name": "Python Fundamentals",
                    "description": "Writes, tests and debugs small Python programs.",
                },
                {
                    "id": "4b6f8da1-2c3e-4a7b-9d1f-3e5a7b9c1d12",
                    "name": "Data Steward",
                    "description": "Keeps data accurate, documented and protected across its life.",
                },
                {
                    "id": "5c7a9eb2-3d4f-4b8c-8e2a-4f6b8cad2e13",
                    "name": "Public Speaker",
                    "description": "Plans and delivers clear talks to technical and general audiences.",
                },
                {
                    "id": "6d8bafc3-4e5a-4c9d-9f3b-5a7c9dbe3f14",
                    "name": "Team Lead",
                    "description": "Leads a small team: goals, feedback and delivery.",
                    "allow_duplicate_badges": True,
                },
                {
                    "id": "7e9cb0d4-5f6b-4dae-8a4c-6b8daecf4a15",
                    "name": "Legacy Web Basics",
                    "description": "Retired in favour of newer web badges.",
                    "state": "archived",
                },
            ],
        }
    ]
}


def validate_seed(seed: Any) -> dict[str, Any]:
    """Check a seed against `schemas/seed.json` and fill in missing ids and tokens.

    Returns a new, complete seed; raises ValueError naming the offending field, or the id or token
    used twice.
    """
    problem = schemas.find_problem("seed", seed)
    if problem is not None:
        raise ValueError(f"invalid seed: {problem}")
    seed = copy.deepcopy(seed)
    seen: set[tuple[str, str]] = set()
    for org in seed["organizations"]:
        org.setdefault("id", str(uuid.uuid5(_NAMESPACE, f"organization:{org['name']}")))
        org.setdefault("token", hashlib.sha256(f"token:{org['id']}".encode()).hexdigest()[:32])
        names: list[str] = []
        for template in org.setdefault("badge_templates", []):
            key = f"template:{org['id']}:{template['name']}:{names.count(template['name'])}"
            template.setdefault("id", str(uuid.uuid5(_NAMESPACE, key)))
            names.append(template["name"])
        keys = [("organization id", org["id"]), ("token", org["token"])]
        keys += [("badge template id", template["id"]) for template in org["badge_templates"]]
        for kind, value in keys:
            if (kind, value) in seen:
                shown = "" if kind == "token" else f" {value}"
                raise ValueError(f"invalid seed: {kind}{shown} is used twice")
            seen.add((kind, value))
    return seed


def load_seed_file(path: str | Path) -> dict[str, Any]:
    """Read and validate a seed file; raises ValueError naming the file and what is wrong with it."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"{path}: cannot read the seed file: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{path}: not JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from error
    try:
        return validate_seed(data)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from error
