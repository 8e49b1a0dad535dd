"""POST /api/cylinders/gate/ — the pre-fill gate's API as a plain Django view.

Every scan of every filling scale comes through here, so the view does only what the gate needs
and leaves out the REST-framework request/response machinery (content negotiation, parser and
renderer selection, throttles), which cost more CPU than the decision itself (measured in
docs/cylinders.md § 性能). The contract is the API's everywhere else:

- authentication: `Authorization: Token <key>` (cached, CachedTokenAuthentication) or the
  signed-in session with its CSRF token (the gate page); otherwise 401 with
  `WWW-Authenticate: Token`;
- the read-only leader and other non-writing roles: 403 before the body is read;
- body: JSON (or a form) {code, station, operator, idempotency_key, scanned_at};
- errors: the one envelope {"error": {code, message, fields}} (gasguard.core.api.error_body).

The OpenAPI schema documents it through `schema_hook` (SPECTACULAR_SETTINGS).
"""

import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from gasguard.core.api import error_body
from gasguard.core.errors import DomainError
from gasguard.core.permissions import WriteRolePermission
from gasguard.cylinders import gate_cache, services
from gasguard.cylinders.api.auth import CachedTokenAuthentication
from gasguard.products.selectors import _BLACKLIST_KEY

_token_auth = CachedTokenAuthentication()
_session_auth = SessionAuthentication()
_write_role = WriteRolePermission()
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _error(status: int, code: str, message: str, fields: dict | None = None, headers=None) -> JsonResponse:
    return JsonResponse(
        error_body(code, message, fields),
        status=status,
        headers=headers,
        json_dumps_params={"ensure_ascii": False},
    )


def _authenticate(request):
    """The acting user: token first (as DRF's DEFAULT_AUTHENTICATION_CLASSES order), then the
    session with CSRF enforced; raises DRF's authentication/permission exceptions."""
    found = _token_auth.authenticate(request)
    if found is not None:
        return found[0]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        _session_auth.enforce_csrf(request)
        return user
    raise exceptions.NotAuthenticated()


def _body(request) -> dict:
    content_type = request.content_type or ""
    if content_type in _FORM_TYPES:
        return request.POST.dict()
    if content_type not in ("application/json", ""):
        raise exceptions.UnsupportedMediaType(content_type)
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise exceptions.ParseError(f"JSON 格式错误：{exc}") from None
    if not isinstance(data, dict):
        raise exceptions.ParseError("请求体须为 JSON 对象")
    return data


@csrf_exempt  # token callers need no CSRF token; session callers are checked in _authenticate
def gate(request):
    """POST {code, station, operator, idempotency_key, scanned_at} → {decision, reasons, attempt_id, …}."""
    if request.method != "POST":
        return _error(405, "method_not_allowed", f"不支持 {request.method} 方法", headers={"Allow": "POST"})
    # One shared-cache read (generation + blacklist) for the token, station, operator and blacklist.
    with gate_cache.pinned(raw_keys=(_BLACKLIST_KEY,)):
        try:
            user = _authenticate(request)
            request.user = user
            if not _write_role.has_permission(request, None):
                raise exceptions.PermissionDenied(WriteRolePermission.message)
            d = _body(request)
            result = services.cylinder_check_for_filling(
                actor=user,
                station=d.get("station"),
                code=d.get("code") or "",
                operator_staff=d.get("operator"),
                idempotency_key=d.get("idempotency_key") or "",
                scanned_at=d.get("scanned_at") or "",
            )
        except DomainError as exc:
            return _error(exc.status_code, exc.code, exc.message, exc.errors)
        except exceptions.APIException as exc:
            status, headers = exc.status_code, None
            if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
                status, headers = 401, {"WWW-Authenticate": _token_auth.authenticate_header(request)}
            return _error(status, getattr(exc, "default_code", "error"), str(exc.detail), headers=headers)
    return JsonResponse(result.as_dict(), json_dumps_params={"ensure_ascii": False})


def schema_hook(result, generator, request, public):
    """drf-spectacular post-processing: document the plain-Django gate view like the rest."""
    envelope = {"$ref": "#/components/schemas/GateError"}
    result.setdefault("components", {}).setdefault("schemas", {}).update(
        {
            "GateInput": {
                "type": "object",
                "required": ["code", "station", "operator", "idempotency_key", "scanned_at"],
                "properties": {
                    "code": {"type": "string", "description": "扫到的气瓶码（GG1-…）"},
                    "station": {"type": "integer", "description": "充装站设施 ID"},
                    "operator": {"type": "integer", "description": "充装作业人员（Staff）ID"},
                    "idempotency_key": {
                        "type": "string",
                        "pattern": "^[A-Za-z0-9._:-]{8,64}$",
                        "description": "每次扫码一个；重试用同一个，不重复计数",
                    },
                    "scanned_at": {"type": "string", "format": "date-time", "description": "站端扫码时间"},
                },
            },
            "GateReason": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            },
            "GateResult": {
                "type": "object",
                "properties": {
                    "decision": {"type": "string", "enum": ["allow", "deny"]},
                    "code": {"type": "string"},
                    "reasons": {"type": "array", "items": {"$ref": "#/components/schemas/GateReason"}},
                    "attempt_id": {"type": "integer"},
                    "replayed": {"type": "boolean"},
                    "cylinder": {"type": "object", "nullable": True},
                },
            },
            "GateError": {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "object",
                        "properties": {
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                            "fields": {"type": "object"},
                        },
                    }
                },
            },
        }
    )
    body = {"$ref": "#/components/schemas/GateInput"}
    result.setdefault("paths", {})["/api/cylinders/gate/"] = {
        "post": {
            "operationId": "cylinders_gate_create",
            "summary": "充装前核验（一瓶一码）",
            "description": "允许或拒绝充装，给出全部适用原因；每次扫码记录为 FillAttempt。无人工放行通道。",
            "tags": ["cylinders"],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": body},
                    "application/x-www-form-urlencoded": {"schema": body},
                },
            },
            "security": [{"tokenAuth": []}, {"cookieAuth": []}],
            "responses": {
                "200": {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GateResult"}}},
                    "description": "",
                },
                **{
                    str(status): {"content": {"application/json": {"schema": envelope}}, "description": text}
                    for status, text in (
                        (400, "输入错误（字段见 error.fields）"),
                        (401, "未认证"),
                        (403, "无权（非本单位、只读账号）"),
                        (404, "充装站不存在"),
                        (409, "幂等键已用于另一只气瓶"),
                    )
                },
            },
        }
    }
    return result
