"""Services of 一瓶一码: registration, transfer, the pre-fill gate, fills, gas quality,
periodic inspection, seizure and scrapping, deliveries and 随瓶安检.

Every state change is audited in its transaction. The gate (`cylinder_check_for_filling`) is
the hot path: one indexed SELECT and one INSERT per decision; station licence, operator
certificate, blacklist and the token's user are cached (gate_cache: one cache round trip,
dropped when a change commits, GASGUARD_GATE_CACHE_SECONDS at most); each attempt is itself the
append-only record (the FillAttempt row), so it is not mirrored into the audit chain —
escalations and fills are.
"""

import json
import re
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from gasguard.audit.services import PendingEvent, audit_record, audit_record_many
from gasguard.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from gasguard.core.filters import EARLIEST_DATE, text_error
from gasguard.core.prepared import fetchone_prepared
from gasguard.cylinders import rules as cyl_rules
from gasguard.cylinders.choices import (
    SPEC_ALIASES,
    STATUS_TRANSITIONS,
    TWO_PHASE_SPECS,
    CylinderSpecChoices,
    DeliveryItemDirectionChoices,
    GasBatchStatusChoices,
    GateDecisionChoices,
    InspectionResultChoices,
)
from gasguard.cylinders.choices import (
    CylinderEventKindChoices as E,
)
from gasguard.cylinders.choices import (
    CylinderStatusChoices as S,
)
from gasguard.cylinders.choices import (
    GateReasonChoices as R,
)
from gasguard.cylinders.codes import code_error, make_code, normalise
from gasguard.cylinders.gate_cache import gate_cache_bump, gate_cache_get, gate_cache_set
from gasguard.cylinders.models import (
    Cylinder,
    CylinderCustody,
    CylinderEvent,
    Delivery,
    DeliveryCheck,
    DeliveryItem,
    Fill,
    FillAttempt,
    GasBatch,
    GasQualitySample,
    GateEscalation,
    PeriodicInspection,
)
from gasguard.cylinders.permissions import (
    is_enterprise_member,
    require_owner_or_regulator,
    require_regulator,
)

PRE_FILL_ITEMS = {
    "appearance": "瓶体无损伤、变形、腐蚀、火烧痕迹",
    "valve": "瓶阀完好、无泄漏",
    "residual": "残液、余压正常",
    "stamp": "钢印标记清晰、与登记一致",
    "label": "气瓶码标签完好",
}
POST_FILL_ITEMS = {
    "leak": "瓶阀及瓶体无泄漏",
    "mass": "复秤未超装",
    "seal": "瓶帽、封签齐全",
}
IDEMPOTENCY_RE = re.compile(r"^[A-Za-z0-9._:\-]{8,64}$")


def _has_role(enterprise, role: str) -> bool:
    return enterprise.roles.filter(role=role).exists()


def _event(cylinder, kind, *, actor=None, at=None, summary="", **kw) -> CylinderEvent:
    return CylinderEvent(
        cylinder_id=cylinder if isinstance(cylinder, int) else cylinder.pk,
        kind=kind,
        occurred_at=at or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        summary=summary[:300],
        region_code=kw.pop("region_code", "")
        or (cylinder.region_code if isinstance(cylinder, Cylinder) else ""),
        **kw,
    )


# --- registration -----------------------------------------------------------------------------


@dataclass
class RegistrationResult:
    """Outcome of a bulk registration: created codes, and errors by row number."""

    created: int = 0
    codes: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)


def _parse_date(value, name: str, errors: list[str], *, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            errors.append(f"{name}不能为空")
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = str(value).strip().replace("/", "-").replace(".", "-")
        try:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                m = re.match(r"^(\d{4})-(\d{1,2})$", text)
                if not m:
                    raise
                day = date(int(m.group(1)), int(m.group(2)), 1)  # "2024-13" is still a ValueError
        except ValueError:
            errors.append(f"{name}“{str(value)[:40]}”不是有效日期（如 2021-05-01）")
            return None
    if day < EARLIEST_DATE:
        errors.append(f"{name} {day} 早于 {EARLIEST_DATE}，请核对")
        return None
    return day


_SPEC_VALUES = frozenset(CylinderSpecChoices.values)


def _spec_of(value) -> str | None:
    text = str(value or "").strip()
    if text in _SPEC_VALUES:
        return text
    return SPEC_ALIASES.get(text.lower().replace(" ", ""))


def _clean_row(row: dict, *, today: date, makers_by_name: dict) -> tuple[dict | None, list[str]]:
    """One input row → model fields, or the list of what is wrong with it."""
    errors: list[str] = []
    for key in ("code", "serial", "maker_name", "spec"):
        if isinstance(row.get(key), str) and (message := text_error(row[key])):
            errors.append(f"{XLSX_HEADERS.get(key, key)}{message}")
    if errors:
        return None, errors
    code = normalise(str(row.get("code") or ""))
    if code:
        if message := code_error(code):
            errors.append(f"气瓶码 {code}：{message}")
    serial = row.get("serial")
    if isinstance(serial, list | dict | bool):
        # A JSON list or object would be stored as its Python text ("['A1']").
        errors.append("钢印号须为文字或数字")
        serial = "-"  # reported; not "empty" as well
    serial = str(serial or "").strip()
    if not serial:
        errors.append("钢印号不能为空")
    elif len(serial) > 40:
        errors.append("钢印号过长（≤40字符）")
    spec = _spec_of(row.get("spec"))
    if spec is None:
        errors.append(f"型号规格“{row.get('spec') or ''}”无法识别（如 YSP35.5、YSP-15、YSP118/49.5）")
    made = _parse_date(row.get("manufactured_on"), "制造日期", errors)
    if made and made > today:
        errors.append(f"制造日期 {made} 晚于今天")
    last = _parse_date(row.get("last_inspected_on"), "上次检验日期", errors, required=False)
    due = _parse_date(row.get("next_inspection_due"), "下次检验日期", errors, required=False)
    if made and last and last < made:
        errors.append(f"上次检验日期 {last} 早于制造日期 {made}")
    if last and last > today:
        errors.append(f"上次检验日期 {last} 晚于今天")
    # A rejected date (e.g. 9999-12-31) must not reach add_years: year 10003 is an OverflowError.
    if made and due is None and made <= today and not (last and last > today):
        due = cyl_rules.add_years(last or made, cyl_rules.inspection_years())
    if made and due and due < made:
        errors.append(f"下次检验日期 {due} 早于制造日期 {made}")
    latest_due = cyl_rules.add_years(today, cyl_rules.inspection_years())
    if due and due > latest_due:
        # A due date centuries ahead would keep a cylinder from ever being "overdue" at the gate.
        errors.append(f"下次检验日期 {due} 晚于 {latest_due}（今天起一个检验周期），请核对")
    life = row.get("design_life_years") or cyl_rules.design_life_years()
    try:
        if isinstance(life, bool) or (isinstance(life, float) and not life.is_integer()):
            raise ValueError  # true, 1.5: int() would quietly make them 1
        life = int(life)  # 8, 8.0 (an Excel number), "8"; "1.5" and "abc" fail here
        if not 1 <= life <= 30:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        errors.append(f"设计使用年限“{row.get('design_life_years')}”应为1–30的整数")
    two_phase = row.get("is_two_phase")
    two_phase = (
        spec in TWO_PHASE_SPECS
        if two_phase in (None, "")
        else str(two_phase).strip() in ("1", "true", "True", "是", "yes", "Y", "y") or two_phase is True
    )
    refurbished = row.get("refurbished") in (True, "1", "true", "是", "yes")
    maker_name = str(row.get("maker_name") or "").strip()
    if len(maker_name) > 200:
        errors.append("制造单位名称过长（≤200字符）")
    if errors:
        return None, errors
    return {
        "code": code,
        "serial": serial,
        "spec": spec,
        "is_two_phase": bool(two_phase),
        "refurbished": refurbished,
        "manufactured_on": made,
        "design_life_years": life,
        "last_inspected_on": last,
        "next_inspection_due": due,
        "maker_name": maker_name,
        "manufacturer_id": makers_by_name.get(maker_name),
    }, []


def cylinder_register_bulk(*, actor, owner, rows: list[dict], valid_only: bool = False) -> RegistrationResult:
    """Register cylinders for an owner filling unit (产权单位); all-or-nothing unless valid_only.

    Each row: code (optional: generated when blank), serial, spec, manufactured_on,
    design_life_years, last_inspected_on, next_inspection_due, maker_name, is_two_phase,
    refurbished. A code already held by another unit is refused naming the row and the unit.
    Row numbers in errors are the caller's (`row["_row"]`, else 1-based position).
    """
    require_owner_or_regulator(actor, owner.pk, owner.region_code)
    if not _has_role(owner, "cylinder_filling"):
        raise ValidationFailed(f"{owner.name} 不是气瓶充装单位，不能登记气瓶产权", field="owner")
    limit = settings.GASGUARD_IMPORT_MAX_ROWS
    if len(rows) > limit:
        raise ValidationFailed(f"一次最多登记 {limit} 只气瓶", field="rows")
    if not rows:
        raise ValidationFailed("没有要登记的气瓶", field="rows")
    from gasguard.registry.models import Enterprise

    today = timezone.localdate()
    names = {str(r.get("maker_name") or "").strip() for r in rows} - {""}
    names = {n for n in names if len(n) <= 200 and not text_error(n)}  # the rest are row errors
    makers_by_name = (
        dict(Enterprise.objects.filter(name__in=names).values_list("name", "pk")) if names else {}
    )
    result = RegistrationResult()
    cleaned: list[tuple[str, dict]] = []
    seen: dict[str, str] = {}
    for index, row in enumerate(rows, start=1):
        label = f"第{row.get('_row', index)}行"
        data, errs = _clean_row(row, today=today, makers_by_name=makers_by_name)
        if data and data["code"]:
            if data["code"] in seen:
                errs = [f"气瓶码 {data['code']} 与{seen[data['code']]}重复"]
                data = None
            else:
                seen[data["code"]] = label
        if errs:
            result.errors[label] = errs
        else:
            cleaned.append((label, data))
    # Codes already registered: to another unit → refused naming the unit; to this one → duplicate.
    given = [d["code"] for _, d in cleaned if d["code"]]
    held: dict[str, tuple[int, str]] = {}
    for start in range(0, len(given), 5000):
        chunk = given[start : start + 5000]
        for code, owner_id, owner_name in Cylinder.objects.filter(code__in=chunk).values_list(
            "code", "owner_id", "owner__name"
        ):
            held[code] = (owner_id, owner_name)
    keep = []
    for label, data in cleaned:
        if data["code"] in held:
            owner_id, owner_name = held[data["code"]]
            if owner_id == owner.pk:
                result.errors[label] = [f"气瓶码 {data['code']} 已由本单位登记"]
            else:
                result.errors[label] = [
                    f"气瓶码 {data['code']} 已登记在 {owner_name} 名下，一只气瓶只能属于一个充装单位"
                ]
        else:
            keep.append((label, data))
    if result.errors and not valid_only:
        raise ValidationFailed(
            f"{len(result.errors)} 行有误，未登记任何气瓶（可修改后重新导入，或选择“仅导入正确行”）",
            errors=result.errors,
        )
    now = timezone.now()
    for _, data in keep:
        if not data["code"]:
            data["code"] = make_code(owner.region_code)
    rows_out = [data for _, data in keep]
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                ids = _copy_cylinders(rows_out, owner=owner, actor_id=actor_id, now=now)
            else:
                objs = [
                    Cylinder(owner_id=owner.pk, region_code=owner.region_code, status=S.IN_USE, **d)
                    for d in rows_out
                ]
                created = Cylinder.objects.bulk_create(objs, batch_size=2000)
                ids = [c.pk for c in created]
                CylinderEvent.objects.bulk_create(
                    [
                        CylinderEvent(
                            cylinder_id=pk,
                            kind=E.REGISTERED,
                            occurred_at=now,
                            enterprise_id=owner.pk,
                            actor_id=actor_id,
                            summary=f"登记建档，产权单位 {owner.name}",
                            region_code=owner.region_code,
                        )
                        for pk in ids
                    ],
                    batch_size=2000,
                )
            # One audit event per chunk of AUDIT_CHUNK cylinders, listing every id and code, so the
            # chain records each registration without one hash per row on 100k-row imports.
            audit_record_many(
                events=[
                    PendingEvent(
                        event_type="CYLINDERS_REGISTERED",
                        object_type="cylinder",
                        object_id=f"{ids[k]}-{ids[min(k + AUDIT_CHUNK, len(ids)) - 1]}",
                        actor=actor,
                        region_code=owner.region_code,
                        payload={
                            "owner": owner.pk,
                            "count": len(ids[k : k + AUDIT_CHUNK]),
                            "cylinders": [
                                [pk, d["code"], d["serial"], d["spec"]]
                                for pk, d in zip(
                                    ids[k : k + AUDIT_CHUNK], rows_out[k : k + AUDIT_CHUNK], strict=True
                                )
                            ],
                        },
                    )
                    for k in range(0, len(ids), AUDIT_CHUNK)
                ]
            )
    except IntegrityError as exc:
        # Lost a race with another registration of the same code.
        raise Conflict("部分气瓶码刚被其他单位登记，请重新导入", field="rows") from exc
    result.created = len(ids)
    result.codes = [d["code"] for d in rows_out]
    return result


AUDIT_CHUNK = 1000


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_cylinders(rows: list[dict], *, owner, actor_id, now) -> list[int]:
    """PostgreSQL: reserve ids, then COPY cylinders and their registration events (bulk path)."""
    table = Cylinder._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)",
            [len(rows)],
        )
        ids = [r[0] for r in cursor.fetchall()]
        cols = (
            "id",
            "created_at",
            "updated_at",
            "region_code",
            "code",
            "serial",
            "maker_name",
            "manufacturer_id",
            "spec",
            "is_two_phase",
            "manufactured_on",
            "design_life_years",
            "last_inspected_on",
            "next_inspection_due",
            "owner_id",
            "status",
            "refurbished",
        )
        stamp = now.isoformat()
        with cursor.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            lines = []
            for pk, d in zip(ids, rows, strict=True):
                values = (
                    pk,
                    stamp,
                    stamp,
                    owner.region_code,
                    d["code"],
                    d["serial"],
                    d["maker_name"],
                    d["manufacturer_id"],
                    d["spec"],
                    d["is_two_phase"],
                    d["manufactured_on"],
                    d["design_life_years"],
                    d["last_inspected_on"],
                    d["next_inspection_due"],
                    owner.pk,
                    S.IN_USE,
                    d["refurbished"],
                )
                lines.append("\t".join(_copy_value(v) for v in values))
            copy.write("\n".join(lines) + "\n")
        ecols = (
            "created_at",
            "updated_at",
            "region_code",
            "cylinder_id",
            "kind",
            "occurred_at",
            "enterprise_id",
            "actor_id",
            "summary",
            "data",
        )
        summary = _copy_value(f"登记建档，产权单位 {owner.name}")
        with cursor.cursor.copy(
            f"COPY {CylinderEvent._meta.db_table} ({', '.join(ecols)}) FROM STDIN"
        ) as copy:
            prefix = f"{stamp}\t{stamp}\t{owner.region_code}\t"
            suffix = (
                f"\t{E.REGISTERED.value}\t{stamp}\t{owner.pk}\t{_copy_value(actor_id)}\t{summary}\t{{}}\n"
            )
            copy.write("".join(f"{prefix}{pk}{suffix}" for pk in ids))
    return ids


def cylinder_register(*, actor, owner, **row) -> Cylinder:
    """Register one cylinder (the API's single-object door; same checks as bulk)."""
    try:
        result = cylinder_register_bulk(actor=actor, owner=owner, rows=[row])
    except ValidationFailed as exc:
        messages = next(iter(exc.errors.values()), [exc.message]) if exc.errors else [exc.message]
        raise ValidationFailed("；".join(messages), errors={"non_field_errors": messages}) from exc
    return Cylinder.objects.get(code=result.codes[0])


XLSX_COLUMNS = {
    "气瓶码": "code",
    "钢印号": "serial",
    "型号规格": "spec",
    "制造单位": "maker_name",
    "制造日期": "manufactured_on",
    "设计使用年限": "design_life_years",
    "上次检验日期": "last_inspected_on",
    "下次检验日期": "next_inspection_due",
    "气液双相": "is_two_phase",
    "翻新": "refurbished",
}


DATE_KEYS = ("manufactured_on", "last_inspected_on", "next_inspection_due")
XLSX_HEADERS = {key: header for header, key in XLSX_COLUMNS.items()}


def xlsx_rows(upload) -> list[dict]:
    """Rows of a registration workbook (first sheet, header row with the XLSX_COLUMNS names)."""
    import zipfile
    from xml.etree.ElementTree import ParseError

    from gasguard.core.uploads import validate_xlsx
    from gasguard.cylinders.xlsx import UnsupportedWorkbook, excel_date, read_rows

    validate_xlsx(upload, field="file")
    try:
        raw_rows, date1904 = read_rows(upload)
    except (UnsupportedWorkbook, KeyError, ValueError, ParseError, zipfile.BadZipFile):
        try:
            raw_rows, date1904 = _openpyxl_rows(upload), False
        except Exception:  # noqa: BLE001 - whatever openpyxl trips over in a damaged workbook
            raise ValidationFailed(
                "无法读取该 Excel 文件，请用 Excel 打开后另存为 .xlsx 再导入", field="file"
            ) from None
    header = (raw_rows[0] if raw_rows else None) or []
    if not any(v not in (None, "") for v in header):
        raise ValidationFailed("表格为空", field="file")
    columns = {}
    for i, name in enumerate(header):
        key = XLSX_COLUMNS.get(str(name or "").strip())
        if key:
            columns[i] = key
    missing = {"钢印号", "型号规格", "制造日期"} - {
        k for k, v in XLSX_COLUMNS.items() if v in columns.values()
    }
    if missing:
        raise ValidationFailed(f"缺少列：{'、'.join(sorted(missing))}", field="file")
    rows = []
    for number, values in enumerate(raw_rows[1:], start=2):
        if not values or all(v in (None, "") for v in values):
            continue
        row = {"_row": number}
        for i, key in columns.items():
            value = values[i] if i < len(values) else None
            if key in DATE_KEYS:
                value = excel_date(value, date1904)
            elif isinstance(value, float) and value.is_integer():
                value = int(value)
            row[key] = value
        rows.append(row)
    return rows


def _openpyxl_rows(upload) -> list[list]:
    from openpyxl import load_workbook

    upload.seek(0)
    wb = load_workbook(upload, read_only=True, data_only=True)
    try:
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()
        upload.seek(0)


def cylinder_import_xlsx(*, actor, owner, upload, valid_only: bool = False) -> RegistrationResult:
    """Bulk registration from an Excel workbook (columns: see XLSX_COLUMNS)."""
    return cylinder_register_bulk(actor=actor, owner=owner, rows=xlsx_rows(upload), valid_only=valid_only)


def cylinder_transfer(*, actor, cylinder: Cylinder, to_owner, reason: str) -> Cylinder:
    """Move a cylinder's ownership (产权变更) to another filling unit; regulators only, audited."""
    require_regulator(actor, cylinder.region_code)
    require_regulator(actor, to_owner.region_code)
    if not (reason or "").strip():
        raise ValidationFailed("请填写产权变更原因", field="reason")
    if not _has_role(to_owner, "cylinder_filling"):
        raise ValidationFailed(f"{to_owner.name} 不是气瓶充装单位", field="to_owner")
    if cylinder.status == S.SCRAPPED:
        raise Conflict("已报废气瓶不能变更产权")
    if to_owner.pk == cylinder.owner_id:
        raise ValidationFailed("新产权单位与原产权单位相同", field="to_owner")
    old_owner_id = cylinder.owner_id
    with transaction.atomic():
        updated = Cylinder.objects.filter(pk=cylinder.pk, owner_id=old_owner_id).update(
            owner_id=to_owner.pk, region_code=to_owner.region_code, updated_at=timezone.now()
        )
        if not updated:
            raise Conflict("气瓶产权刚被他人变更，请刷新后重试")
        CylinderEvent.objects.create(
            cylinder_id=cylinder.pk,
            kind=E.TRANSFERRED,
            occurred_at=timezone.now(),
            enterprise=to_owner,
            actor=actor,
            summary=f"产权变更至 {to_owner.name}：{reason}"[:300],
            region_code=to_owner.region_code,
            data={"from": old_owner_id, "to": to_owner.pk},
        )
        audit_record(
            event_type="CYLINDER_TRANSFERRED",
            object_type="cylinder",
            object_id=cylinder.pk,
            actor=actor,
            region_code=to_owner.region_code,
            payload={"code": cylinder.code, "from": old_owner_id, "to": to_owner.pk, "reason": reason},
        )
    cylinder.refresh_from_db()
    return cylinder


# --- the pre-fill gate ------------------------------------------------------------------------


@dataclass
class GateResult:
    """A gate decision: allow/deny with every reason, the attempt id, whether it was a replay."""

    decision: str
    reasons: list[dict]
    attempt_id: int
    replayed: bool = False
    cylinder: dict | None = None
    code: str = ""

    def as_dict(self) -> dict:
        return {
            "decision": self.decision,
            "code": self.code,
            "reasons": self.reasons,
            "attempt_id": self.attempt_id,
            "replayed": self.replayed,
            "cylinder": self.cylinder,
        }


def _station_key(station_id: int, today: date) -> str:
    return f"gg:cyl:station:{station_id}:{today.isoformat()}"


def _operator_key(staff_id: int, today: date) -> str:
    return f"gg:cyl:operator:{staff_id}:{today.isoformat()}"


def _station_info(station_id: int, today: date) -> dict:
    """Station facts for the gate: name, enterprise, region, licence valid today."""
    from gasguard.registry.models import Facility, Licence

    row = (
        Facility.objects.filter(pk=station_id, kind="filling_station")
        .values("id", "name", "enterprise_id", "enterprise__name", "region_code", "is_active")
        .first()
    )
    if row is None:
        return {"missing": True}
    licence_ok = Licence.objects.filter(
        enterprise_id=row["enterprise_id"],
        kind="cylinder_filling",
        status="valid",
        valid_from__lte=today,
        valid_to__gte=today,
    ).exists()
    return {**row, "licence_ok": licence_ok, "missing": False}


def _operator_info(staff_id: int, today: date) -> dict:
    """Operator facts: enterprise, active, 特种设备作业人员证 valid today."""
    from gasguard.registry.models import Certificate, Staff

    row = Staff.objects.filter(pk=staff_id).values("id", "name", "enterprise_id", "is_active").first()
    if row is None:
        return {"missing": True}
    cert_ok = (
        Certificate.objects.filter(staff_id=staff_id, kind="se_operator", passed=True, issued_on__lte=today)
        .filter(models_q_valid_to(today))
        .exists()
    )
    return {**row, "cert_ok": cert_ok, "missing": False}


def _gate_reference(
    *, station_id: int, operator_id: int | None, today: date
) -> tuple[dict, dict | None, tuple]:
    """(station facts, operator facts, blacklist sets) in one cache round trip; misses are read
    from the database and cached under the generation read before (see gate_cache)."""
    from gasguard.products.selectors import _BLACKLIST_KEY, blacklist_sets

    skey = _station_key(station_id, today)
    okey = _operator_key(operator_id, today) if operator_id is not None else None
    # The blacklist is products' own cache entry (cleared there when an entry changes).
    gen, hits = gate_cache_get([skey, okey] if okey else [skey], raw_keys=(_BLACKLIST_KEY,))
    info = hits.get(skey)
    if info is None:
        info = _station_info(station_id, today)
        gate_cache_set(skey, info, gen=gen)
    op = hits.get(okey) if okey else None
    if okey and op is None and not info["missing"]:
        op = _operator_info(operator_id, today)
        gate_cache_set(okey, op, gen=gen)
    blacklist = hits.get(_BLACKLIST_KEY) or blacklist_sets()
    return info, op, blacklist


def models_q_valid_to(today):
    from django.db.models import Q

    return Q(valid_to__isnull=True) | Q(valid_to__gte=today)


def gate_cache_clear(*, station_id: int | None = None, staff_id: int | None = None) -> None:
    """Forget cached gate facts now (saves of licences, certificates, staff, facilities,
    memberships, users and tokens already do this when they commit: gate_cache)."""
    gate_cache_bump()


def _reason(code: str, message: str) -> dict:
    return {"code": code, "message": message}


def cylinder_reasons(cyl: dict, *, enterprise_id: int | None, today: date, blacklist=None) -> list[dict]:
    """Every reason this cylinder (a dict of Cylinder fields) may not be filled / used today."""
    reasons = []
    if enterprise_id is not None and cyl["owner_id"] != enterprise_id:
        reasons.append(
            _reason(
                R.NOT_OWN,
                f"非本单位自有产权气瓶（产权单位：{cyl.get('owner__name') or '其他单位'}），禁止充装",
            )
        )
    status = cyl["status"]
    if status == S.SCRAPPED:
        reasons.append(_reason(R.SCRAPPED, "气瓶已报废，气瓶码已作废"))
    elif status == S.SEALED:
        reasons.append(_reason(R.SEALED, "气瓶已被查封，须移交检验机构报废"))
    elif status == S.LOST:
        reasons.append(_reason(R.LOST, "气瓶已报失"))
    elif status == S.AWAITING_INSPECTION:
        reasons.append(_reason(R.AWAITING_INSPECTION, "气瓶待检，检验合格前不得充装"))
    if cyl["next_inspection_due"] < today:
        reasons.append(
            _reason(R.INSPECTION_OVERDUE, f"超期未检：应于 {cyl['next_inspection_due']:%Y-%m-%d} 前定期检验")
        )
    design = cyl["design_life_years"]
    life_end = cyl_rules.add_years(cyl["manufactured_on"], design)
    hard_end = cyl_rules.add_years(cyl["manufactured_on"], design + cyl_rules.extension_years())
    if today >= life_end:
        extended = cyl.get("life_extended_until")
        if today >= hard_end:
            reasons.append(
                _reason(
                    R.DESIGN_LIFE, f"超过设计使用年限（{design}年，制造于 {cyl['manufactured_on']:%Y-%m}）"
                )
            )
            reasons.append(
                _reason(
                    R.EXTENSION_LIMIT,
                    f"超过延期使用上限（{design + cyl_rules.extension_years()}年），应强制报废",
                )
            )
        elif not extended or extended < today:
            reasons.append(
                _reason(
                    R.DESIGN_LIFE,
                    f"超过设计使用年限（{design}年，制造于 {cyl['manufactured_on']:%Y-%m}），且无检验延用评定",
                )
            )
    if cyl["refurbished"]:
        reasons.append(_reason(R.REFURBISHED, "翻新气瓶，禁止充装"))
    if cyl["is_two_phase"]:
        reasons.append(_reason(R.TWO_PHASE, "气液双相气瓶（如 YSP118-II），应回收报废，禁止充装"))
    if blacklist is None:
        from gasguard.products.selectors import blacklist_sets

        blacklist = blacklist_sets()
    models_, makers = blacklist
    if cyl.get("product_model_id") and cyl["product_model_id"] in models_:
        reasons.append(_reason(R.MODEL_BLACKLISTED, "气瓶型号已列入产品质量黑名单"))
    if cyl.get("manufacturer_id") and cyl["manufacturer_id"] in makers:
        reasons.append(_reason(R.MAKER_BLACKLISTED, "气瓶制造单位已列入黑名单"))
    return reasons


GATE_COLUMNS = (
    "id",
    "code",
    "owner_id",
    "status",
    "refurbished",
    "is_two_phase",
    "spec",
    "manufactured_on",
    "design_life_years",
    "life_extended_until",
    "next_inspection_due",
    "product_model_id",
    "manufacturer_id",
)
GATE_FIELDS = (
    "id",
    "code",
    "owner_id",
    "owner__name",
    "status",
    "refurbished",
    "is_two_phase",
    "spec",
    "manufactured_on",
    "design_life_years",
    "life_extended_until",
    "next_inspection_due",
    "product_model_id",
    "manufacturer_id",
)


def _aware(value) -> datetime:
    if isinstance(value, str):
        parsed = None
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
        if parsed is None:
            raise ValidationFailed(
                f"扫码时间“{value}”格式错误（ISO 8601，如 2024-05-01T08:30:00+08:00）", field="scanned_at"
            )
        value = parsed
    if not isinstance(value, datetime):
        raise ValidationFailed("扫码时间格式错误", field="scanned_at")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _replay(attempt: FillAttempt, code: str) -> GateResult:
    if attempt.code != code:
        raise Conflict(
            f"幂等键已用于另一只气瓶（{attempt.code}），请为每次扫码生成新的幂等键", field="idempotency_key"
        )
    return GateResult(
        decision=attempt.decision,
        reasons=attempt.reasons,
        attempt_id=attempt.pk,
        replayed=True,
        code=attempt.code,
    )


_LOOKUP_SQL = None
_INSERT_SQL = None


def _gate_lookup(code: str, *, station_id: int, now) -> dict | None:
    """The cylinder by code and its latest scan at another station within the window, in ONE
    query. PostgreSQL gets pre-built SQL (ORM compilation of this query costs more than running
    it); other databases the equivalent ORM query."""
    global _LOOKUP_SQL
    window = settings.GASGUARD_GATE_OTHER_STATION_MINUTES
    since = now - timedelta(minutes=window or 0)
    if connection.vendor == "postgresql":
        if _LOOKUP_SQL is None:
            c, a, f, o = (
                Cylinder._meta.db_table,
                FillAttempt._meta.db_table,
                "registry_facility",
                "registry_enterprise",
            )
            cols = ", ".join(f"c.{n}" for n in GATE_COLUMNS)
            # One LATERAL probe of the (cylinder, created_at) index: ~20 % less PostgreSQL CPU
            # than two correlated subqueries for the time and the station name.
            _LOOKUP_SQL = (
                f"SELECT {cols}, o.name, r.created_at, f.name "
                f"FROM {c} c JOIN {o} o ON o.id = c.owner_id "
                f"LEFT JOIN LATERAL (SELECT a.created_at, a.station_id FROM {a} a "
                f"WHERE a.cylinder_id = c.id AND a.created_at >= %(since)s AND a.station_id <> %(station)s "
                f"ORDER BY a.created_at DESC LIMIT 1) r ON %(window)s "
                f"LEFT JOIN {f} f ON f.id = r.station_id WHERE c.code = %(code)s"
            )
        row = fetchone_prepared(
            _LOOKUP_SQL, {"code": code, "since": since, "station": station_id, "window": bool(window)}
        )
        if row is None:
            return None
        out = dict(zip(GATE_COLUMNS, row[: len(GATE_COLUMNS)], strict=True))
        out["owner__name"], out["other_at"], out["other_station"] = row[len(GATE_COLUMNS) :]
        return out
    qs = Cylinder.objects.filter(code=code)
    if window:
        recent = (
            FillAttempt.objects.filter(cylinder_id=OuterRef("pk"), created_at__gte=since)
            .exclude(station_id=station_id)
            .order_by("-created_at")
        )
        qs = qs.annotate(
            other_at=Subquery(recent.values("created_at")[:1]),
            other_station=Subquery(recent.values("station__name")[:1]),
        )
        return qs.values(*GATE_FIELDS, "other_at", "other_station").first()
    return qs.values(*GATE_FIELDS).first()


def _gate_insert(fields: dict, *, now) -> tuple[int, int | None, bool | None]:
    """Insert the attempt; returns (id, denials of this code here within the repeat window
    including this one, whether it was escalated already). On PostgreSQL one prepared statement
    does all three; the counts are only needed (and only computed elsewhere) for a denial."""
    global _INSERT_SQL
    deny = fields["decision"] == GateDecisionChoices.DENY
    since = now - timedelta(hours=settings.GASGUARD_GATE_REPEAT_DENY_HOURS)
    if connection.vendor == "postgresql":
        if _INSERT_SQL is None:
            names = ["created_at", "updated_at", *fields]
            values = ", ".join(f"%({n})s::jsonb" if n == "reasons" else f"%({n})s" for n in names)
            a, e = FillAttempt._meta.db_table, GateEscalation._meta.db_table
            # The CTE's row is not visible to the statement's own subqueries: hence + 1.
            _INSERT_SQL = (
                f"WITH ins AS (INSERT INTO {a} ({', '.join(names)}) VALUES ({values}) RETURNING id) "
                f"SELECT ins.id, CASE WHEN %(deny)s THEN 1 + (SELECT count(*) FROM {a} p "
                f"WHERE p.code = %(code)s AND p.station_id = %(station_id)s AND p.decision = 'deny' "
                f"AND p.created_at >= %(since)s) END, CASE WHEN %(deny)s THEN EXISTS (SELECT 1 FROM {e} x "
                f"WHERE x.station_id = %(station_id)s AND x.code = %(code)s) END FROM ins"
            )
        params = {
            **fields,
            "reasons": json.dumps(fields["reasons"], ensure_ascii=False),
            "created_at": now,
            "updated_at": now,
            "deny": deny,
            "since": since,
        }
        pk, count, escalated = fetchone_prepared(_INSERT_SQL, params)
        return pk, count, escalated
    pk = FillAttempt.objects.create(**fields).pk
    if not deny:
        return pk, None, None
    count = FillAttempt.objects.filter(
        code=fields["code"],
        station_id=fields["station_id"],
        decision=GateDecisionChoices.DENY,
        created_at__gte=since,
    ).count()
    # Below the threshold whether it was escalated does not matter (and is not read).
    escalated = (
        count >= settings.GASGUARD_GATE_REPEAT_DENY_COUNT
        and GateEscalation.objects.filter(station_id=fields["station_id"], code=fields["code"]).exists()
    )
    return pk, count, escalated


def cylinder_check_for_filling(
    *, actor, station, code: str, operator_staff, idempotency_key: str, scanned_at
) -> GateResult:
    """The pre-fill gate: allow or deny a scanned cylinder with EVERY reason; no override path.

    Replayed requests (same station + idempotency key) return the stored decision and are not
    counted again. `scanned_at` is the station's clock; it must be within
    GASGUARD_GATE_MAX_CLOCK_SKEW_MINUTES of the server's (the server time is what is stored).
    Repeated denials of one code at one station escalate once into a ledger hazard.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    station_id = getattr(station, "pk", station)
    try:
        station_id = int(station_id)
    except (TypeError, ValueError):
        raise ValidationFailed("充装站编号错误", field="station") from None
    operator_id = getattr(operator_staff, "pk", operator_staff)
    operator_error = None
    if operator_id in (None, ""):
        operator_error = ValidationFailed("请选择充装作业人员", field="operator")
    else:
        try:
            operator_id = int(operator_id)
        except (TypeError, ValueError):
            operator_error = ValidationFailed("作业人员编号错误", field="operator")
    info, op, blacklist = _gate_reference(
        station_id=station_id, operator_id=None if operator_error else operator_id, today=today
    )
    if info["missing"]:
        raise NotFound("充装站不存在（须为已登记的充装站设施）", field="station")
    if not is_enterprise_member(actor, info["enterprise_id"]):
        raise PermissionDenied("您不是该充装站所属单位的用户")
    key = idempotency_key.strip() if isinstance(idempotency_key, str) else ""
    if not IDEMPOTENCY_RE.match(key):
        raise ValidationFailed("幂等键须为8–64位字母、数字或 ._:- 字符", field="idempotency_key")
    raw = str(code or "")[:200]
    normal = normalise(raw)[:80]
    scanned = _aware(scanned_at)
    skew = abs((now - scanned).total_seconds()) / 60
    limit = settings.GASGUARD_GATE_MAX_CLOCK_SKEW_MINUTES
    if skew > limit:
        raise ValidationFailed(
            f"扫码时间与服务器时间相差 {skew:.0f} 分钟（允许 ±{limit} 分钟），请校准充装站终端时钟后重新扫码",
            field="scanned_at",
        )
    # No look-up before the insert: the unique (station, key) constraint catches a replay, which
    # then returns the stored decision (one query fewer on the hot path).
    if operator_error:
        raise operator_error

    reasons: list[dict] = []
    cyl = None
    if message := code_error(normal):
        reasons.append(_reason(R.MALFORMED_CODE, message))
    else:
        cyl = _gate_lookup(normal, station_id=station_id, now=now)
        if cyl is None:
            reasons.append(_reason(R.UNKNOWN_CODE, "气瓶码未登记（非在册气瓶），禁止充装"))
        else:
            reasons.extend(
                cylinder_reasons(cyl, enterprise_id=info["enterprise_id"], today=today, blacklist=blacklist)
            )
            if cyl.get("other_at"):
                minutes = max(1, int((now - cyl["other_at"]).total_seconds() // 60))
                reasons.append(
                    _reason(R.RECENT_ELSEWHERE, f"该气瓶{minutes}分钟前在{cyl['other_station']}扫码")
                )
    if not info["licence_ok"]:
        reasons.append(_reason(R.STATION_LICENCE, "本站气瓶充装许可证无效或已过期，禁止充装"))
    if not info.get("is_active", True):
        reasons.append(_reason(R.STATION_INACTIVE, f"充装站“{info['name']}”已在企业库停用，禁止充装"))
    if op["missing"] or op["enterprise_id"] != info["enterprise_id"] or not op["is_active"]:
        reasons.append(_reason(R.OPERATOR_UNKNOWN, "作业人员不是本单位在岗人员"))
    elif not op["cert_ok"]:
        reasons.append(
            _reason(R.OPERATOR_CERTIFICATE, f"作业人员 {op['name']} 的特种设备作业人员证无效或已过期")
        )
    decision = GateDecisionChoices.DENY if reasons else GateDecisionChoices.ALLOW
    # In autocommit (a normal API request) the INSERT is one round trip; inside an outer
    # transaction (tests, batch callers) a savepoint keeps a replay's IntegrityError contained.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    fields = dict(
        idempotency_key=key,
        station_id=station_id,
        enterprise_id=info["enterprise_id"],
        code=normal or raw[:80],
        cylinder_id=cyl["id"] if cyl else None,
        operator_id=None if op["missing"] else operator_id,
        actor_id=actor.pk if getattr(actor, "pk", None) else None,
        decision=decision,
        reasons=reasons,
        scanned_at=scanned,
        region_code=info["region_code"],
    )
    try:
        with guard:
            attempt_id, denials, escalated = _gate_insert(fields, now=now)
    except IntegrityError:
        existing = FillAttempt.objects.filter(station_id=station_id, idempotency_key=key).first()
        if existing is None:
            raise
        return _replay(existing, normal)
    if decision == GateDecisionChoices.DENY:
        attempt = FillAttempt(pk=attempt_id, created_at=now, **fields)
        _maybe_escalate(actor=actor, attempt=attempt, denials=denials, escalated=escalated, now=now)
    summary = None
    if cyl:
        summary = {
            "code": cyl["code"],
            "spec": cyl["spec"],
            "owner": cyl["owner__name"],
            "next_inspection_due": cyl["next_inspection_due"].isoformat(),
            "max_fill_kg": str(cyl_rules.max_fill_kg(cyl["spec"]) or ""),
        }
    return GateResult(
        decision=decision, reasons=reasons, attempt_id=attempt_id, cylinder=summary, code=fields["code"]
    )


# Gate reason → the catalogue rule of 方案 二(一)4 it breaks, most serious first.
GATE_REASON_RULES = (
    (R.NOT_OWN, "fill_non_owned_cylinder"),
    (R.UNKNOWN_CODE, "fill_non_owned_cylinder"),
    (R.INSPECTION_OVERDUE, "fill_overdue_inspection_cylinder"),
    (R.EXTENSION_LIMIT, "fill_expired_or_refurbished_cylinder"),
    (R.DESIGN_LIFE, "fill_expired_or_refurbished_cylinder"),
    (R.REFURBISHED, "fill_expired_or_refurbished_cylinder"),
    (R.TWO_PHASE, "fill_nonconforming_cylinder"),
    (R.SCRAPPED, "fill_nonconforming_cylinder"),
    (R.SEALED, "fill_nonconforming_cylinder"),
    (R.LOST, "fill_nonconforming_cylinder"),
    (R.MODEL_BLACKLISTED, "fill_nonconforming_cylinder"),
    (R.MAKER_BLACKLISTED, "fill_nonconforming_cylinder"),
    (R.AWAITING_INSPECTION, "fill_overdue_inspection_cylinder"),
    (R.MALFORMED_CODE, "fill_non_owned_cylinder"),
    (R.STATION_LICENCE, "fill_unlicensed_filling"),
    (R.STATION_INACTIVE, "fill_unlicensed_filling"),
    (R.OPERATOR_CERTIFICATE, "fill_operator_uncertified"),
    (R.OPERATOR_UNKNOWN, "fill_operator_uncertified"),
)


def _gate_rule_id(reason_codes: set[str]) -> str | None:
    """The catalogue rule for the most serious reason, if the catalogue has it."""
    from gasguard.rules.catalog import get_catalog

    catalog = get_catalog()
    for code, rule_id in GATE_REASON_RULES:
        if code in reason_codes and catalog.get(rule_id):
            return rule_id
    return None


def _maybe_escalate(*, actor, attempt: FillAttempt, denials: int, escalated: bool, now) -> None:
    """Register ONE hazard when a station keeps trying to fill a refused cylinder (二(一)4).
    `denials` (this one included) and `escalated` come with the attempt's INSERT (_gate_insert)."""
    hours = settings.GASGUARD_GATE_REPEAT_DENY_HOURS
    count = denials
    if count < settings.GASGUARD_GATE_REPEAT_DENY_COUNT or escalated:
        return
    from gasguard.hazards.services import hazard_register
    from gasguard.registry.models import Facility

    station = Facility.objects.select_related("enterprise").get(pk=attempt.station_id)
    reasons = "；".join(r["message"] for r in attempt.reasons)
    codes = {r["code"] for r in attempt.reasons}
    rule_id = _gate_rule_id(codes)
    fallback = {}
    if rule_id is None:
        fallback = {
            "title": "违规充装非自有、超期未检、不合格或超年限气瓶",
            "category": "cylinder",
            "lead_department_kind": "market",
            "severity": "major" if R.NOT_OWN in codes or R.UNKNOWN_CODE in codes else "general",
        }
    try:
        with transaction.atomic():
            hazard = hazard_register(
                actor=actor,
                target=station,
                source="filling_gate",
                rule_id=rule_id,
                description=(
                    f"{station.name}在{hours}小时内第{count}次对气瓶 {attempt.code} 发起充装，均被拒绝：{reasons}"
                ),
                source_ref=f"fill_attempt:{attempt.pk}",
                found_at=now,
                extra={"code": attempt.code, "attempts": count, "reason_codes": sorted(codes)},
                **fallback,
            )
            GateEscalation.objects.create(
                station_id=attempt.station_id, code=attempt.code, hazard=hazard, deny_count=count
            )
            FillAttempt.objects.filter(pk=attempt.pk).update(hazard=hazard)
    except IntegrityError:
        return  # another request escalated the same station/code first


# --- fills and gas quality --------------------------------------------------------------------


def _decimal(value, name: str, field_name: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed(f"{name}“{value}”不是数值", field=field_name) from None
    if not result.is_finite():
        raise ValidationFailed(f"{name}无效", field=field_name)
    return result


def _checks(values, items: dict, field_name: str) -> dict:
    if values in (None, ""):
        return {}
    if not isinstance(values, dict):
        raise ValidationFailed("检查结果格式错误", field=field_name)
    out = {}
    for key, value in values.items():
        if key not in items:
            raise ValidationFailed(f"未知检查项：{key}", field=field_name)
        out[key] = value in (True, "true", "1", 1, "是", "on")
    return out


def fill_record(
    *,
    actor,
    attempt: FillAttempt,
    net_mass_kg,
    scale_id: str = "",
    gas_batch: GasBatch | None = None,
    pre_check: dict | None = None,
    post_check: dict | None = None,
) -> Fill:
    """Record the fill after an ALLOWED gate decision; over-fill and failed pre-checks refused."""
    if not is_enterprise_member(actor, attempt.enterprise_id):
        raise PermissionDenied("您不是该充装站所属单位的用户")
    if attempt.decision != GateDecisionChoices.ALLOW or attempt.cylinder_id is None:
        raise ValidationFailed("该次扫码未获准充装，不能登记充装记录", field="attempt")
    if attempt.operator_id is None:
        raise ValidationFailed("该次扫码无作业人员", field="attempt")
    cylinder = Cylinder.objects.get(pk=attempt.cylinder_id)
    mass = _decimal(net_mass_kg, "充装量", "net_mass_kg")
    limit = cyl_rules.max_fill_kg(cylinder.spec)
    if mass <= 0:
        raise ValidationFailed("充装量须大于0", field="net_mass_kg")
    if limit is None:
        raise ValidationFailed(f"型号 {cylinder.spec} 未配置允许充装量，不能登记", field="net_mass_kg")
    if mass > limit:
        raise ValidationFailed(
            f"充装量 {mass} kg 超过 {cylinder.get_spec_display()} 允许充装量 {limit} kg，超装气瓶不得出站",
            field="net_mass_kg",
        )
    pre = _checks(pre_check, PRE_FILL_ITEMS, "pre_check")
    post = _checks(post_check, POST_FILL_ITEMS, "post_check")
    failed_pre = [PRE_FILL_ITEMS[k] for k, ok in pre.items() if not ok]
    if failed_pre:
        raise ValidationFailed(f"充装前检查不合格，不得充装：{'、'.join(failed_pre)}", field="pre_check")
    failed_post = [POST_FILL_ITEMS[k] for k, ok in post.items() if not ok]
    if failed_post:
        raise ValidationFailed(
            f"充装后检查不合格，气瓶不得出站：{'、'.join(failed_post)}", field="post_check"
        )
    if gas_batch is not None and gas_batch.filler_id != attempt.enterprise_id:
        raise ValidationFailed("气源批次不属于本充装单位", field="gas_batch")
    if gas_batch is not None and gas_batch.status == GasBatchStatusChoices.FAILED:
        raise ValidationFailed(f"气源批次 {gas_batch.batch_no} 抽检不合格，不得用于充装", field="gas_batch")
    now = timezone.now()
    try:
        with transaction.atomic():
            fill = Fill.objects.create(
                attempt=attempt,
                cylinder=cylinder,
                station_id=attempt.station_id,
                enterprise_id=attempt.enterprise_id,
                operator_id=attempt.operator_id,
                scale_id=(scale_id or "")[:40],
                net_mass_kg=mass,
                gas_batch=gas_batch,
                pre_check=pre,
                post_check=post,
                filled_at=now,
                region_code=attempt.region_code,
            )
            Cylinder.objects.filter(pk=cylinder.pk).update(last_filled_at=now)
            CylinderEvent.objects.create(
                cylinder=cylinder,
                kind=E.FILLED,
                occurred_at=now,
                enterprise_id=attempt.enterprise_id,
                facility_id=attempt.station_id,
                actor=actor if getattr(actor, "pk", None) else None,
                summary=f"充装 {mass} kg" + (f"，批次 {gas_batch.batch_no}" if gas_batch else ""),
                region_code=attempt.region_code,
                data={"fill": None, "mass": str(mass), "batch": gas_batch.pk if gas_batch else None},
            )
            audit_record(
                event_type="FILL_RECORDED",
                object_type="fill",
                object_id=fill.pk,
                actor=actor,
                region_code=attempt.region_code,
                payload={
                    "cylinder": cylinder.code,
                    "mass_kg": str(mass),
                    "attempt": attempt.pk,
                    "batch": gas_batch.pk if gas_batch else None,
                    "scale": scale_id,
                },
            )
    except IntegrityError as exc:
        raise Conflict("该次扫码已登记过充装记录", field="attempt") from exc
    return fill


def gas_batch_create(
    *, actor, filler, supplier, batch_no: str, received_on: date, quantity_t=None
) -> GasBatch:
    """Register a gas batch received by a filling unit from a producer/supplier."""
    require_owner_or_regulator(actor, filler.pk, filler.region_code)
    batch_no = (batch_no or "").strip()
    if not batch_no:
        raise ValidationFailed("批次号不能为空", field="batch_no")
    if received_on > timezone.localdate():
        raise ValidationFailed("进货日期不能晚于今天", field="received_on")
    if quantity_t not in (None, ""):
        quantity_t = _decimal(quantity_t, "进货数量", "quantity_t")
        # Rounded to the column's 0.001 t only inside the range (1e30 cannot be quantized);
        # 1e-30 t rounds to 0.000 t, which is refused like 0.
        in_range = Decimal("0") < quantity_t < Decimal("1000000")
        quantity_t = quantity_t.quantize(Decimal("0.001")) if in_range else Decimal("0")
        if not quantity_t:
            raise ValidationFailed("进货数量须大于 0 吨且小于 100 万吨", field="quantity_t")
    else:
        quantity_t = None
    try:
        with transaction.atomic():
            batch = GasBatch.objects.create(
                filler=filler,
                supplier=supplier,
                batch_no=batch_no,
                received_on=received_on,
                quantity_t=quantity_t,
                region_code=filler.region_code,
            )
            audit_record(
                event_type="GAS_BATCH_CREATED",
                object_type="gas_batch",
                object_id=batch.pk,
                actor=actor,
                region_code=filler.region_code,
                payload={"batch_no": batch_no, "supplier": supplier.pk, "filler": filler.pk},
            )
    except IntegrityError as exc:
        raise Conflict(f"{supplier.name} 的批次 {batch_no} 已登记", field="batch_no") from exc
    return batch


def gas_limits() -> dict:
    """The configured GB 11174 limits used to judge samples (DOMAIN.md §6; M values)."""
    return {
        "dme_pct": settings.GASGUARD_GAS_DME_MAX_PCT,
        "vapour_pressure_kpa": settings.GASGUARD_GAS_VAPOUR_PRESSURE_MAX_KPA,
        "c5_plus_pct": settings.GASGUARD_GAS_C5_MAX_PCT,
        "sulphur_mg_m3": settings.GASGUARD_GAS_SULPHUR_MAX_MG_M3,
    }


LIMIT_LABELS = {
    "dme_pct": ("二甲醚含量", "%"),
    "vapour_pressure_kpa": ("蒸气压(37.8℃)", "kPa"),
    "c5_plus_pct": ("C5及C5以上组分", "%"),
    "sulphur_mg_m3": ("总硫含量", "mg/m³"),
}


def gas_sample_record(
    *,
    actor,
    batch: GasBatch,
    sampled_on: date,
    dme_pct,
    odour_ok: bool,
    vapour_pressure_kpa=None,
    c5_plus_pct=None,
    sulphur_mg_m3=None,
    department=None,
) -> GasQualitySample:
    """Record a gas quality sample; a failing batch becomes hazards for producer and filler."""
    from gasguard.accounts.selectors import user_scope

    scope = user_scope(user=actor)
    from gasguard.accounts.choices import WRITE_ROLES

    if not (scope.covers_region(batch.region_code) and scope.has_role(*WRITE_ROLES)):
        raise PermissionDenied("仅辖区监管部门可登记气质抽检")
    if sampled_on > timezone.localdate():
        raise ValidationFailed("抽样日期不能晚于今天", field="sampled_on")
    values = {"dme_pct": _decimal(dme_pct, "二甲醚含量", "dme_pct")}
    for name, raw in (
        ("vapour_pressure_kpa", vapour_pressure_kpa),
        ("c5_plus_pct", c5_plus_pct),
        ("sulphur_mg_m3", sulphur_mg_m3),
    ):
        values[name] = None if raw in (None, "") else _decimal(raw, LIMIT_LABELS[name][0], name)
    for name, value in values.items():
        if value is not None and value < 0:
            raise ValidationFailed(f"{LIMIT_LABELS[name][0]}不能为负", field=name)
        column = GasQualitySample._meta.get_field(name)
        ceiling = Decimal(10) ** (column.max_digits - column.decimal_places)
        if value is not None and value >= ceiling:
            # Beyond the column (numeric(8,1) for kPa): a database overflow, i.e. a 500, otherwise.
            label, unit = LIMIT_LABELS[name]
            raise ValidationFailed(f"{label}须小于 {ceiling}{unit}", field=name)
    if values["dme_pct"] > 100 or (values["c5_plus_pct"] is not None and values["c5_plus_pct"] > 100):
        raise ValidationFailed("百分比不能超过100", field="dme_pct")
    limits = gas_limits()
    failures = []
    for name, value in values.items():
        if value is not None and value > Decimal(str(limits[name])):
            label, unit = LIMIT_LABELS[name]
            failures.append(f"{label} {value}{unit} 超过限值 {limits[name]}{unit}")
    if not odour_ok:
        failures.append("无警示性臭味（未加臭或加臭不足）")
    passed = not failures
    with transaction.atomic():
        sample = GasQualitySample.objects.create(
            batch=batch,
            sampled_on=sampled_on,
            department=department,
            odour_ok=bool(odour_ok),
            passed=passed,
            failures=failures,
            limits=limits,
            region_code=batch.region_code,
            **values,
        )
        GasBatch.objects.filter(pk=batch.pk).update(
            status=GasBatchStatusChoices.PASSED if passed else GasBatchStatusChoices.FAILED
        )
        audit_record(
            event_type="GAS_SAMPLE_RECORDED",
            object_type="gas_sample",
            object_id=sample.pk,
            actor=actor,
            region_code=batch.region_code,
            payload={"batch": batch.pk, "passed": passed, "failures": failures},
        )
        if not passed:
            from gasguard.hazards.services import hazard_register

            filled = Fill.objects.filter(gas_batch=batch).count()
            text = "；".join(failures)
            first = None
            for target, lead, role in (
                (batch.supplier, "emergency", "生产/供应企业"),
                (batch.filler, "market", "充装单位"),
            ):
                hazard = hazard_register(
                    actor=actor,
                    target=target,
                    source="gas_quality",
                    title="液化石油气质量不合格（掺混二甲醚或未加臭等）",
                    category="gas",
                    lead_department_kind=lead,
                    severity="major",
                    description=f"气源批次 {batch.batch_no} 抽检不合格（{role}）：{text}；该批次已充装 {filled} 瓶，见召回清单",
                    source_ref=f"gas_sample:{sample.pk}",
                    extra={"batch": batch.pk, "filled": filled},
                )
                first = first or hazard
            GasQualitySample.objects.filter(pk=sample.pk).update(hazard=first)
            sample.hazard = first
    return sample


# --- inspection, seizure, scrapping -----------------------------------------------------------


def _set_status(cylinder: Cylinder, to: str) -> None:
    if to not in STATUS_TRANSITIONS.get(cylinder.status, ()):
        raise Conflict(f"气瓶当前为“{cylinder.get_status_display()}”，不能改为“{S(to).label}”")
    updated = Cylinder.objects.filter(pk=cylinder.pk, status=cylinder.status).update(
        status=to, updated_at=timezone.now()
    )
    if not updated:
        raise Conflict("气瓶状态刚被他人修改，请刷新后重试")
    cylinder.status = to


def periodic_inspection_record(
    *, actor, cylinder: Cylinder, body, inspected_on: date, result: str, report_no: str = ""
) -> PeriodicInspection:
    """An inspection body's periodic inspection (定期检验): pass → next due; extend; scrap."""
    if not (is_enterprise_member(actor, body.pk)):
        require_regulator(actor, cylinder.region_code)
    if not _has_role(body, "inspection_body"):
        raise ValidationFailed(f"{body.name} 不是特种设备检验检测机构", field="body")
    if result not in InspectionResultChoices.values:
        raise ValidationFailed(f"未知检验结论：{result}", field="result")
    today = timezone.localdate()
    if inspected_on > today:
        raise ValidationFailed("检验日期不能晚于今天", field="inspected_on")
    if inspected_on < cylinder.manufactured_on:
        raise ValidationFailed("检验日期不能早于制造日期", field="inspected_on")
    if cylinder.status in (S.SCRAPPED,):
        raise Conflict("已报废气瓶不能再检验")
    hard_end = cyl_rules.add_years(
        cylinder.manufactured_on, cylinder.design_life_years + cyl_rules.extension_years()
    )
    life_end = cyl_rules.add_years(cylinder.manufactured_on, cylinder.design_life_years)
    if result in (InspectionResultChoices.PASS, InspectionResultChoices.EXTEND):
        if cylinder.status == S.SEALED:
            raise Conflict("查封气瓶只能报废，不能检验合格后继续使用")
        if inspected_on >= hard_end:
            raise ValidationFailed("已超过延期使用上限，只能判定报废", field="result")
    if result == InspectionResultChoices.EXTEND and today < cyl_rules.add_years(life_end, -1):
        raise ValidationFailed("未到设计使用年限（前一年内方可评定延用）", field="result")
    with transaction.atomic():
        next_due = None
        if result == InspectionResultChoices.SCRAP:
            insp = PeriodicInspection.objects.create(
                cylinder=cylinder,
                body=body,
                inspected_on=inspected_on,
                result=result,
                report_no=report_no,
                region_code=cylinder.region_code,
            )
            cylinder_scrap(
                actor=actor,
                cylinder=cylinder,
                reason=f"定期检验不合格（{report_no}）",
                body=body,
                _checked=True,
            )
        else:
            next_due = cyl_rules.add_years(inspected_on, cyl_rules.inspection_years())
            fields = {
                "last_inspected_on": inspected_on,
                "next_inspection_due": next_due,
                "updated_at": timezone.now(),
            }
            if result == InspectionResultChoices.EXTEND:
                fields["life_extended_until"] = hard_end
                next_due = min(next_due, hard_end)
                fields["next_inspection_due"] = next_due
            if cylinder.status == S.AWAITING_INSPECTION:
                fields["status"] = S.IN_USE
            Cylinder.objects.filter(pk=cylinder.pk).update(**fields)
            insp = PeriodicInspection.objects.create(
                cylinder=cylinder,
                body=body,
                inspected_on=inspected_on,
                result=result,
                report_no=report_no,
                next_due=next_due,
                region_code=cylinder.region_code,
            )
        CylinderEvent.objects.create(
            cylinder=cylinder,
            kind=E.INSPECTED,
            occurred_at=timezone.now(),
            enterprise=body,
            actor=actor,
            summary=f"定期检验：{InspectionResultChoices(result).label}"
            + (f"，下次检验 {next_due}" if next_due else ""),
            region_code=cylinder.region_code,
            data={"inspection": insp.pk, "result": result, "report_no": report_no},
        )
        audit_record(
            event_type="CYLINDER_INSPECTED",
            object_type="cylinder",
            object_id=cylinder.pk,
            actor=actor,
            region_code=cylinder.region_code,
            payload={
                "code": cylinder.code,
                "result": result,
                "inspected_on": inspected_on,
                "next_due": next_due,
                "body": body.pk,
                "report_no": report_no,
            },
        )
    cylinder.refresh_from_db()
    return insp


def cylinder_seize(*, actor, cylinder: Cylinder, body, reason: str) -> CylinderCustody:
    """Seize (查封) a cylinder and hand it to an inspection body for scrapping."""
    require_regulator(actor, cylinder.region_code)
    if not (reason or "").strip():
        raise ValidationFailed("请填写查封原因", field="reason")
    if not _has_role(body, "inspection_body"):
        raise ValidationFailed(f"{body.name} 不是特种设备检验检测机构", field="body")
    now = timezone.now()
    with transaction.atomic():
        _set_status(cylinder, S.SEALED)
        custody = CylinderCustody.objects.create(cylinder=cylinder, holder=body, since=now, reason=reason)
        CylinderEvent.objects.bulk_create(
            [
                _event(cylinder, E.SEIZED, actor=actor, at=now, summary=f"查封：{reason}"),
                _event(
                    cylinder,
                    E.CUSTODY_MOVED,
                    actor=actor,
                    at=now,
                    enterprise=body,
                    summary=f"移交 {body.name} 待报废",
                ),
            ]
        )
        audit_record(
            event_type="CYLINDER_SEIZED",
            object_type="cylinder",
            object_id=cylinder.pk,
            actor=actor,
            region_code=cylinder.region_code,
            payload={"code": cylinder.code, "body": body.pk, "reason": reason},
        )
    return custody


def cylinder_scrap(*, actor, cylinder: Cylinder, reason: str, body=None, _checked: bool = False) -> Cylinder:
    """Scrap (报废) a cylinder: the code is void for ever; an open custody is closed."""
    if not _checked:
        if body is not None and is_enterprise_member(actor, body.pk):
            pass
        else:
            require_regulator(actor, cylinder.region_code)
    if not (reason or "").strip():
        raise ValidationFailed("请填写报废原因", field="reason")
    now = timezone.now()
    with transaction.atomic():
        _set_status(cylinder, S.SCRAPPED)
        CylinderCustody.objects.filter(cylinder=cylinder, until__isnull=True).update(until=now)
        CylinderEvent.objects.create(
            cylinder=cylinder,
            kind=E.SCRAPPED,
            occurred_at=now,
            enterprise=body,
            actor=actor if getattr(actor, "pk", None) else None,
            summary=f"报废，气瓶码作废：{reason}"[:300],
            region_code=cylinder.region_code,
        )
        audit_record(
            event_type="CYLINDER_SCRAPPED",
            object_type="cylinder",
            object_id=cylinder.pk,
            actor=actor,
            region_code=cylinder.region_code,
            payload={"code": cylinder.code, "reason": reason, "body": getattr(body, "pk", None)},
        )
    return cylinder


def cylinder_set_status(*, actor, cylinder: Cylinder, status: str, reason: str) -> Cylinder:
    """Mark a cylinder 丢失 / 待检 / back in use (seizure and scrapping have their own services)."""
    require_owner_or_regulator(actor, cylinder.owner_id, cylinder.region_code)
    if status in (S.SEALED, S.SCRAPPED):
        raise ValidationFailed("查封、报废请使用对应功能", field="status")
    if status not in S.values:
        raise ValidationFailed(f"未知状态：{status}", field="status")
    if not (reason or "").strip():
        raise ValidationFailed("请填写原因", field="reason")
    old = cylinder.status
    with transaction.atomic():
        _set_status(cylinder, status)
        CylinderEvent.objects.create(
            cylinder=cylinder,
            kind=E.STATUS_CHANGED,
            occurred_at=timezone.now(),
            actor=actor,
            summary=f"{S(old).label} → {S(status).label}：{reason}"[:300],
            region_code=cylinder.region_code,
        )
        audit_record(
            event_type="CYLINDER_STATUS_CHANGED",
            object_type="cylinder",
            object_id=cylinder.pk,
            actor=actor,
            region_code=cylinder.region_code,
            payload={"code": cylinder.code, "from": old, "to": status, "reason": reason},
        )
    return cylinder


# --- the chain to the kitchen -----------------------------------------------------------------


def licensed_region_codes(enterprise) -> list[str]:
    """Where an operator may deliver: its service_region_codes plus its fleet DeliveryAreas."""
    from gasguard.fleet.models import DeliveryArea

    codes = list(enterprise.service_region_codes or [])
    for area_codes in DeliveryArea.objects.filter(enterprise=enterprise).values_list(
        "region_codes", flat=True
    ):
        codes.extend(area_codes or [])
    return sorted({str(c) for c in codes if c})


def delivery_record(
    *,
    actor,
    enterprise,
    premises,
    worker,
    out_codes: list[str],
    return_codes: list[str] | None = None,
    vehicle=None,
    supply_station=None,
    delivered_at=None,
    lon: float | None = None,
    lat: float | None = None,
) -> Delivery:
    """Record a delivery to a customer premises; outside the licensed area is refused."""
    if not is_enterprise_member(actor, enterprise.pk):
        raise PermissionDenied("您不是该经营企业的用户")
    errors: dict[str, list[str]] = {}
    areas = licensed_region_codes(enterprise)
    if not areas:
        errors["premises"] = [f"{enterprise.name} 未登记经营/配送区域，不能配送"]
    elif not any(premises.region_code.startswith(code) for code in areas):
        errors["premises"] = [
            # Not the premises' name: an id of any premises in the city must not reveal whose it is.
            f"该客户场所（区划 {premises.region_code}）不在 {enterprise.name} 的许可经营区域（{'、'.join(areas)}）内"
        ]
    if worker.enterprise_id != enterprise.pk or not worker.is_active:
        errors["worker"] = ["送气工不是本企业在岗人员"]
    today = timezone.localdate()
    if vehicle is not None:
        if vehicle.enterprise_id != enterprise.pk or not vehicle.is_active:
            errors["vehicle"] = ["车辆不属于本企业或已停用"]
        elif not any(a.is_valid_on(today) for a in vehicle.assignments.filter(worker=worker)):
            errors["vehicle"] = [f"送气工 {worker.name} 与车辆 {vehicle.plate} 无有效人车绑定"]
    if delivered_at is not None and delivered_at > timezone.now() + timedelta(
        minutes=settings.GASGUARD_GATE_MAX_CLOCK_SKEW_MINUTES
    ):
        errors["delivered_at"] = ["配送时间不能晚于当前时间（请校准终端时钟）"]
    if supply_station is not None and supply_station.kind != "lpg_supply_station":
        errors["supply_station"] = ["供应站须为液化石油气供应站设施"]
    outs = [normalise(c) for c in out_codes or [] if str(c).strip()]
    backs = [normalise(c) for c in return_codes or [] if str(c).strip()]
    if not outs and not backs:
        errors["out_codes"] = ["请扫码至少一只气瓶"]
    found = {c.code: c for c in Cylinder.objects.filter(code__in=outs + backs)}
    bad = []
    for code in outs:
        c = found.get(code)
        if c is None:
            bad.append(f"{code}：未登记")
            continue
        why = [
            r["message"]
            for r in cylinder_reasons(
                {
                    **{
                        f: getattr(c, f)
                        for f in (
                            "owner_id",
                            "status",
                            "refurbished",
                            "is_two_phase",
                            "manufactured_on",
                            "design_life_years",
                            "life_extended_until",
                            "next_inspection_due",
                            "product_model_id",
                            "manufacturer_id",
                        )
                    }
                },
                enterprise_id=None,
                today=today,
            )
        ]
        if why:
            bad.append(f"{code}：{'；'.join(why)}")
    if bad:
        errors["out_codes"] = bad
    missing_back = [c for c in backs if c not in found]
    if missing_back:
        errors["return_codes"] = [f"{c}：未登记" for c in missing_back]
    if lon is not None or lat is not None:
        from gasguard.registry.models import location_error

        errors.update({k: [v] for k, v in location_error(lon, lat).items()})
    if errors:
        raise ValidationFailed("配送信息有误", errors=errors)
    at = delivered_at or timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.create(
            enterprise=enterprise,
            supply_station=supply_station,
            premises=premises,
            worker=worker,
            vehicle=vehicle,
            delivered_at=at,
            lon=lon,
            lat=lat,
            region_code=premises.region_code,
        )
        items = [
            DeliveryItem(delivery=delivery, cylinder=found[c], direction=DeliveryItemDirectionChoices.OUT)
            for c in dict.fromkeys(outs)
        ]
        items += [
            DeliveryItem(delivery=delivery, cylinder=found[c], direction=DeliveryItemDirectionChoices.RETURN)
            for c in dict.fromkeys(backs)
        ]
        DeliveryItem.objects.bulk_create(items)
        CylinderEvent.objects.bulk_create(
            [
                CylinderEvent(
                    cylinder=i.cylinder,
                    kind=E.DELIVERED if i.direction == DeliveryItemDirectionChoices.OUT else E.RETURNED,
                    occurred_at=at,
                    enterprise=enterprise,
                    facility=supply_station,
                    premises=premises,
                    actor=actor,
                    summary=(
                        f"送至 {premises.name}" if i.direction == "out" else f"自 {premises.name} 回收空瓶"
                    )
                    + f"（送气工 {worker.name}{'，' + vehicle.plate if vehicle else ''}）",
                    region_code=i.cylinder.region_code,
                    data={"delivery": delivery.pk},
                )
                for i in items
            ]
        )
        audit_record(
            event_type="DELIVERY_RECORDED",
            object_type="delivery",
            object_id=delivery.pk,
            actor=actor,
            region_code=premises.region_code,
            payload={
                "premises": premises.pk,
                "worker": worker.pk,
                "vehicle": getattr(vehicle, "pk", None),
                "out": outs,
                "return": backs,
            },
        )
    return delivery


# Used when the rule catalogue has no 随瓶安检 rules yet (documented in docs/cylinders.md).
FALLBACK_DELIVERY_CHECKLIST = [
    ("hose_ok", "连接软管长度≤2米、无接头、未穿墙、未老化", "hose", "fire"),
    ("no_tee", "未私接“三通”", "hose", "fire"),
    ("regulator_ok", "调压器(减压阀)完好、与气瓶匹配", "valve", "market"),
    ("detector_ok", "按规定安装可燃气体探测器并能正常报警", "environment", "fire"),
    ("storage_ok", "瓶组储存量符合规定、未超量存放", "environment", "fire"),
    ("not_underground", "未在地下、半地下空间使用瓶装液化石油气", "environment", "fire"),
]


def delivery_checklist(premises) -> list[dict]:
    """The 随瓶安检 items for a premises: the catalogue's "delivery_check" checklist (rules that
    apply to this kind of premises), else its rest_* rules, else a built-in fallback list."""
    from gasguard.rules import checklists

    types = set(checklists.target_types_for(premises))
    rules = []
    named = getattr(checklists, "checklist_named", None)
    if named is not None:
        rules = [r for r in named("delivery_check") if types.intersection(r.targets)]
    if not rules:
        rules = [r for r in checklists.checklist_for(premises) if r.id.startswith("rest_")]
    rules = [r for r in rules if r.answer.type in ("bool", "number", "choice")]
    if rules:
        return [
            {
                "id": r.id,
                "title": r.title,
                "question": r.question,
                "rule": r,
                "type": r.answer.type,
                "unit": r.answer.unit,
                "choices": list(r.answer.choices or []),
            }
            for r in rules
        ]
    return [
        {
            "id": i,
            "title": t,
            "question": t + "？（是=符合）",
            "rule": None,
            "category": c,
            "lead": lead,
            "type": "bool",
            "unit": "",
            "choices": [],
        }
        for i, t, c, lead in FALLBACK_DELIVERY_CHECKLIST
    ]


def delivery_check_record(*, actor, delivery: Delivery, answers: dict) -> DeliveryCheck:
    """随瓶安检 at the customer: every item answered; failed items become ledger hazards."""
    from gasguard.hazards.services import hazard_register
    from gasguard.rules.checklists import is_hazard, parse_answer

    if not is_enterprise_member(actor, delivery.enterprise_id):
        raise PermissionDenied("您不是该经营企业的用户")
    if not isinstance(answers, dict):
        raise ValidationFailed("检查结果格式错误", field="answers")
    premises = delivery.premises
    items = delivery_checklist(premises)
    parsed: dict[str, object] = {}
    failed: list[dict] = []
    errors: dict[str, list[str]] = {}
    for item in items:
        raw = answers.get(item["id"])
        if raw in (None, ""):
            errors[item["id"]] = [f"{item['title']}：未填写"]
            continue
        try:
            if item["rule"] is not None:
                value = parse_answer(item["rule"], raw, field=item["id"])
                bad = is_hazard(item["rule"], value)
            else:
                value = raw in (True, "true", "1", 1, "是", "yes")
                if not value and raw not in (False, "false", "0", 0, "否", "no"):
                    raise ValidationFailed(f"{item['title']}：请回答“是”或“否”", field=item["id"])
                bad = not value
        except ValidationFailed as exc:
            errors[item["id"]] = [exc.message]
            continue
        parsed[item["id"]] = value
        if bad:
            failed.append(item)
    if errors:
        raise ValidationFailed("随瓶安检未完成或填写有误", errors=errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            check = DeliveryCheck.objects.create(
                delivery=delivery,
                premises=premises,
                answers=parsed,
                failed_rule_ids=[i["id"] for i in failed],
                checked_at=now,
                region_code=premises.region_code,
            )
            hazard_ids = []
            for item in failed:
                kwargs = (
                    {"rule_id": item["id"]}
                    if item["rule"] is not None
                    else {
                        "title": item["title"] + "（不符合）",
                        "category": item["category"],
                        "lead_department_kind": item["lead"],
                    }
                )
                hazard = hazard_register(
                    actor=actor,
                    target=premises,
                    source="delivery_check",
                    description=f"随瓶安检发现：{item['title']} 不符合（配送单 {delivery.pk}）",
                    source_ref=f"delivery:{delivery.pk}",
                    found_at=now,
                    **kwargs,
                )
                hazard_ids.append(hazard.pk)
            DeliveryCheck.objects.filter(pk=check.pk).update(hazard_ids=hazard_ids)
            check.hazard_ids = hazard_ids
            cylinder_ids = list(delivery.items.filter(direction="out").values_list("cylinder_id", flat=True))
            CylinderEvent.objects.bulk_create(
                [
                    CylinderEvent(
                        cylinder_id=cid,
                        kind=E.DELIVERY_CHECKED,
                        occurred_at=now,
                        premises=premises,
                        enterprise_id=delivery.enterprise_id,
                        actor=actor,
                        summary=f"随瓶安检：{len(failed)} 项不合格" if failed else "随瓶安检：合格",
                        region_code=premises.region_code,
                        data={"delivery": delivery.pk, "hazards": hazard_ids},
                    )
                    for cid in cylinder_ids
                ]
            )
            audit_record(
                event_type="DELIVERY_CHECK_RECORDED",
                object_type="delivery_check",
                object_id=check.pk,
                actor=actor,
                region_code=premises.region_code,
                payload={"delivery": delivery.pk, "failed": check.failed_rule_ids, "hazards": hazard_ids},
            )
    except IntegrityError as exc:
        raise Conflict("该配送单已完成随瓶安检", field="delivery") from exc
    return check
