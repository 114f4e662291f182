"""A Flask mock of the Credly API, for running badgebridge end to end offline.

It serves Credly's `/v1` organization API (organizations, badge templates, issued badges, events,
authorization tokens, employees) from memory, in Credly's envelopes and error shapes, plus OAuth
client credentials, webhook delivery, the earner's pages and a control API under `/_mock/` (reset,
organizations, templates, the earner, faults, scripted answers, the request log, the clock). See
`mock_server/README.md`.

Three ways to run it:

- `MockServer` (a real socket in a thread, or `serve_forever()` for `badgebridge mock-server`);
- the pytest fixtures `credly_mock`, `credly_mock_server` and `credly_mock_app` (`pytest_plugin.py`);
- `create_app()` with Flask's test client.

The default seed holds one organization, `DEFAULT_ORGANIZATION_ID`, whose token is `DEFAULT_TOKEN`.
"""

from .app import create_app
from .clock import ManualClock, SystemClock
from .seed import (
    DEFAULT_ORGANIZATION_ID,
    DEFAULT_ORGANIZATION_NAME,
    DEFAULT_SEED,
    DEFAULT_TOKEN,
    load_seed_file,
    validate_seed,
)
from .server import MockServer

__all__ = [
    "DEFAULT_ORGANIZATION_ID",
    "DEFAULT_ORGANIZATION_NAME",
    "DEFAULT_SEED",
    "DEFAULT_TOKEN",
    "ManualClock",
    "MockServer",
    "SystemClock",
    "create_app",
    "load_seed_file",
    "validate_seed",
]
