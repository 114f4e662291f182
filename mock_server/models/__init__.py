"""The mock's in-memory objects, each rendering itself as the /v1 API shows it.

`base_url` is the scheme and host the request came to (`http://127.0.0.1:54321`): self-links, image
URLs and public badge pages point back at the mock.
"""

from .badge import HOLDING_STATES, Badge, country_code
from .common import BASE, new_id, rebase, slugify
from .credentials import SCOPES, AccessToken, AuthorizationToken, OAuthApplication
from .employee import Employee
from .event import EVENT_TYPES, Event
from .organization import Organization
from .template import BadgeTemplate

__all__ = [
    "BASE",
    "EVENT_TYPES",
    "HOLDING_STATES",
    "SCOPES",
    "AccessToken",
    "AuthorizationToken",
    "Badge",
    "BadgeTemplate",
    "Employee",
    "Event",
    "OAuthApplication",
    "Organization",
    "country_code",
    "new_id",
    "rebase",
    "slugify",
]
