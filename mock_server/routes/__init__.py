"""URL rules and their thin handlers: parse the request, call the backend, serialise the answer.

- `v1` (`v1.py` and one module per resource): the Credly API, behind scripted answers, faults, the
  credential and the organization check;
- `oauth`: the OAuth 2.0 token endpoint; `obi`: public Open Badges documents;
- `control`: the mock's own API under `/_mock/`;
- `pages`: what a browser opens (the earner's page, the public badge page).
"""

from . import badges, credentials, events, templates, workforce  # noqa: F401  (they add routes to v1)
from .control import control
from .oauth import oauth
from .obi import obi
from .pages import pages
from .v1 import v1

BLUEPRINTS = (v1, oauth, obi, control, pages)
# The blueprints whose requests go to the request log and count as API operations.
API_BLUEPRINTS = frozenset({"v1", "oauth", "obi"})
