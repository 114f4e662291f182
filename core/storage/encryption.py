"""Provider tokens encrypted at rest, as Airflow encrypts its connections.

With ``BADGEBRIDGE_SECRET_KEY`` set, a connection's secret settings are stored as one Fernet token
(``{"fernet": "gAAAA..."}``: AES-128-CBC with an HMAC-SHA256, from ``cryptography``); without it,
as plain JSON. The variable holds one key, or several separated by commas: the first encrypts,
any of them decrypts, so a key is rotated by putting the new one first and running ``badgebridge
db rotate-key``, which rewrites every stored token under it. Make a key with
``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``.
"""

from __future__ import annotations

import json
import os
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from badgebridge.core.errors import ConfigurationError

KEY_VARIABLE = "BADGEBRIDGE_SECRET_KEY"
MARKER = "fernet"


def keys() -> MultiFernet | None:
    """The keys of ``BADGEBRIDGE_SECRET_KEY`` (first one first), or None when it is not set."""
    given = [part.strip() for part in os.environ.get(KEY_VARIABLE, "").split(",") if part.strip()]
    if not given:
        return None
    try:
        return MultiFernet([Fernet(key.encode()) for key in given])
    except (ValueError, TypeError):
        raise ConfigurationError(
            f"{KEY_VARIABLE} is not a Fernet key (32 url-safe base64-encoded bytes; several "
            "separated by commas)"
        ) from None


def is_encrypted(stored: Any) -> bool:
    return isinstance(stored, dict) and set(stored) == {MARKER}


def seal(secrets: dict[str, Any]) -> dict[str, Any]:
    """What to store for these secrets: encrypted with the first key, or as they are without one."""
    fernet = keys()
    if fernet is None:
        return secrets
    return {MARKER: fernet.encrypt(json.dumps(secrets).encode()).decode()}


def unseal(stored: dict[str, Any]) -> dict[str, Any]:
    """The secrets a stored value holds (decrypted with whichever key fits)."""
    if not is_encrypted(stored):
        return stored
    fernet = keys()
    if fernet is None:
        raise ConfigurationError(f"the stored tokens are encrypted; set {KEY_VARIABLE} to the key")
    try:
        return json.loads(fernet.decrypt(stored[MARKER].encode()))
    except InvalidToken:
        raise ConfigurationError(
            f"the stored tokens were encrypted with a key that {KEY_VARIABLE} does not hold"
        ) from None
