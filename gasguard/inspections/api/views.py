"""Inspections REST API: batches, tasks, inspections and their answers, photos, signatures,
seal, corrections, the rectification notice and coverage. Same services and scopes as the UI."""

from urllib.parse import quote

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from gasguard.core.api import StandardPagination, filter_queryset_or_400
from gasguard.core.errors import Conflict
from gasguard.inspections import notice as notice_docs
from gasguard.inspections import selectors, services
from gasguard.inspections.api import serializers as s
from gasguard.inspections.filtersets import InspectionFilterSet
from gasguard.inspections.models import Inspection, InspectionBatch, InspectionTask


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class BatchViewSet(viewsets.ViewSet):
    """Inspection batches (集中攻坚 / 回头看 / 专项检查) in the user's regions."""

    serializer_class = s.BatchSerializer
    pagination_class = StandardPagination  # lists answer {count, next, previous, results}
    queryset = InspectionBatch.objects.none()  # for the schema only; reads go through selectors

    def list(self, request):
        qs = selectors.batch_list(user=request.user)
        paginator = _paginator(request)
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(s.BatchSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(s.BatchSerializer(selectors.batch_get(user=request.user, pk=pk)).data)

    @extend_schema(request=s.BatchInput, responses={201: s.BatchSerializer})
    def create(self, request):
        data = _valid(s.BatchInput, request)
        batch = services.batch_create(actor=request.user, **data)
        return Response(
            s.BatchSerializer(selectors.batch_get(user=request.user, pk=batch.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class TaskViewSet(viewsets.ViewSet):
    """Inspection tasks; `?mine=true`, `?state=pending|overdue|open|done`, `?batch=`."""

    serializer_class = s.TaskSerializer
    pagination_class = StandardPagination  # lists answer {count, next, previous, results}
    queryset = InspectionTask.objects.none()  # for the schema only; reads go through selectors

    @extend_schema(parameters=[s.TaskQuery])
    def list(self, request):
        query = s.TaskQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        qs = selectors.task_list(
            user=request.user,
            mine=bool(params.get("mine")),
            state=params.get("state") or "",
            batch_id=params.get("batch"),
        )
        paginator = _paginator(request)
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(s.TaskSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(s.TaskSerializer(selectors.task_get(user=request.user, pk=pk)).data)

    @extend_schema(request=s.AssignInput, responses=s.TaskSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = _valid(s.AssignInput, request)
        task = selectors.task_get(user=request.user, pk=pk)
        services.task_assign(actor=request.user, task_ids=[task.pk], **data)
        return Response(s.TaskSerializer(selectors.task_get(user=request.user, pk=pk)).data)

    @extend_schema(request=s.PositionInput, responses={201: s.InspectionDetailSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        data = _valid(s.PositionInput, request)
        task = selectors.task_get(user=request.user, pk=pk)
        inspection = services.inspection_start(actor=request.user, task_id=task.pk, **data)
        return _inspection_response(request, inspection.pk, status.HTTP_201_CREATED)


def _paginator(request):
    return StandardPagination()


def _inspection_response(request, pk, code=status.HTTP_200_OK):
    inspection = selectors.inspection_get(user=request.user, pk=pk, full=True)
    return Response(s.InspectionDetailSerializer(inspection).data, status=code)


class InspectionViewSet(viewsets.ViewSet):
    """Inspection records. POST creates a draft (from a task or ad hoc); the record is then
    answered, photographed, signed and sealed through the actions below."""

    serializer_class = s.InspectionListSerializer
    pagination_class = StandardPagination  # lists answer {count, next, previous, results}
    queryset = Inspection.objects.none()  # for the schema only; reads go through selectors
    filterset_class = InspectionFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def list(self, request):
        qs = selectors.inspection_list(user=request.user)
        qs = filter_queryset_or_400(InspectionFilterSet, request, qs)
        paginator = _paginator(request)
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(s.InspectionListSerializer(page, many=True).data)

    @extend_schema(responses=s.InspectionDetailSerializer)
    def retrieve(self, request, pk=None):
        return _inspection_response(request, pk)

    @extend_schema(request=s.StartInput, responses={201: s.InspectionDetailSerializer})
    def create(self, request):
        data = _valid(s.StartInput, request)
        inspection = services.inspection_start(actor=request.user, **data)
        return _inspection_response(request, inspection.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.AnswersInput, responses=s.InspectionDetailSerializer)
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        data = _valid(s.AnswersInput, request)
        selectors.inspection_get(user=request.user, pk=pk)
        services.inspection_record_answers(
            actor=request.user, inspection_id=pk, answers=[dict(a) for a in data.pop("answers")], **data
        )
        return _inspection_response(request, pk)

    @extend_schema(request={"multipart/form-data": s.PhotoInput}, responses={201: s.PhotoSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request, pk=None):
        data = _valid(s.PhotoInput, request)
        selectors.inspection_get(user=request.user, pk=pk)
        photo = services.inspection_add_photo(
            actor=request.user, inspection_id=pk, upload=data.pop("file"), **data
        )
        return Response(s.PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SignatureInput, responses={201: s.SignatureSerializer})
    @action(detail=True, methods=["post"])
    def signatures(self, request, pk=None):
        data = _valid(s.SignatureInput, request)
        selectors.inspection_get(user=request.user, pk=pk)
        image = data.pop("image") or data.pop("image_file", None)
        data.pop("image_file", None)
        signature = services.inspection_sign(
            actor=request.user, inspection_id=pk, image=image or None, **data
        )
        return Response(s.SignatureSerializer(signature).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.InspectionDetailSerializer)
    @action(detail=True, methods=["post"])
    def seal(self, request, pk=None):
        selectors.inspection_get(user=request.user, pk=pk)
        services.inspection_seal(actor=request.user, inspection_id=pk)
        return _inspection_response(request, pk)

    @extend_schema(request=s.CorrectInput, responses={201: s.InspectionDetailSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        data = _valid(s.CorrectInput, request)
        selectors.inspection_get(user=request.user, pk=pk)
        correction = services.inspection_correct(actor=request.user, inspection_id=pk, reason=data["reason"])
        return _inspection_response(request, correction.pk, status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"notice/(?P<fmt>pdf|docx)")
    def notice(self, request, pk=None, fmt="pdf"):
        """The 整改通知书 as PDF or Word; the inspecting side issues it on first download."""
        inspection = selectors.inspection_get(user=request.user, pk=pk)
        from gasguard.accounts.selectors import user_scope

        scope = user_scope(user=request.user)
        if (
            not inspection.notice_issued_at
            and scope.has_role("inspector", "supervisor", "taskforce_admin")
            and (scope.is_global or scope.region_prefixes)
        ):
            services.inspection_issue_notice(actor=request.user, inspection_id=pk)
        inspection = selectors.inspection_get(user=request.user, pk=pk, full=True)
        if not inspection.notice_issued_at:
            raise Conflict("整改通知书尚未下达")
        if fmt == "pdf":
            data, ctype = notice_docs.render_pdf(inspection), "application/pdf"
        else:
            data = notice_docs.render_docx(inspection)
            ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        response = HttpResponse(data, content_type=ctype)
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote(notice_docs.filename(inspection, fmt))}"
        )
        return response


def _row(r) -> dict:
    return {
        "key": r.key,
        "label": r.label,
        "registered": r.registered,
        "inspected": r.inspected,
        "rate": r.rate,
    }


@extend_schema(
    responses=OpenApiTypes.OBJECT,
    parameters=[
        OpenApiParameter("level", OpenApiTypes.STR, enum=["district", "street", "community", "grid"]),
        OpenApiParameter("region", OpenApiTypes.STR),
        OpenApiParameter("batch", OpenApiTypes.INT),
        OpenApiParameter("date_from", OpenApiTypes.DATE),
        OpenApiParameter("date_to", OpenApiTypes.DATE),
    ],
)
@api_view(["GET"])
def coverage(request):
    """Coverage: registered vs inspected premises and enterprises by region (`level`) and type."""
    from gasguard.inspections.forms import CoverageFilterForm

    form = CoverageFilterForm(request.query_params)
    params = {}
    if form.is_valid():
        d = form.cleaned_data
        params = {
            "level": d["level"] or "street",
            "region_code": d["region"] or "",
            "batch_id": d["batch"],
            "date_from": d["date_from"],
            "date_to": d["date_to"],
        }
    else:
        from gasguard.core.errors import ValidationFailed

        raise ValidationFailed("查询参数有误", errors={k: list(v) for k, v in form.errors.items()})
    result = selectors.coverage(user=request.user, **params)
    return Response(
        {
            "level": result.level,
            "premises": {
                "total": _row(result.premises_total),
                "by_region": [_row(r) for r in result.premises_by_region],
                "by_kind": [_row(r) for r in result.premises_by_kind],
            },
            "enterprises": {
                "total": _row(result.enterprises_total),
                "by_region": [_row(r) for r in result.enterprises_by_region],
                "by_role": [_row(r) for r in result.enterprises_by_role],
            },
        }
    )
