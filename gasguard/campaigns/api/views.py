"""Campaign REST API: campaigns/phases/targets, monthly reports (generate, submit, download),
supervision records and accidents. Thin: every read is a scoped selector, every write a service."""

from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gasguard.accounts.selectors import user_scope
from gasguard.campaigns import selectors as sel
from gasguard.campaigns import services
from gasguard.campaigns.api import serializers as s
from gasguard.core.errors import NotFound, ValidationFailed
from gasguard.core.filters import parse_month
from gasguard.dashboard import selectors as stats
from gasguard.org.models import Region

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _region(request, code: str) -> Region:
    """The named region (or the user's own) if the user may see it."""
    region = stats.resolve_region(scope=user_scope(user=request.user), code=code)
    if region is None:
        raise ValidationFailed("请指定区划", field="region")
    return region


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """专项整治: campaigns with phases; targets, progress and 回头看 waves as sub-resources."""

    serializer_class = s.CampaignSerializer

    def get_queryset(self):
        return sel.campaign_list(user=self.request.user)

    def get_object(self):
        return sel.campaign_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=s.CampaignCreateInput, responses=s.CampaignSerializer)
    @action(detail=False, methods=["post"], url_path="create-default")
    def create_default(self, request):
        """campaign_create_default: the plan's three phases for a region."""
        data = _valid(s.CampaignCreateInput, request)
        campaign = services.campaign_create_default(
            actor=request.user, region=_region(request, data["region"]), name=data["name"]
        )
        return Response(s.CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TargetInput, responses=s.TargetSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def targets(self, request, pk=None):
        campaign = self.get_object()
        if request.method == "POST":
            data = _valid(s.TargetInput, request)
            region = Region.objects.filter(code=data.pop("region")).first()
            if region is None:
                raise ValidationFailed("区划不存在", field="region")
            target = services.campaign_target_set(
                actor=request.user, campaign=campaign, region=region, **data
            )
            return Response(s.TargetSerializer(target).data, status=status.HTTP_201_CREATED)
        scope = user_scope(user=request.user)
        targets = [t for t in campaign.targets.select_related("region") if scope.covers_region(t.region_code)]
        return Response(s.TargetSerializer(targets, many=True).data)

    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """Actual vs target per subordinate region (cumulative since the campaign start)."""
        campaign = self.get_object()
        rows = sel.campaign_progress(user=request.user, campaign=campaign)
        for row in rows:
            row.pop("target")
        return Response({"campaign": campaign.pk, "results": rows})

    @extend_schema(request=s.WaveInput, responses=s.WaveSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def waves(self, request, pk=None):
        campaign = self.get_object()
        if request.method == "POST":
            data = _valid(s.WaveInput, request)
            wave = services.revisit_wave_create(actor=request.user, campaign=campaign, **data)
            return Response(s.WaveSerializer(wave).data, status=status.HTTP_201_CREATED)
        rows = []
        for wave in campaign.revisit_waves.all():
            rows.append(
                {**s.WaveSerializer(wave).data, "progress": sel.wave_progress(user=request.user, wave=wave)}
            )
        return Response(rows)


class MonthlyReportViewSet(viewsets.ReadOnlyModelViewSet):
    """月度工作进展报告: own level (any status) and submitted reports of the levels below."""

    serializer_class = s.MonthlyReportSerializer

    def get_queryset(self):
        qs = sel.monthly_report_list(user=self.request.user).order_by("-month", "region_code")
        month = parse_month(self.request.query_params.get("month"))
        if month:
            qs = qs.filter(month=month)
        return qs

    def get_object(self):
        return sel.monthly_report_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=s.ReportCreateInput, responses=s.MonthlyReportSerializer)
    def create(self, request):
        """Open (generate) the report of a region for a month; an unfinished month stays a draft."""
        data = _valid(s.ReportCreateInput, request)
        try:
            month = date.fromisoformat(f"{data['month']}-01")
        except ValueError:
            raise ValidationFailed("月份格式应为 YYYY-MM", field="month") from None
        report = services.monthly_report_create(
            actor=request.user, region=_region(request, data["region"]), month=month
        )
        return Response(s.MonthlyReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReportNarrativeInput, responses=s.MonthlyReportSerializer)
    def partial_update(self, request, pk=None):
        report = self.get_object()
        data = _valid(s.ReportNarrativeInput, request)
        merged = {
            "work_summary": data["work_summary"] if "work_summary" in request.data else report.work_summary,
            "problems": data["problems"] if "problems" in request.data else report.problems,
            "next_steps": data["next_steps"] if "next_steps" in request.data else report.next_steps,
        }
        report = services.monthly_report_update(actor=request.user, report=report, **merged)
        return Response(s.MonthlyReportSerializer(report).data)

    @action(detail=True, methods=["get"])
    def figures(self, request, pk=None):
        """The report's figures: the frozen snapshot once submitted, else computed live."""
        return Response(sel.report_figures_for(self.get_object()))

    @extend_schema(request=None, responses=s.MonthlyReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = services.monthly_report_submit(actor=request.user, report=self.get_object())
        return Response(s.MonthlyReportSerializer(report).data)

    @action(detail=True, methods=["get"], url_path="download/(?P<fmt>docx|xlsx)")
    def download(self, request, pk=None, fmt="docx"):
        report = self.get_object()
        docx, xlsx, _ = services.monthly_report_documents(report)
        content, ctype = (docx, DOCX) if fmt == "docx" else (xlsx, XLSX)
        response = HttpResponse(content, content_type=ctype)
        response["Content-Disposition"] = (
            f'attachment; filename="report-{report.region_code}-{report.month:%Y-%m}.{fmt}"'
        )
        return response

    @action(detail=False, methods=["get"], url_path="status")
    def submission_status(self, request):
        """For an upper level: submitted reports of its reporters, the not-submitted list, merged sums."""
        region = _region(request, request.query_params.get("region", ""))
        month = parse_month(request.query_params.get("month")) or sel.month_start(timezone.localdate())
        data = sel.submission_status(user=request.user, region=region, month=month)
        return Response(
            {
                "month": data["month"].strftime("%Y-%m"),
                "cutoff": data["cutoff"],
                "overdue": data["overdue"],
                "submitted": s.MonthlyReportSerializer(data["submitted"], many=True).data,
                "missing": [{"code": r.code, "name": r.name} for r in data["missing"]],
                "merged": data["merged"],
            }
        )


class _RecordViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    selector = None
    input_class = None
    service = None

    def get_queryset(self):
        return type(self).selector(user=self.request.user)

    def create(self, request):
        data = dict(_valid(self.input_class, request))
        region = _region(request, data.pop("region", ""))
        obj = self.perform_service(request, region, data)
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)


class NoticeViewSet(_RecordViewSet):
    """通报: generated from the figures of who is behind schedule (Word download)."""

    serializer_class = s.NoticeSerializer
    selector = staticmethod(sel.supervision_notice_list)
    input_class = s.NoticeInput

    @extend_schema(request=s.NoticeInput, responses=s.NoticeSerializer)
    def create(self, request):
        return super().create(request)

    def perform_service(self, request, region, data):
        return services.supervision_notice_issue(actor=request.user, region=region, **data)

    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        notice = sel.supervision_notice_get(user=request.user, pk=pk)
        response = HttpResponse(services.supervision_notice_docx(notice), content_type=DOCX)
        response["Content-Disposition"] = f'attachment; filename="notice-{notice.pk}.docx"'
        return response


class InterviewViewSet(_RecordViewSet):
    """约谈记录."""

    serializer_class = s.InterviewSerializer
    selector = staticmethod(sel.interview_list)
    input_class = s.InterviewInput

    @extend_schema(request=s.InterviewInput, responses=s.InterviewSerializer)
    def create(self, request):
        return super().create(request)

    def perform_service(self, request, region, data):
        return services.interview_record(actor=request.user, region=region, **data)


class WarningViewSet(_RecordViewSet):
    """警示建议."""

    serializer_class = s.WarningSerializer
    selector = staticmethod(sel.warning_advice_list)
    input_class = s.WarningInput

    @extend_schema(request=s.WarningInput, responses=s.WarningSerializer)
    def create(self, request):
        return super().create(request)

    def perform_service(self, request, region, data):
        return services.warning_advice_issue(actor=request.user, region=region, **data)


class AccidentViewSet(_RecordViewSet):
    """燃气事故 with the automatic 提级调查 flag and the 责任倒查 timeline link."""

    serializer_class = s.AccidentSerializer
    selector = staticmethod(sel.accident_list)
    input_class = s.AccidentInput

    @extend_schema(request=s.AccidentInput, responses=s.AccidentSerializer)
    def create(self, request):
        return super().create(request)

    def perform_service(self, request, region, data):
        from gasguard.registry.models import Enterprise, Premises

        scope = user_scope(user=request.user)
        for field, model in (("premises", Premises), ("enterprise", Enterprise)):
            if data.get(field):
                obj = (
                    scope.apply(model.objects.all(), region_field="region_code")
                    .filter(pk=data[field])
                    .first()
                )
                if obj is None:
                    raise NotFound("涉事对象不存在或不在数据权限范围内", field=field)
                data[field] = obj
        return services.accident_record(actor=request.user, region=region, **data)
