"""Hazards REST API: the ledger (same FilterSet and scope as the UI), transitions as POST actions,
referrals, enforcement, 回头看, import. A lost race or a refused transition is a 409."""

from django.db.models import Prefetch
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from gasguard.core.api import filter_queryset_or_400
from gasguard.core.errors import NotFound
from gasguard.core.filters import parse_choice
from gasguard.core.listing import CappedCountPagination
from gasguard.hazards import selectors, services
from gasguard.hazards.api import serializers as s
from gasguard.hazards.choices import EnforcementKindChoices, ReferralStatusChoices, RevisitStatusChoices
from gasguard.hazards.filtersets import HazardFilterSet
from gasguard.hazards.models import Hazard, HazardHistory


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class HazardViewSet(viewsets.ReadOnlyModelViewSet):
    """The 隐患台账: list/detail/totals, and the closed-loop transitions as POST actions."""

    pagination_class = CappedCountPagination
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_class = None  # filtering is done with HazardFilterSet below (it needs the user)

    def get_serializer_class(self):
        return s.HazardDetailSerializer if self.action == "retrieve" else s.HazardListSerializer

    def get_queryset(self):
        params = self.request.query_params
        if self.action == "list":  # an invalid filter value is a 400 naming the field
            filter_queryset_or_400(
                HazardFilterSet, self.request, Hazard.objects.none(), user=self.request.user
            )
        return selectors.hazard_list(user=self.request.user, filters=params).order_by(
            *selectors.hazard_ordering(params)
        )

    def get_object(self):
        hazard = selectors.hazard_get(user=self.request.user, hazard_id=self.kwargs["pk"])
        return hazard

    def retrieve(self, request, *args, **kwargs):
        hazard = self.get_object()
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(
            [hazard],
            "evidence__uploaded_by",
            Prefetch("history", queryset=HazardHistory.objects.order_by("created_at", "id")),
            "control_requests",
            "referrals__to_department",
            "referrals__from_department",
            "enforcement_actions__hazard",
            "escalations",
        )
        return Response(s.HazardDetailSerializer(hazard).data)

    @action(detail=False, methods=["get"])
    def totals(self, request):
        """Totals by status, severity and overdue for the filtered scope (they add up); a bad
        filter value is a 400 naming the field (hazard_totals_for refuses an invalid FilterSet)."""
        filterset = HazardFilterSet(request.query_params, user=request.user)
        return Response(selectors.hazard_totals_for(user=request.user, filterset=filterset))

    def _done(self, hazard, code=status.HTTP_200_OK):
        hazard = selectors.hazard_get(user=self.request.user, hazard_id=hazard.pk)
        return Response(s.HazardListSerializer(hazard).data, status=code)

    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        data = _valid(s.NoteInput, request)
        return self._done(services.hazard_start(actor=request.user, hazard_id=pk, note=data["note"]))

    @action(detail=True, methods=["post"], url_path="control-request")
    def control_request(self, request, pk=None):
        data = _valid(s.ControlRequestInput, request)
        req = services.hazard_control_request(actor=request.user, hazard_id=pk, **data)
        return Response(s.ControlRequestSerializer(req).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="control-approve")
    def control_approve(self, request, pk=None):
        """approve=true → 管控中; approve=false → rejected (reason required)."""
        data = _valid(s.ControlDecisionInput, request)
        if data["approve"]:
            return self._done(
                services.hazard_control_approve(actor=request.user, hazard_id=pk, note=data["reason"])
            )
        req = services.hazard_control_reject(actor=request.user, hazard_id=pk, reason=data["reason"])
        return Response(s.ControlRequestSerializer(req).data)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """multipart: measures + evidence (one or more files)."""
        files = request.FILES.getlist("evidence")
        data = _valid(s.SubmitInput, request)
        hazard = services.hazard_submit_rectification(
            actor=request.user, hazard_id=pk, measures=data["measures"], evidence_files=files
        )
        return self._done(hazard)

    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        data = _valid(s.VerifyInput, request)
        return self._done(
            services.hazard_verify(
                actor=request.user, hazard_id=pk, passed=data["passed"], reason=data["reason"]
            )
        )

    @action(detail=True, methods=["post"], url_path="close-on-spot")
    def close_on_spot(self, request, pk=None):
        files = request.FILES.getlist("evidence")
        data = _valid(s.CloseOnSpotInput, request)
        return self._done(
            services.hazard_close_on_spot(
                actor=request.user, hazard_id=pk, evidence_files=files, note=data["note"]
            )
        )

    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = _valid(s.AssignInput, request)
        supervisor = None
        if data.get("supervisor"):
            from gasguard.accounts.models import User

            supervisor = User.objects.filter(pk=data["supervisor"]).first()
            if supervisor is None:
                from gasguard.core.errors import ValidationFailed

                raise ValidationFailed("监管责任人不存在", field="supervisor")
        return self._done(
            services.hazard_assign(
                actor=request.user,
                hazard_id=pk,
                reason=data["reason"],
                responsible_person=data.get("responsible_person"),
                responsible_phone=data.get("responsible_phone"),
                supervisor=supervisor,
                deadline=data.get("deadline"),
            )
        )

    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        data = _valid(s.ReferInput, request)
        referral = services.hazard_refer(actor=request.user, hazard_id=pk, **data)
        return Response(s.ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def enforcement(self, request, pk=None):
        data = _valid(s.EnforcementInput, request)
        record = services.enforcement_record(actor=request.user, hazard_id=pk, **data)
        return Response(s.EnforcementSerializer(record).data, status=status.HTTP_201_CREATED)

    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_ledger(self, request):
        """Import a ledger workbook; 201 when committed, 400 with row errors otherwise."""
        from gasguard.hazards.excel import hazard_import

        data = _valid(s.ImportInput, request)
        result = hazard_import(actor=request.user, upload=data["file"], valid_only=data["valid_only"])
        if not result.committed:
            body = result.as_dict()
            body["error"] = {
                "code": "invalid",
                "message": f"共 {result.error_rows} 行有错误，未导入任何数据",
                "fields": {f"第{r}行.{c}": [m] for r, c, m in result.errors[:500]},
            }
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(result.as_dict(), status=status.HTTP_201_CREATED)


class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Referrals (移送) sent and received; the receiver accepts or returns."""

    serializer_class = s.ReferralSerializer

    def get_queryset(self):
        status = parse_choice(self.request.query_params.get("status"), "status", ReferralStatusChoices)
        return selectors.referral_list(user=self.request.user, status=status)

    def get_object(self):
        return selectors.referral_get(user=self.request.user, referral_id=self.kwargs["pk"])

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = _valid(s.ReferralDecisionInput, request)
        return Response(
            s.ReferralSerializer(services.referral_accept(actor=request.user, referral_id=pk, **data)).data
        )

    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        data = _valid(s.ReferralDecisionInput, request)
        return Response(
            s.ReferralSerializer(services.referral_return(actor=request.user, referral_id=pk, **data)).data
        )


class EnforcementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Enforcement records (执法记录); `totals` gives counts per kind and the sum of fines."""

    serializer_class = s.EnforcementSerializer

    def get_queryset(self):
        kind = parse_choice(
            self.request.query_params.get("kind"), "kind", EnforcementKindChoices, label="措施"
        )
        return selectors.enforcement_list(user=self.request.user, kind=kind)

    @action(detail=False, methods=["get"])
    def totals(self, request):
        return Response(selectors.enforcement_totals(qs=self.get_queryset()))


class RevisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """回头看 samples and their outcomes."""

    serializer_class = s.RevisitSerializer

    def get_queryset(self):
        return selectors.revisit_list(
            user=self.request.user,
            status=parse_choice(
                self.request.query_params.get("status"), "status", RevisitStatusChoices, label="状态"
            ),
            due_only=self.request.query_params.get("due") == "1",
        )

    def get_object(self):
        try:
            return selectors.revisit_get(user=self.request.user, sample_id=self.kwargs["pk"])
        except NotFound:
            raise

    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        data = _valid(s.RevisitInput, request)
        sample = services.revisit_record(actor=request.user, sample_id=pk, **data)
        return Response(s.RevisitSerializer(sample).data)
