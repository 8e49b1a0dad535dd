"""Per-device credentials: a random secret shown once, stored as a salted hash bound to the code.

The hash covers the device code, so a secret stolen from one device is useless for another
(the check recomputes with the *claimed* device's code and salt). Secrets are 32 random bytes,
so a fast hash is enough (no password stretching needed) and ingest can verify thousands per
second.
"""

import hashlib
import hmac
import secrets


def new_secret() -> str:
    """A fresh device secret (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def hash_secret(code: str, secret: str, *, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    digest = hashlib.sha256(f"{salt}:{code}:{secret}".encode()).hexdigest()
    return f"sha256${salt}${digest}"


def check_secret(code: str, secret, stored: str) -> bool:
    """Whether `secret` is the credential of device `code` (constant-time compare)."""
    if not isinstance(secret, str) or not secret or not stored:
        return False
    try:
        algorithm, salt, _digest = stored.split("$", 2)
    except ValueError:
        return False
    if algorithm != "sha256":
        return False
    return hmac.compare_digest(hash_secret(code, secret, salt=salt), stored)
