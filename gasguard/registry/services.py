"""Writes to the registry (基础台账). Nothing else changes enterprises, licences, staff,
certificates, premises or facilities.

Who may write (decided here, documented in docs/):
- taskforce_admin, supervisor and inspector may write rows whose region lies in their scope;
- enterprise users may create/update their own enterprise's premises, staff and certificates
  (they keep their own data current), but not the enterprise record, its roles, its
  licences (issued by government) or facilities;
- leader and monitor_operator are read-only.

Every write runs in one transaction with its audit event (payload = the changed fields).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Model

from gasguard.accounts.choices import WRITE_ROLES, MembershipRoleChoices
from gasguard.accounts.selectors import user_scope
from gasguard.audit.services import audit_record
from gasguard.core.errors import PermissionDenied, ValidationFailed
from gasguard.org.models import Region
from gasguard.registry.choices import (
    CertificateKindChoices,
    EnterpriseRoleChoices,
    FacilityKindChoices,
    IssuingLevelChoices,
    LicenceKindChoices,
    LicenceStatusChoices,
    PremisesKindChoices,
    PremisesStatusChoices,
    PressureClassChoices,
    StaffPostChoices,
    UndergroundChoices,
)
from gasguard.registry.importing import parse_date
from gasguard.registry.models import (
    Certificate,
    Enterprise,
    EnterpriseRole,
    Facility,
    Licence,
    Premises,
    Staff,
    location_error,
)
from gasguard.registry.uscc import normalise_uscc, uscc_error

READ_ONLY_MESSAGE = "您的角色为只读，不能修改台账"
ENTERPRISE_USER_MESSAGE = "企业用户不能登记或修改企业信息、业务类型、证照和设施，请联系主管部门"
ANGLE_MESSAGE = "不能包含 < 或 > 字符（疑似HTML或脚本）"

# Editable fields per model; anything else passed to a service is refused.
ENTERPRISE_FIELDS = (
    "name",
    "uscc",
    "region",
    "address",
    "legal_representative",
    "contact_phone",
    "lon",
    "lat",
    "service_region_codes",
    "is_active",
)
LICENCE_FIELDS = ("kind", "number", "issuer", "issuing_level", "scope", "valid_from", "valid_to", "status")
STAFF_FIELDS = ("name", "post", "phone", "id_number_masked", "is_active")
CERTIFICATE_FIELDS = ("kind", "number", "passed", "issued_on", "valid_to")
PREMISES_FIELDS = (
    "name",
    "kind",
    "region",
    "operator_name",
    "enterprise",
    "address",
    "lon",
    "lat",
    "gas_pipeline",
    "gas_lpg",
    "gas_alcohol",
    "gas_other",
    "underground",
    "supplier",
    "contact_name",
    "contact_phone",
    "status",
    "external_id",
)
FACILITY_FIELDS = (
    "kind",
    "name",
    "code",
    "enterprise",
    "region",
    "geometry",
    "pressure_class",
    "material",
    "diameter_mm",
    "length_m",
    "built_year",
    "is_active",
)
# Free-text fields checked for HTML/script (`<`, `>`).
TEXT_FIELDS = {
    "name",
    "address",
    "legal_representative",
    "contact_phone",
    "number",
    "issuer",
    "scope",
    "phone",
    "id_number_masked",
    "operator_name",
    "contact_name",
    "external_id",
    "code",
    "material",
}
REQUIRED = {
    "enterprise": ("name", "uscc", "region"),
    "licence": ("kind", "number", "issuer", "issuing_level", "valid_from", "valid_to"),
    "staff": ("name", "post"),
    "certificate": ("kind", "issued_on"),
    "premises": ("name", "kind", "region", "address"),
    "facility": ("kind", "name", "enterprise", "region"),
}
_CHOICE_FIELDS = {
    "licence": {
        "kind": LicenceKindChoices,
        "issuing_level": IssuingLevelChoices,
        "status": LicenceStatusChoices,
    },
    "staff": {"post": StaffPostChoices},
    "certificate": {"kind": CertificateKindChoices},
    "premises": {
        "kind": PremisesKindChoices,
        "underground": UndergroundChoices,
        "status": PremisesStatusChoices,
    },
    "facility": {"kind": FacilityKindChoices, "pressure_class": PressureClassChoices},
}
GEOMETRY_TYPES = ("Point", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


# --- helpers ---------------------------------------------------------------------------------


def _json_value(value):
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - unknown field names are reported as given
        return name


def _resolve_region(value) -> Region | None:
    if value is None or value == "":
        return None
    if isinstance(value, Region):
        return value
    region = Region.objects.filter(code=str(value).strip()).first()
    if region is None:
        raise ValidationFailed(f"区划代码 {value} 不存在", field="region")
    return region


def _as_date(value, *, field: str, label: str, errors: dict) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    parsed = parse_date(value)
    if parsed is None:
        errors.setdefault(field, []).append(f"{label}“{value}”不是有效日期（如 2024-03-01）")
    return parsed


def _add(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _check_text(model, data: dict, errors: dict) -> None:
    for name, value in data.items():
        if name in TEXT_FIELDS and isinstance(value, str) and ("<" in value or ">" in value):
            _add(errors, name, f"{_field_label(model, name)}{ANGLE_MESSAGE}")


def _check_choices(kind: str, model, data: dict, errors: dict) -> None:
    for name, choices in _CHOICE_FIELDS.get(kind, {}).items():
        value = data.get(name)
        if value in (None, "") and name in ("pressure_class",):
            continue
        if name in data and value not in choices.values:
            _add(errors, name, f"{_field_label(model, name)}“{value}”不是可选值")


def _check_required(kind: str, model, obj, errors: dict) -> None:
    for name in REQUIRED[kind]:
        value = getattr(obj, f"{name}_id", None) if name in ("region", "enterprise") else getattr(obj, name)
        if value in (None, ""):
            _add(errors, name, f"{_field_label(model, name)}不能为空")


def _check_lengths(model, obj, data: dict, errors: dict) -> None:
    for name in data:
        field = model._meta.get_field(name)
        max_length = getattr(field, "max_length", None)
        value = getattr(obj, name, None)
        if max_length and isinstance(value, str) and len(value) > max_length:
            _add(errors, name, f"{_field_label(model, name)}过长：最多{max_length}个字符")


def _assign(obj, model, allowed: tuple[str, ...], data: dict) -> dict:
    """Set the given fields on obj; return {field: new value} of those that changed."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationFailed(
            f"不能修改的字段：{'、'.join(unknown)}", errors={k: ["不能修改"] for k in unknown}
        )
    changed = {}
    for name, value in data.items():
        if isinstance(value, str) and name in TEXT_FIELDS | {"uscc"}:
            value = value.strip()
        if name in ("region", "enterprise", "supplier"):
            old = getattr(obj, f"{name}_id", None)
            new = value.pk if isinstance(value, Model) else value
            if old != new:
                setattr(obj, name, value)
                changed[name] = new
            continue
        if getattr(obj, name, None) != value:
            setattr(obj, name, value)
            changed[name] = _json_value(value)
    return changed


def _raise_if(errors: dict) -> None:
    if errors:
        first_field, messages = next(iter(errors.items()))
        raise ValidationFailed(messages[0], field=first_field, errors=errors)


def _require_gov_write(actor, region_code: str, *, field: str = "region"):
    scope = user_scope(user=actor)
    if not scope.has_role(*WRITE_ROLES):
        if scope.has_role(MembershipRoleChoices.ENTERPRISE):
            raise PermissionDenied(ENTERPRISE_USER_MESSAGE)
        raise PermissionDenied(READ_ONLY_MESSAGE)
    if not scope.covers_region(region_code):
        raise PermissionDenied(f"所选区划（{region_code}）不在您的管辖范围内", field=field)
    return scope


def _can_write_enterprise_data(actor, enterprise: Enterprise) -> bool:
    """Government writers in the enterprise's region, or the enterprise's own users."""
    scope = user_scope(user=actor)
    if scope.has_role(*WRITE_ROLES) and scope.covers_region(enterprise.region_code):
        return True
    return scope.has_role(MembershipRoleChoices.ENTERPRISE) and enterprise.pk in scope.enterprise_ids


def _require_enterprise_data_write(actor, enterprise: Enterprise, *, field: str = "enterprise") -> None:
    if _can_write_enterprise_data(actor, enterprise):
        return
    scope = user_scope(user=actor)
    if not scope.has_role(*WRITE_ROLES, MembershipRoleChoices.ENTERPRISE):
        raise PermissionDenied(READ_ONLY_MESSAGE)
    raise PermissionDenied(f"企业“{enterprise.name}”不在您的管辖范围内", field=field)


def _save_unique(obj, *, field: str, message: str) -> None:
    """Save; a unique-constraint race lost to a concurrent writer becomes a field error."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationFailed(message, field=field) from exc


def _audit(event_type: str, obj, actor, payload: dict) -> None:
    audit_record(
        event_type=event_type,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        actor=actor,
        region_code=getattr(obj, "region_code", "") or "",
        payload=json.loads(json.dumps(payload, default=str)),
    )


def _visible_enterprise(actor, enterprise) -> Enterprise | None:
    from gasguard.registry.selectors import enterprise_list  # noqa: PLC0415 - avoids a cycle

    if enterprise in (None, ""):
        return None
    pk = enterprise.pk if isinstance(enterprise, Model) else int(enterprise)
    return enterprise_list(user=actor).filter(pk=pk).first()


# --- enterprises -------------------------------------------------------------------------------


def _validate_enterprise(enterprise: Enterprise, data: dict, errors: dict) -> None:
    _check_text(Enterprise, data, errors)
    _check_required("enterprise", Enterprise, enterprise, errors)
    if "uscc" in data and enterprise.uscc:
        if message := uscc_error(enterprise.uscc):
            _add(errors, "uscc", message)
        else:
            other = Enterprise.objects.filter(uscc=enterprise.uscc).exclude(pk=enterprise.pk).first()
            if other is not None:
                _add(errors, "uscc", f"统一社会信用代码已被{other.name}企业使用")
    for name, message in location_error(enterprise.lon, enterprise.lat).items():
        _add(errors, name, message)
    codes = enterprise.service_region_codes or []
    if not isinstance(codes, list) or not all(isinstance(c, str) and c.isdigit() for c in codes):
        _add(errors, "service_region_codes", "供气/经营区域应为区划代码列表")
    elif codes:
        known = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
        missing = [c for c in codes if c not in known]
        if missing:
            _add(errors, "service_region_codes", f"区划代码不存在：{'、'.join(missing)}")
    _check_lengths(Enterprise, enterprise, data, errors)


def _clean_enterprise_data(data: dict) -> dict:
    data = dict(data)
    if "uscc" in data:
        data["uscc"] = normalise_uscc(data["uscc"])
    if "region" in data:
        data["region"] = _resolve_region(data["region"])
    return data


def _check_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles or ()))
    bad = [r for r in roles if r not in EnterpriseRoleChoices.values]
    if bad:
        raise ValidationFailed(f"业务类型不是可选值：{'、'.join(bad)}", field="roles")
    return roles


def enterprise_create(*, actor, roles: Iterable[str] = (), **data) -> Enterprise:
    """Register an enterprise (USCC validated and unique) with its roles."""
    data = _clean_enterprise_data(data)
    roles = _check_roles(roles)
    enterprise = Enterprise()
    errors: dict = {}
    _assign(enterprise, Enterprise, ENTERPRISE_FIELDS, data)
    _validate_enterprise(enterprise, {**data, "uscc": enterprise.uscc}, errors)
    _raise_if(errors)
    _require_gov_write(actor, enterprise.region.code)
    enterprise.region_code = enterprise.region.code
    with transaction.atomic():
        _save_unique(enterprise, field="uscc", message="统一社会信用代码已被其他企业使用（刚刚登记）")
        EnterpriseRole.objects.bulk_create([EnterpriseRole(enterprise=enterprise, role=r) for r in roles])
        payload = {k: _json_value(getattr(enterprise, k)) for k in data if k != "region"}
        payload["region"] = enterprise.region_code
        payload["roles"] = roles
        _audit("ENTERPRISE_CREATED", enterprise, actor, payload)
    return enterprise


def enterprise_update(*, actor, enterprise: Enterprise, **data) -> Enterprise:
    """Change an enterprise's details; moving it moves its licences and staff with it."""
    _require_gov_write(actor, enterprise.region_code)
    data = _clean_enterprise_data(data)
    errors: dict = {}
    changed = _assign(enterprise, Enterprise, ENTERPRISE_FIELDS, data)
    _validate_enterprise(enterprise, changed, errors)
    _raise_if(errors)
    if not changed:
        return enterprise
    if "region" in changed:
        _require_gov_write(actor, enterprise.region.code)
        enterprise.region_code = enterprise.region.code
        changed["region"] = enterprise.region_code
    with transaction.atomic():
        _save_unique(enterprise, field="uscc", message="统一社会信用代码已被其他企业使用（刚刚登记）")
        if "region" in changed:
            Licence.objects.filter(enterprise=enterprise).update(region_code=enterprise.region_code)
            Staff.objects.filter(enterprise=enterprise).update(region_code=enterprise.region_code)
        _audit("ENTERPRISE_UPDATED", enterprise, actor, changed)
    return enterprise


def enterprise_set_roles(*, actor, enterprise: Enterprise, roles: Iterable[str]) -> Enterprise:
    """Replace the business roles (业务类型) an enterprise holds."""
    _require_gov_write(actor, enterprise.region_code)
    roles = _check_roles(roles)
    with transaction.atomic():
        current = set(EnterpriseRole.objects.filter(enterprise=enterprise).values_list("role", flat=True))
        added = [r for r in roles if r not in current]
        removed = sorted(current - set(roles))
        if not added and not removed:
            return enterprise
        EnterpriseRole.objects.filter(enterprise=enterprise, role__in=removed).delete()
        EnterpriseRole.objects.bulk_create([EnterpriseRole(enterprise=enterprise, role=r) for r in added])
        _audit("ENTERPRISE_ROLES_CHANGED", enterprise, actor, {"added": added, "removed": removed})
    if hasattr(enterprise, "_prefetched_objects_cache"):
        enterprise._prefetched_objects_cache.pop("roles", None)
    return enterprise


# --- licences -------------------------------------------------------------------------------------


def _validate_licence(licence: Licence, data: dict, errors: dict) -> None:
    _check_text(Licence, data, errors)
    _check_choices("licence", Licence, data, errors)
    for name in ("valid_from", "valid_to"):
        if name in data:
            setattr(
                licence,
                name,
                _as_date(
                    getattr(licence, name), field=name, label=_field_label(Licence, name), errors=errors
                ),
            )
    _check_required("licence", Licence, licence, errors)
    if licence.valid_from and licence.valid_to and licence.valid_to < licence.valid_from:
        _add(errors, "valid_to", f"有效期至（{licence.valid_to}）不能早于有效期起（{licence.valid_from}）")
    if licence.kind and licence.number:
        clash = Licence.objects.filter(kind=licence.kind, number=licence.number).exclude(pk=licence.pk)
        if clash.exists():
            _add(errors, "number", f"{LicenceKindChoices(licence.kind).label}证号 {licence.number} 已登记")
    _check_lengths(Licence, licence, data, errors)


def licence_create(*, actor, enterprise: Enterprise, **data) -> Licence:
    """Register a licence of an enterprise; validity must not end before it starts."""
    _require_gov_write(actor, enterprise.region_code, field="enterprise")
    licence = Licence(enterprise=enterprise, region_code=enterprise.region_code)
    errors: dict = {}
    data.setdefault("status", LicenceStatusChoices.VALID)
    _assign(licence, Licence, LICENCE_FIELDS, data)
    _validate_licence(licence, data, errors)
    _raise_if(errors)
    with transaction.atomic():
        _save_unique(licence, field="number", message="该类型证号已登记（刚刚登记）")
        payload = {k: _json_value(getattr(licence, k)) for k in data}
        payload["enterprise"] = enterprise.pk
        _audit("LICENCE_CREATED", licence, actor, payload)
    return licence


def licence_update(*, actor, licence: Licence, **data) -> Licence:
    """Change a licence (renewal, suspension, revocation …)."""
    _require_gov_write(actor, licence.region_code, field="enterprise")
    errors: dict = {}
    changed = _assign(licence, Licence, LICENCE_FIELDS, data)
    _validate_licence(licence, changed, errors)
    _raise_if(errors)
    if not changed:
        return licence
    changed = {k: _json_value(getattr(licence, k)) for k in changed}
    with transaction.atomic():
        _save_unique(licence, field="number", message="该类型证号已登记（刚刚登记）")
        _audit("LICENCE_UPDATED", licence, actor, changed)
    return licence


# --- staff and certificates ----------------------------------------------------------------------


def _validate_simple(kind: str, model, obj, data: dict, errors: dict) -> None:
    _check_text(model, data, errors)
    _check_choices(kind, model, data, errors)
    _check_required(kind, model, obj, errors)
    _check_lengths(model, obj, data, errors)


def staff_create(*, actor, enterprise: Enterprise, **data) -> Staff:
    """Register a key person (主要负责人, 安全管理人员, 充装工 …) of an enterprise."""
    _require_enterprise_data_write(actor, enterprise)
    staff = Staff(enterprise=enterprise, region_code=enterprise.region_code)
    errors: dict = {}
    _assign(staff, Staff, STAFF_FIELDS, data)
    _validate_simple("staff", Staff, staff, data, errors)
    _raise_if(errors)
    with transaction.atomic():
        staff.save()
        payload = {k: _json_value(getattr(staff, k)) for k in data}
        payload["enterprise"] = enterprise.pk
        _audit("STAFF_CREATED", staff, actor, payload)
    return staff


def staff_update(*, actor, staff: Staff, **data) -> Staff:
    """Change a staff member's details (post, phone, still employed …)."""
    _require_enterprise_data_write(actor, staff.enterprise)
    errors: dict = {}
    changed = _assign(staff, Staff, STAFF_FIELDS, data)
    _validate_simple("staff", Staff, staff, changed, errors)
    _raise_if(errors)
    if not changed:
        return staff
    with transaction.atomic():
        staff.save()
        _audit("STAFF_UPDATED", staff, actor, changed)
    return staff


def _validate_certificate(cert: Certificate, data: dict, errors: dict) -> None:
    for name in ("issued_on", "valid_to"):
        if name in data:
            setattr(
                cert,
                name,
                _as_date(
                    getattr(cert, name), field=name, label=_field_label(Certificate, name), errors=errors
                ),
            )
    _validate_simple("certificate", Certificate, cert, data, errors)
    if cert.issued_on and cert.valid_to and cert.valid_to < cert.issued_on:
        _add(errors, "valid_to", f"有效期至（{cert.valid_to}）不能早于发证/考核日期（{cert.issued_on}）")


def certificate_create(*, actor, staff: Staff, **data) -> Certificate:
    """Record a training/assessment result or certificate of a staff member."""
    _require_enterprise_data_write(actor, staff.enterprise, field="staff")
    cert = Certificate(staff=staff)
    errors: dict = {}
    data.setdefault("passed", True)
    _assign(cert, Certificate, CERTIFICATE_FIELDS, data)
    _validate_certificate(cert, data, errors)
    _raise_if(errors)
    with transaction.atomic():
        cert.save()
        payload = {k: _json_value(getattr(cert, k)) for k in data}
        payload["staff"] = staff.pk
        audit_record(
            event_type="CERTIFICATE_CREATED",
            object_type="certificate",
            object_id=cert.pk,
            actor=actor,
            region_code=staff.region_code,
            payload=payload,
        )
    return cert


def certificate_update(*, actor, certificate: Certificate, **data) -> Certificate:
    """Correct a certificate record (renewed expiry, failed re-assessment …)."""
    _require_enterprise_data_write(actor, certificate.staff.enterprise, field="staff")
    errors: dict = {}
    changed = _assign(certificate, Certificate, CERTIFICATE_FIELDS, data)
    _validate_certificate(certificate, changed, errors)
    _raise_if(errors)
    if not changed:
        return certificate
    changed = {k: _json_value(getattr(certificate, k)) for k in changed}
    with transaction.atomic():
        certificate.save()
        audit_record(
            event_type="CERTIFICATE_UPDATED",
            object_type="certificate",
            object_id=certificate.pk,
            actor=actor,
            region_code=certificate.staff.region_code,
            payload=changed,
        )
    return certificate


# --- premises -------------------------------------------------------------------------------------


def _clean_fk_data(actor, data: dict) -> dict:
    data = dict(data)
    if "region" in data:
        data["region"] = _resolve_region(data["region"])
    for name in ("enterprise", "supplier"):
        value = data.get(name)
        if value not in (None, "") and not isinstance(value, Model):
            found = Enterprise.objects.filter(pk=value).first()
            if found is None:
                raise ValidationFailed(f"企业 {value} 不存在", field=name)
            data[name] = found
        elif value == "":
            data[name] = None
    return data


def validate_premises(premises: Premises, data: dict, errors: dict) -> None:
    """Field errors of a premises (also used by the importer row by row)."""
    _check_text(Premises, data, errors)
    _check_choices("premises", Premises, data, errors)
    _check_required("premises", Premises, premises, errors)
    for name, message in location_error(premises.lon, premises.lat).items():
        _add(errors, name, message)
    _check_lengths(Premises, premises, data, errors)


def _check_premises_write(actor, premises: Premises) -> None:
    """Government writers: the region must be theirs. Enterprise users: their own premises only."""
    scope = user_scope(user=actor)
    region = premises.region
    if scope.has_role(*WRITE_ROLES) and scope.covers_region(region.code):
        return
    if scope.has_role(MembershipRoleChoices.ENTERPRISE) and premises.enterprise_id in scope.enterprise_ids:
        return
    if scope.has_role(*WRITE_ROLES):
        raise PermissionDenied(f"所选区划（{region.code} {region.name}）不在您的管辖范围内", field="region")
    if scope.has_role(MembershipRoleChoices.ENTERPRISE):
        raise PermissionDenied("企业用户只能登记和修改本企业经营的场所", field="enterprise")
    raise PermissionDenied(READ_ONLY_MESSAGE)


def _check_operator_visible(actor, premises: Premises, changed: dict, errors: dict) -> None:
    if "enterprise" in changed and premises.enterprise_id:
        if _visible_enterprise(actor, premises.enterprise_id) is None:
            _add(errors, "enterprise", "经营主体企业不在您的数据权限范围内")


def premises_create(*, actor, **data) -> Premises:
    """Register a gas-using premises inside the actor's scope."""
    data = _clean_fk_data(actor, data)
    premises = Premises()
    errors: dict = {}
    _assign(premises, Premises, PREMISES_FIELDS, data)
    validate_premises(premises, data, errors)
    _raise_if(errors)
    _check_premises_write(actor, premises)
    _check_operator_visible(actor, premises, {k: 1 for k in data}, errors)
    _raise_if(errors)
    premises.region_code = premises.region.code
    with transaction.atomic():
        premises.save()
        payload = {
            k: _json_value(getattr(premises, k))
            for k in data
            if k not in ("region", "enterprise", "supplier")
        }
        payload.update(
            region=premises.region_code, enterprise=premises.enterprise_id, supplier=premises.supplier_id
        )
        _audit("PREMISES_CREATED", premises, actor, payload)
    return premises


def premises_update(*, actor, premises: Premises, **data) -> Premises:
    """Change a premises; moving it to another region needs that region in scope too."""
    _check_premises_write(actor, premises)
    data = _clean_fk_data(actor, data)
    errors: dict = {}
    changed = _assign(premises, Premises, PREMISES_FIELDS, data)
    validate_premises(premises, changed, errors)
    _raise_if(errors)
    if not changed:
        return premises
    _check_premises_write(actor, premises)
    _check_operator_visible(actor, premises, changed, errors)
    _raise_if(errors)
    if "region" in changed:
        premises.region_code = premises.region.code
        changed["region"] = premises.region_code
    with transaction.atomic():
        premises.save()
        _audit("PREMISES_UPDATED", premises, actor, changed)
    return premises


# --- facilities -----------------------------------------------------------------------------------


def geometry_error(geometry) -> str | None:
    """None if the GeoJSON geometry is valid and inside China, else a Chinese message."""
    if geometry in (None, "", {}):
        return None
    if isinstance(geometry, str):
        try:
            geometry = json.loads(geometry)
        except ValueError:
            return "几何不是有效的 GeoJSON（JSON 格式错误）"
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        return f"几何类型须为 {'、'.join(GEOMETRY_TYPES)} 之一"
    from shapely.geometry import shape  # noqa: PLC0415 - heavy import only when needed

    try:
        geom = shape(geometry)
    except Exception:  # noqa: BLE001 - shapely raises several types for malformed input
        return "几何坐标格式错误"
    if geom.is_empty:
        return "几何为空"
    if not geom.is_valid:
        from shapely.validation import explain_validity  # noqa: PLC0415

        return f"几何无效：{explain_validity(geom)}"
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    for lon, lat in ((min_lon, min_lat), (max_lon, max_lat)):
        if location_error(lon, lat):
            return "几何坐标不在中国境内或经纬度填反（应为 [经度, 纬度]）"
    return None


def _validate_facility(facility: Facility, data: dict, errors: dict) -> None:
    _check_text(Facility, data, errors)
    _check_choices("facility", Facility, data, errors)
    _check_required("facility", Facility, facility, errors)
    if isinstance(facility.geometry, str) and facility.geometry.strip():
        try:
            facility.geometry = json.loads(facility.geometry)
        except ValueError:
            pass
    if message := geometry_error(facility.geometry):
        _add(errors, "geometry", message)
    if facility.built_year is not None and not 1900 <= int(facility.built_year) <= datetime.date.today().year:
        _add(errors, "built_year", "建设年份不合理")
    _check_lengths(Facility, facility, data, errors)


def facility_create(*, actor, **data) -> Facility:
    """Register a gas facility (管段, 场站, 调压设施 …) with GeoJSON geometry."""
    data = _clean_fk_data(actor, data)
    facility = Facility()
    errors: dict = {}
    _assign(facility, Facility, FACILITY_FIELDS, data)
    _validate_facility(facility, data, errors)
    _raise_if(errors)
    _require_gov_write(actor, facility.region.code)
    if _visible_enterprise(actor, facility.enterprise_id) is None:
        raise ValidationFailed("权属单位不在您的数据权限范围内", field="enterprise")
    facility.region_code = facility.region.code
    with transaction.atomic():
        facility.save()
        payload = {k: _json_value(getattr(facility, k)) for k in data if k not in ("region", "enterprise")}
        payload.update(region=facility.region_code, enterprise=facility.enterprise_id)
        _audit("FACILITY_CREATED", facility, actor, payload)
    return facility


def facility_update(*, actor, facility: Facility, **data) -> Facility:
    """Change a facility's attributes or geometry."""
    _require_gov_write(actor, facility.region_code)
    data = _clean_fk_data(actor, data)
    errors: dict = {}
    changed = _assign(facility, Facility, FACILITY_FIELDS, data)
    _validate_facility(facility, changed, errors)
    _raise_if(errors)
    if not changed:
        return facility
    if "region" in changed:
        _require_gov_write(actor, facility.region.code)
        facility.region_code = facility.region.code
        changed["region"] = facility.region_code
    if "enterprise" in changed and _visible_enterprise(actor, facility.enterprise_id) is None:
        raise ValidationFailed("权属单位不在您的数据权限范围内", field="enterprise")
    with transaction.atomic():
        facility.save()
        _audit("FACILITY_UPDATED", facility, actor, changed)
    return facility


def can_write_region(*, user, region_code: str) -> bool:
    """For templates: whether to offer 'edit' buttons for a row in this region."""
    scope = user_scope(user=user)
    return scope.has_role(*WRITE_ROLES) and scope.covers_region(region_code)


def can_write_enterprise_data(*, user, enterprise: Enterprise) -> bool:
    """For templates: whether to offer editing an enterprise's premises/staff/certificates."""
    return _can_write_enterprise_data(user, enterprise)
