"""The append-only, hash-chained audit log (谁检查、谁签名、谁负责; 责任倒查).

Each event stores the hash of the previous event of its chain and its own hash over a
canonical serialisation (see `gasguard.audit.hashing` and docs/audit-chain.md), so any edit,
deletion or reordering is detected by recomputing the chain.
"""

from django.db import models


class AuditChain(models.Model):
    """One chain of events with its hash algorithm and current head (last seq and hash)."""

    name = models.CharField("名称", max_length=50, unique=True)
    algorithm = models.CharField("哈希算法", max_length=16)
    head_seq = models.BigIntegerField("最新序号", default=0)
    head_hash = models.CharField("最新哈希", max_length=64, default="0" * 64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "审计链"
        verbose_name_plural = "审计链"

    def __str__(self) -> str:
        return f"{self.name} ({self.algorithm})"


class AuditEvent(models.Model):
    """One state change, signature or edit; never updated or deleted."""

    chain = models.ForeignKey(AuditChain, models.PROTECT, related_name="events")
    seq = models.BigIntegerField("序号")
    event_type = models.CharField("事件类型", max_length=64, db_index=True)
    occurred_at = models.DateTimeField("发生时间")
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=100, blank=True)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象ID", max_length=64)
    region_code = models.CharField("区划代码", max_length=15, blank=True, db_index=True)
    # The canonical JSON text itself is stored (not a JSON column) so verification hashes
    # exactly the bytes that were hashed at write time, whatever the database does to JSON.
    payload_json = models.TextField("内容")
    prev_hash = models.CharField("前一哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64)

    class Meta:
        ordering = ["chain_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq_unique")]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_event_object_idx")]
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"

    def __str__(self) -> str:
        return f"#{self.seq} {self.event_type} {self.object_type}:{self.object_id}"

    @property
    def payload(self) -> dict:
        import json

        return json.loads(self.payload_json)
