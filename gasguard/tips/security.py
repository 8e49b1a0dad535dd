"""Tracking codes, phone masking, client addresses and per-address rate limits for the public side."""

import hashlib
import hmac
import re
import secrets

from django.conf import settings

from gasguard.core.ratelimit import over_limit

# No 0/O, 1/I/L: codes are read out over the phone and typed on phones.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12  # 31^12 ≈ 7.9e17 codes: unguessable at any rate the limiter allows

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}\d{7,8}$")


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """Upper-case, drop spaces and dashes; anything else outside the alphabet makes it invalid."""
    code = re.sub(r"[\s\-]", "", (raw or "")).upper()
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return ""
    return code


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalize_phone(raw: str) -> str:
    """Digits only, without +86; '' if it is not a mainland mobile or landline number."""
    digits = re.sub(r"[\s\-()（）]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if MOBILE_RE.match(digits) or LANDLINE_RE.match(digits):
        return digits
    return ""


def mask_phone(phone: str) -> str:
    """138****1234 for a mobile; keep 3 + last 2 otherwise."""
    if not phone:
        return ""
    if len(phone) == 11:
        return f"{phone[:3]}****{phone[-4:]}"
    return f"{phone[:3]}{'*' * max(0, len(phone) - 5)}{phone[-2:]}"


def ip_fingerprint(ip: str) -> str:
    key = hashlib.sha256(f"gasguard-ip:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()[:32]


def rate_limited(bucket: str, ident: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit for this address (stored only as its keyed hash); True if over the limit."""
    return over_limit(f"gg:rl:{bucket}:{ip_fingerprint(ident)}", limit=limit, window_seconds=window_seconds)


def submission_limited(ident: str) -> bool:
    """Per-address limits on new reports: per minute and per day."""
    over_minute = rate_limited("tip", ident, limit=settings.GASGUARD_TIP_RATE_PER_MIN, window_seconds=60)
    over_day = rate_limited("tipday", ident, limit=settings.GASGUARD_TIP_RATE_PER_DAY, window_seconds=86400)
    return over_minute or over_day


def status_lookup_limited(ident: str) -> bool:
    return rate_limited(
        "tipstatus", ident, limit=settings.GASGUARD_TIP_STATUS_RATE_PER_MIN, window_seconds=60
    )


def body_too_large(request) -> bool:
    """Refuse before parsing: a report can never be larger than its photos plus 1 MB of text."""
    limit = (settings.GASGUARD_TIP_MAX_PHOTOS * settings.GASGUARD_TIP_PHOTO_MAX_MB + 1) * 1024 * 1024
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > limit
