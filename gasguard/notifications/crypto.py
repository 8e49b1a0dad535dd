"""Field encryption at rest (Fernet) for contact data and channel secrets.

The key comes from GASGUARD_FIELD_KEY (comma-separated for rotation: the first encrypts, all
decrypt) or, when that is empty, is derived from SECRET_KEY. Any string works as a key: it
is stretched with SHA-256 into a Fernet key.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet_key(material: str) -> bytes:
    digest = hashlib.sha256(f"gasguard-field-key:{material}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=4)
def _cipher(key_setting: str, secret_key: str) -> MultiFernet:
    materials = [k.strip() for k in key_setting.split(",") if k.strip()] or [secret_key]
    return MultiFernet([Fernet(_fernet_key(m)) for m in materials])


def _current() -> MultiFernet:
    return _cipher(getattr(settings, "GASGUARD_FIELD_KEY", ""), settings.SECRET_KEY)


def encrypt(value: str) -> str:
    """Encrypt a short text; '' stays ''."""
    if not value:
        return ""
    return _current().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a value written by `encrypt`; a value under an unknown key reads as '（无法解密）'."""
    if not token:
        return ""
    try:
        return _current().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return "（无法解密）"


def blind_index(value: str) -> str:
    """A keyed hash for equality lookups on encrypted values (e.g. the same phone twice)."""
    if not value:
        return ""
    key = hashlib.sha256(f"gasguard-blind-index:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]
