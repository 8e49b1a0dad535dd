"""Audit API: the scoped event list and chain verification."""

from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gasguard.accounts.choices import MembershipRoleChoices as ROLE
from gasguard.accounts.selectors import user_scope
from gasguard.audit.hashing import format_time
from gasguard.audit.models import AuditEvent
from gasguard.audit.selectors import audit_event_list
from gasguard.audit.services import DEFAULT_CHAIN, audit_verify
from gasguard.core.errors import PermissionDenied
from gasguard.core.listing import CappedCountPagination


class AuditEventSerializer(serializers.ModelSerializer):
    chain = serializers.CharField(source="chain.name")
    occurred_at = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
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
            "hash",
        ]

    def get_occurred_at(self, obj) -> str:
        return format_time(obj.occurred_at)


class AuditEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Events of the user's regions; `verify` recomputes the chain (task-force admins)."""

    serializer_class = AuditEventSerializer
    pagination_class = CappedCountPagination

    queryset = AuditEvent.objects.none()  # for the schema; real rows come from the selector

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditEvent.objects.none()
        p = self.request.query_params
        return audit_event_list(
            user=self.request.user,
            event_type=p.get("event_type", ""),
            object_type=p.get("object_type", ""),
            object_id=p.get("object_id", ""),
        )

    @action(detail=False, methods=["post"])
    def verify(self, request):
        if not user_scope(user=request.user).has_role(ROLE.TASKFORCE_ADMIN):
            raise PermissionDenied("只有专班管理员可以校验审计链")
        r = audit_verify(chain_name=request.data.get("chain") or DEFAULT_CHAIN)
        return Response(
            {
                "chain": r.chain,
                "algorithm": r.algorithm,
                "events": r.events,
                "ok": r.ok,
                "broken_seq": r.broken_seq,
                "reason": r.reason,
            }
        )
