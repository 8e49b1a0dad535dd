"""Read-only rule catalogue API: rules (filterable, paginated), one rule, version, checklists."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from gasguard.core.api import StandardPagination
from gasguard.core.errors import ValidationFailed
from gasguard.rules.api.serializers import CatalogVersionSerializer, ChecklistSerializer, RuleSerializer
from gasguard.rules.catalog import get_catalog
from gasguard.rules.checklists import checklist_for_type, checklist_named
from gasguard.rules.selectors import RuleFilter, catalog_summary, rule_get, rule_list

_FILTER_PARAMS = [
    OpenApiParameter("target_type", OpenApiTypes.STR, description="适用对象类型，如 restaurant"),
    OpenApiParameter("category", OpenApiTypes.STR, description="类别，如 hose"),
    OpenApiParameter("severity", OpenApiTypes.STR, description="general / major"),
    OpenApiParameter("lead", OpenApiTypes.STR, description="牵头部门类型，如 fire"),
    OpenApiParameter("status", OpenApiTypes.STR, description="来源状态 Plan / C / C-sec / M"),
    OpenApiParameter("answer_type", OpenApiTypes.STR, description="bool / number / choice / photo / text"),
    OpenApiParameter("checklist", OpenApiTypes.STR, description="专项清单名，如 delivery_check"),
    OpenApiParameter("q", OpenApiTypes.STR, description="关键词（编号、名称、问题、依据）"),
]


class RuleListAPIView(GenericAPIView):
    """GET /api/rules/rules/ — the catalogue, filterable, paginated."""

    serializer_class = RuleSerializer
    pagination_class = StandardPagination
    filter_backends = []

    @extend_schema(parameters=_FILTER_PARAMS, responses=RuleSerializer(many=True))
    def get(self, request):
        rules = rule_list(filters=RuleFilter.from_params(request.query_params))
        page = self.paginate_queryset(rules)
        return self.get_paginated_response(RuleSerializer(page, many=True).data)


class RuleDetailAPIView(GenericAPIView):
    """GET /api/rules/rules/<id>/ — one rule."""

    serializer_class = RuleSerializer
    filter_backends = []

    def get(self, request, rule_id: str):
        return Response(RuleSerializer(rule_get(rule_id=rule_id)).data)


class CatalogVersionAPIView(GenericAPIView):
    """GET /api/rules/version/ — catalogue version (content hash) and counts."""

    serializer_class = CatalogVersionSerializer
    filter_backends = []

    def get(self, request):
        return Response(CatalogVersionSerializer(catalog_summary()).data)


class ChecklistAPIView(GenericAPIView):
    """GET /api/rules/checklist/?target_type=restaurant[&checklist=delivery_check] — the
    on-site checklist of a target type, or a named checklist (e.g. 随瓶安检) for that type."""

    serializer_class = ChecklistSerializer
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "target_type", OpenApiTypes.STR, required=True, description="对象类型，如 restaurant"
            ),
            OpenApiParameter("checklist", OpenApiTypes.STR, description="专项清单名，如 delivery_check"),
        ],
        responses=ChecklistSerializer,
    )
    def get(self, request):
        target_type = (request.query_params.get("target_type") or "").strip()
        name = (request.query_params.get("checklist") or "").strip()
        if not target_type:
            raise ValidationFailed("请指定对象类型 target_type", field="target_type")
        version = get_catalog().version
        rules = checklist_named(name, target_type=target_type) if name else checklist_for_type(target_type)
        body = {
            "version": version,
            "target_type": target_type,
            "checklist": name,
            "count": len(rules),
            "rules": rules,
        }
        return Response(ChecklistSerializer(body).data)
