"""Writing to and verifying the audit chain. Services of every app call `audit_record`
inside their own transaction, so the change and its event commit or roll back together."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from gasguard.audit.hashing import GENESIS_HASH, canonical_payload, default_algorithm, event_hash
from gasguard.audit.models import AuditChain, AuditEvent

DEFAULT_CHAIN = "main"


@dataclass
class PendingEvent:
    """An event to append: what happened, to which object, by whom."""

    event_type: str
    object_type: str
    object_id: str | int
    actor: object = None
    region_code: str = ""
    payload: dict | None = None
    occurred_at: datetime | None = None


def _locked_chain(name: str) -> AuditChain:
    chain, _ = AuditChain.objects.get_or_create(name=name, defaults={"algorithm": default_algorithm()})
    # The row lock serialises appenders so seq and prev_hash form one line.
    if connection.vendor == "postgresql":
        return AuditChain.objects.select_for_update().get(pk=chain.pk)
    return AuditChain.objects.get(pk=chain.pk)


def _actor_fields(actor) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "pk", None):
        return None, "系统"
    name = getattr(actor, "display_name", None) or str(actor)
    return actor.pk, name


def audit_record_many(*, events: Iterable[PendingEvent], chain_name: str = DEFAULT_CHAIN) -> list[AuditEvent]:
    """Append several events in order, with one lock and one bulk insert (COPY for big batches
    on PostgreSQL: the returned events then carry no primary keys)."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the caller's transaction")
    with transaction.atomic():
        chain = _locked_chain(chain_name)
        seq, prev = chain.head_seq, chain.head_hash
        rows = []
        now = timezone.now()
        for ev in events:
            seq += 1
            actor_id, actor_name = _actor_fields(ev.actor)
            payload_json = canonical_payload(ev.payload)
            occurred = ev.occurred_at or now
            digest = event_hash(
                algorithm=chain.algorithm,
                chain=chain.name,
                seq=seq,
                event_type=ev.event_type,
                occurred_at=occurred,
                actor_id=actor_id,
                actor_name=actor_name,
                object_type=ev.object_type,
                object_id=str(ev.object_id),
                region_code=ev.region_code or "",
                payload_json=payload_json,
                prev_hash=prev,
            )
            rows.append(
                AuditEvent(
                    chain=chain,
                    seq=seq,
                    event_type=ev.event_type,
                    occurred_at=occurred,
                    actor_id=actor_id,
                    actor_name=actor_name,
                    object_type=ev.object_type,
                    object_id=str(ev.object_id),
                    region_code=ev.region_code or "",
                    payload_json=payload_json,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
        if not rows:
            return []
        from gasguard.audit.bulk import copy_insert

        copy_insert(AuditEvent, rows)
        AuditChain.objects.filter(pk=chain.pk).update(head_seq=seq, head_hash=prev)
        return rows


def audit_record(
    *,
    event_type: str,
    object_type: str,
    object_id: str | int,
    actor=None,
    region_code: str = "",
    payload: dict | None = None,
    chain_name: str = DEFAULT_CHAIN,
) -> AuditEvent:
    """Append one event (e.g. HAZARD_CLOSED) to the chain, inside the caller's transaction."""
    return audit_record_many(
        events=[
            PendingEvent(
                event_type=event_type,
                object_type=object_type,
                object_id=object_id,
                actor=actor,
                region_code=region_code,
                payload=payload,
            )
        ],
        chain_name=chain_name,
    )[0]


@dataclass
class VerifyResult:
    """Outcome of recomputing a chain: ok, how many events, the first broken one and why."""

    chain: str
    algorithm: str
    events: int
    ok: bool
    broken_seq: int | None = None
    reason: str = ""


def audit_verify(*, chain_name: str = DEFAULT_CHAIN) -> VerifyResult:
    """Recompute every hash in order; name the first event whose hash or link is wrong."""
    chain = AuditChain.objects.filter(name=chain_name).first()
    if chain is None:
        return VerifyResult(chain=chain_name, algorithm=default_algorithm(), events=0, ok=True)
    prev = GENESIS_HASH
    expected_seq = 0
    count = 0
    fields = (
        "seq",
        "event_type",
        "occurred_at",
        "actor_id",
        "actor_name",
        "object_type",
        "object_id",
        "region_code",
        "payload_json",
        "prev_hash",
        "hash",
    )
    rows = AuditEvent.objects.filter(chain=chain).order_by("seq").values_list(*fields)
    for row in rows.iterator(chunk_size=10000):
        seq, etype, occurred, actor_id, actor_name, otype, oid, region, payload_json, prev_hash, digest = row
        count += 1
        expected_seq += 1
        if seq != expected_seq:
            return VerifyResult(
                chain.name, chain.algorithm, count, False, seq, f"序号不连续：应为 {expected_seq}"
            )
        if prev_hash != prev:
            return VerifyResult(chain.name, chain.algorithm, count, False, seq, "前一哈希与上一事件不符")
        recomputed = event_hash(
            algorithm=chain.algorithm,
            chain=chain.name,
            seq=seq,
            event_type=etype,
            occurred_at=occurred,
            actor_id=actor_id,
            actor_name=actor_name,
            object_type=otype,
            object_id=oid,
            region_code=region,
            payload_json=payload_json,
            prev_hash=prev_hash,
        )
        if recomputed != digest:
            return VerifyResult(
                chain.name, chain.algorithm, count, False, seq, "事件内容与哈希不符（被篡改）"
            )
        prev = digest
    if expected_seq != chain.head_seq or prev != chain.head_hash:
        return VerifyResult(
            chain.name,
            chain.algorithm,
            count,
            False,
            expected_seq + 1,
            "链尾与记录的最新序号/哈希不符（事件被删除）",
        )
    return VerifyResult(chain.name, chain.algorithm, count, True)


EXPORT_FORMAT = "gasguard-audit-chain"
EXPORT_FIELDS = (
    "chain",
    "seq",
    "event_type",
    "occurred_at",
    "actor_id",
    "actor_name",
    "object_type",
    "object_id",
    "region_code",
    "payload_json",
    "prev_hash",
)


def audit_export(*, out, chain_name: str = DEFAULT_CHAIN) -> int:
    """Write the chain as JSON Lines: a header naming algorithm and format, then every event.

    Each event line holds exactly the hashed fields (occurred_at already in its canonical text
    form) plus `hash`, so a third party can recompute the chain (docs/audit-chain.md).
    """
    import json

    from gasguard.audit.hashing import format_time

    chain = AuditChain.objects.filter(name=chain_name).first()
    header = {
        "format": EXPORT_FORMAT,
        "version": 1,
        "chain": chain_name,
        "algorithm": chain.algorithm if chain else default_algorithm(),
        "hashed_fields": list(EXPORT_FIELDS),
        "serialisation": "JSON array of hashed_fields in order; ensure_ascii=false; separators (',', ':'); UTF-8",
        "genesis_prev_hash": GENESIS_HASH,
        "head_seq": chain.head_seq if chain else 0,
        "head_hash": chain.head_hash if chain else GENESIS_HASH,
        "exported_at": format_time(timezone.now()),
    }
    out.write(json.dumps(header, ensure_ascii=False) + "\n")
    if chain is None:
        return 0
    count = 0
    rows = (
        AuditEvent.objects.filter(chain=chain)
        .order_by("seq")
        .values_list(
            "seq",
            "event_type",
            "occurred_at",
            "actor_id",
            "actor_name",
            "object_type",
            "object_id",
            "region_code",
            "payload_json",
            "prev_hash",
            "hash",
        )
    )
    for (
        seq,
        etype,
        occurred,
        actor_id,
        actor_name,
        otype,
        oid,
        region,
        payload_json,
        prev_hash,
        digest,
    ) in rows.iterator(chunk_size=10000):
        line = {
            "chain": chain.name,
            "seq": seq,
            "event_type": etype,
            "occurred_at": format_time(occurred),
            "actor_id": actor_id,
            "actor_name": actor_name,
            "object_type": otype,
            "object_id": oid,
            "region_code": region,
            "payload_json": payload_json,
            "prev_hash": prev_hash,
            "hash": digest,
        }
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        count += 1
    return count
