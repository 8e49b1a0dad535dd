"""The canonical serialisation and hash of an audit event (documented in docs/audit-chain.md)."""

import hashlib
import json
from datetime import UTC, datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64


def default_algorithm() -> str:
    """SM3 (国密) when the runtime's OpenSSL provides it, else SHA-256."""
    configured = settings.GASGUARD_AUDIT_HASH.strip().lower()
    if configured:
        hashlib.new(configured)  # fail loudly on an unknown algorithm
        return configured
    return "sm3" if "sm3" in hashlib.algorithms_available else "sha256"


def canonical_payload(payload: dict | None) -> str:
    """JSON with sorted keys, no spaces, UTF-8 characters kept; dates/decimals as strings."""
    normalised = json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder))
    return json.dumps(normalised, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    *,
    algorithm: str,
    chain: str,
    seq: int,
    event_type: str,
    occurred_at: datetime | str,
    actor_id: int | None,
    actor_name: str,
    object_type: str,
    object_id: str,
    region_code: str,
    payload_json: str,
    prev_hash: str,
) -> str:
    """Hash of the canonical record: a JSON array of the fields in this fixed order."""
    record = [
        chain,
        seq,
        event_type,
        occurred_at if isinstance(occurred_at, str) else format_time(occurred_at),
        actor_id,
        actor_name,
        object_type,
        object_id,
        region_code,
        payload_json,
        prev_hash,
    ]
    data = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.new(algorithm, data).hexdigest()
