"""API plumbing shared by every app: pagination, the one error format, scoped viewset base."""

import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from gasguard.core.errors import DomainError, NotFound, ValidationFailed
from gasguard.core.permissions import PersonalWritePermission, WriteRolePermission

__all__ = [
    "PersonalWritePermission",
    "StandardPagination",
    "WriteRolePermission",
    "error_body",
    "exception_handler",
]


class StandardPagination(PageNumberPagination):
    """`?page=` (from 1, or `last`) and `?page_size=` (1–500). A value that is not such a number
    is a 400 naming the parameter — not silently the first page or the default size — and a
    page past the end is a 404 naming `page`."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param, "").strip()
        if not raw:
            return self.page_size
        if not re.fullmatch(r"\d{1,9}", raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationFailed(
                f"page_size 须为 1 到 {self.max_page_size} 的整数（收到“{raw[:20]}”）", field="page_size"
            )
        return int(raw)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "").strip()
        if not raw:
            return 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        if not re.fullmatch(r"\d{1,9}", raw) or int(raw) < 1:
            raise ValidationFailed(f"page 须为从 1 开始的整数或 last（收到“{raw[:20]}”）", field="page")
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as exc:
            raise NotFound(str(exc.detail), field="page") from None


def _flatten(detail) -> dict[str, list[str]]:
    """DRF's nested error detail as {field: [messages]}; nested paths are joined with dots."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list):
            if all(not isinstance(v, dict | list) for v in value):
                out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
            else:
                for index, sub in enumerate(value):
                    walk(f"{prefix}[{index}]", sub)
        else:
            out.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return out


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    """The single error envelope: {"error": {"code", "message", "fields": {name: [msg]}}}."""
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def exception_handler(exc, context):
    """Turn domain, Django and DRF errors into the one error envelope."""
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.errors), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
        return Response(error_body("invalid", message, fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("未找到，或不在您的数据权限范围内。")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
        response.data = error_body("invalid", message or "输入有误", fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(exc, "default_code", "error")
        response.data = error_body(code, str(detail))
    return response


def filter_queryset_or_400(filterset_class, request, queryset, **kwargs):
    """Apply a django-filter FilterSet; an invalid value (non-numeric id, bad date, bad
    boolean, unknown choice) is a 400 in the error envelope naming the field, never ignored."""
    kwargs.setdefault("request", request)
    filterset = filterset_class(request.query_params, queryset=queryset, **kwargs)
    if not filterset.is_valid():
        errors = filterset.form.errors.get_json_data()
        raise exceptions.ValidationError(
            {name: [e["message"] for e in errs] for name, errs in errors.items()}
        )
    return filterset.qs
