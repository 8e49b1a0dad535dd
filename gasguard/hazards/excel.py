"""Excel exchange of the ledger (台账): a streamed export and the import of localities' own ledgers.

Export writes with XlsxWriter's constant_memory mode row by row from a server-side cursor, so
memory stays flat whatever the number of rows. Import validates every row (row number and
column in each message), is all-or-nothing unless "valid rows only" is chosen, and never
creates a duplicate: each row's `import_key` is the hash of its normalised content.
"""

import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gasguard.accounts.choices import MembershipRoleChoices as ROLE
from gasguard.accounts.selectors import user_scope
from gasguard.audit.services import PendingEvent, audit_record_many
from gasguard.core.errors import PermissionDenied, ValidationFailed
from gasguard.core.uploads import validate_xlsx
from gasguard.hazards.choices import HazardSourceChoices, HazardStatusChoices, HazardTargetTypeChoices
from gasguard.hazards.models import Hazard, HazardHistory
from gasguard.org.choices import DepartmentKindChoices
from gasguard.rules.choices import CategoryChoices, SeverityChoices

EXPORT_COLUMNS = [
    ("序号", 6),
    ("台账编号", 24),
    ("检查对象", 28),
    ("所在区域", 22),
    ("隐患描述", 48),
    ("类别", 12),
    ("等级", 10),
    ("整治责任人", 12),
    ("监管责任人/部门", 28),
    ("完成时限", 12),
    ("整改措施", 36),
    ("状态", 10),
    ("是否逾期", 9),
    ("发现时间", 18),
    ("销号时间", 18),
    ("依据", 40),
]

STATUS_LABELS = dict(HazardStatusChoices.choices)
SEVERITY_LABELS = dict(SeverityChoices.choices)
CATEGORY_LABELS = dict(CategoryChoices.choices)


def _region_names() -> dict[str, str]:
    from gasguard.org.models import Region

    return dict(Region.objects.values_list("code", "name"))


def region_display(code: str, names: dict[str, str]) -> str:
    """南山区南头街道… from a region code (district and below)."""
    parts = [names[code[:n]] for n in (6, 9, 12, 15) if len(code) >= n and code[:n] in names]
    return "".join(parts) or names.get(code, code)


def export_hazards(qs, *, path: str | None = None, title: str = "城镇燃气安全隐患排查整治台账") -> str:
    """Write the ledger rows of `qs` to an .xlsx file and return its path (memory stays flat).

    Rows come from a server-side cursor (`.iterator(chunk_size)`) and go straight into the zip
    member (see xlsx_stream), so 100k rows need no more memory than 2,000.
    """
    from gasguard.hazards.xlsx_stream import ALERT, CELL, HEADER, TITLE, StreamingXlsxWriter, column_letter

    if path is None:
        handle = tempfile.NamedTemporaryFile(prefix="ledger-", suffix=".xlsx", delete=False)
        handle.close()
        path = handle.name
    names = _region_names()
    region_cache: dict[str, str] = {}
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    widths = [w for _, w in EXPORT_COLUMNS]
    last = column_letter(len(EXPORT_COLUMNS) - 1)
    rows = (
        qs.order_by("region_code", "found_at", "id")
        .values_list(
            "code",
            "target_name",
            "region_code",
            "title",
            "description",
            "category",
            "severity",
            "responsible_person",
            "supervisor__real_name",
            "supervisor__username",
            "lead_department__name",
            "deadline",
            "rectification_measures",
            "control_measures",
            "status",
            "found_at",
            "closed_at",
            "legal_basis",
        )
        .iterator(chunk_size=2000)
    )
    with StreamingXlsxWriter(
        path, sheet_name="隐患台账", widths=widths, freeze_rows=3, merge=f"A1:{last}1"
    ) as sheet:
        sheet.write_row([title] + [None] * (len(EXPORT_COLUMNS) - 1), style=TITLE)
        sheet.write_row([f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"], style=0)
        sheet.write_row([name for name, _ in EXPORT_COLUMNS], style=HEADER)
        for n, row in enumerate(rows, start=1):
            (code, target, region, t, desc, cat, sev, person, sup_name, sup_user, dept, deadline, measures, control,
             status, found, closed, basis) = row  # fmt: skip
            overdue = status != HazardStatusChoices.CLOSED and deadline < today
            supervisor = " / ".join(x for x in (sup_name or sup_user or "", dept or "") if x)
            description = desc if not t or desc.startswith(t) else f"{t}：{desc}"
            if control and status == HazardStatusChoices.CONTROLLED:
                measures = f"{measures}\n管控措施：{control}".strip()
            place = region_cache.get(region)
            if place is None:
                place = region_cache[region] = region_display(region, names)
            sheet.write_row(
                (
                    n,
                    code or "",
                    target,
                    place,
                    description,
                    CATEGORY_LABELS.get(cat, cat),
                    SEVERITY_LABELS.get(sev, sev),
                    person,
                    supervisor,
                    deadline.isoformat() if deadline else "",
                    measures,
                    STATUS_LABELS.get(status, status),
                    "是" if overdue else "否",
                    found.astimezone(tz).strftime("%Y-%m-%d %H:%M") if found else "",
                    closed.astimezone(tz).strftime("%Y-%m-%d %H:%M") if closed else "",
                    basis,
                ),
                style=CELL,
                styles={12: ALERT} if overdue else None,
            )
    return path


# --- import ----------------------------------------------------------------------------------

IMPORT_COLUMNS = [
    # (header, required, help)
    ("检查对象", True, "已在基础台账登记的场所或企业名称"),
    ("所在区域", True, "区划代码（如 440305001）或区划名称（如 南头街道）"),
    ("统一社会信用代码", False, "企业的统一社会信用代码；填写后按代码匹配企业"),
    ("隐患名称", False, "简短名称；为空时取隐患描述前 30 字"),
    ("隐患描述", True, "隐患的具体情况"),
    ("类别", True, "、".join(CategoryChoices.labels)),
    ("等级", False, "一般隐患 / 重大隐患（默认一般隐患）"),
    ("牵头部门", True, "住建 / 市场监管 / 商务 / 应急 / 交通 / 公安 / 消防 等"),
    ("整治责任人", False, ""),
    ("责任人电话", False, ""),
    ("完成时限", True, "日期，如 2023-12-31"),
    ("发现日期", False, "日期；为空时取导入当天"),
    ("状态", False, "待整改 / 整改中（默认待整改；已销号的隐患须在系统中验收销号）"),
]
IMPORT_HEADERS = [c[0] for c in IMPORT_COLUMNS]


def import_template(path: str | None = None) -> str:
    """A blank import workbook: the header row, one example row and a sheet explaining columns."""
    import xlsxwriter

    if path is None:
        handle = tempfile.NamedTemporaryFile(prefix="ledger-template-", suffix=".xlsx", delete=False)
        handle.close()
        path = handle.name
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("隐患台账")
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    for col, (name, required, _) in enumerate(IMPORT_COLUMNS):
        sheet.write(0, col, name + ("*" if required else ""), head)
        sheet.set_column(col, col, 18)
    example = ["南山川菜馆", "440305001", "", "燃气软管老化", "厨房燃气软管老化龟裂", "问题软管", "一般隐患",
               "住建", "张三", "13800000000", (date.today() + timedelta(days=30)).isoformat(), date.today().isoformat(),
               "待整改"]  # fmt: skip
    for col, value in enumerate(example):
        sheet.write_string(1, col, value)
    notes = workbook.add_worksheet("填写说明")
    notes.write_row(0, 0, ["列", "是否必填", "说明"], head)
    for r, (name, required, help_text) in enumerate(IMPORT_COLUMNS, start=1):
        notes.write_row(r, 0, [name, "必填" if required else "选填", help_text])
    notes.set_column(0, 0, 16)
    notes.set_column(2, 2, 80)
    workbook.close()
    return path


@dataclass
class ImportResult:
    """Outcome of an import: how many rows, created, duplicates skipped, and row-level errors."""

    total_rows: int = 0
    created: int = 0
    duplicates: int = 0
    committed: bool = False
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row number, column, message)

    @property
    def error_rows(self) -> int:
        return len({r for r, _, _ in self.errors})

    def as_dict(self) -> dict:
        return {
            "total_rows": self.total_rows,
            "created": self.created,
            "duplicates": self.duplicates,
            "committed": self.committed,
            "error_rows": self.error_rows,
            "errors": [{"row": r, "column": c, "message": m} for r, c, m in self.errors],
        }


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    try:
        return date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
    except ValueError:
        return None


def _label_map(choices) -> dict[str, str]:
    out = {}
    for value, label in choices.choices:
        out[label] = value
        out[value] = value
    return out


CATEGORY_MAP = _label_map(CategoryChoices)
SEVERITY_MAP = {**_label_map(SeverityChoices), "一般": "general", "重大": "major"}
STATUS_MAP = {
    "待整改": HazardStatusChoices.PENDING,
    "整改中": HazardStatusChoices.RECTIFYING,
    "": HazardStatusChoices.PENDING,
}
DEPT_MAP = {
    **_label_map(DepartmentKindChoices),
    **{DepartmentKindChoices.short(v): v for v in DepartmentKindChoices.values},
    "住建": "housing",
    "住房城乡建设": "housing",
    "燃气主管部门": "housing",
    "消防": "fire",
}


def _chunks(items: list, size: int = 5000):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def hazard_import(*, actor, upload, valid_only: bool = False) -> ImportResult:
    """Import a locality's ledger workbook; all-or-nothing unless `valid_only`; no duplicates."""
    from gasguard.core.excel import xlsx_rows
    from gasguard.hazards.services import department_for
    from gasguard.org.models import Region
    from gasguard.registry.models import Enterprise, Premises

    scope = user_scope(user=actor)
    if not scope.has_role(ROLE.TASKFORCE_ADMIN, ROLE.SUPERVISOR, ROLE.INSPECTOR):
        raise PermissionDenied("只有监管部门人员可以导入隐患台账")
    validate_xlsx(upload, field="file")
    rows = xlsx_rows(upload, field="file")
    header = next(rows, None)
    if not header:
        raise ValidationFailed("Excel 第一行应为表头", field="file")
    header = [_text(h).rstrip("*") for h in header]
    missing = [name for name, required, _ in IMPORT_COLUMNS if required and name not in header]
    if missing:
        raise ValidationFailed(f"表头缺少列：{'、'.join(missing)}（请下载模板）", field="file")
    index = {name: header.index(name) for name in IMPORT_HEADERS if name in header}

    result = ImportResult()
    parsed: list[dict] = []
    limit = settings.GASGUARD_IMPORT_MAX_ROWS
    for row_number, raw in enumerate(rows, start=2):
        values = {name: _text(raw[i]) if i < len(raw) else "" for name, i in index.items()}
        raw_dates = {name: raw[index[name]] if name in index and index[name] < len(raw) else None
                     for name in ("完成时限", "发现日期")}  # fmt: skip
        if not any(values.values()):
            continue
        result.total_rows += 1
        if result.total_rows > limit:
            raise ValidationFailed(f"超过单次导入上限 {limit} 行，请分批导入", field="file")
        errors = []

        def err(column, message, _row=row_number, _errors=errors):
            _errors.append((_row, column, message))

        for name, required, _ in IMPORT_COLUMNS:
            if required and not values.get(name):
                err(name, "必填")
        category = CATEGORY_MAP.get(values.get("类别", ""))
        if values.get("类别") and category is None:
            err("类别", f"未知类别“{values['类别']}”")
        severity = SEVERITY_MAP.get(values.get("等级") or "一般隐患")
        if severity is None:
            err("等级", f"未知等级“{values['等级']}”，应为一般隐患或重大隐患")
        lead = DEPT_MAP.get(values.get("牵头部门", ""))
        if values.get("牵头部门") and lead is None:
            err("牵头部门", f"未知部门“{values['牵头部门']}”")
        status = STATUS_MAP.get(values.get("状态", ""))
        if status is None:
            err("状态", "只能为待整改或整改中（已销号的隐患须有佐证和验收人，请在系统中办理）")
        deadline = _date(raw_dates["完成时限"])
        if values.get("完成时限") and deadline is None:
            err("完成时限", f"日期格式不正确“{values['完成时限']}”")
        found = _date(raw_dates["发现日期"]) if values.get("发现日期") else timezone.localdate()
        if values.get("发现日期") and found is None:
            err("发现日期", f"日期格式不正确“{values['发现日期']}”")
        elif found and found > timezone.localdate():
            err("发现日期", "不能晚于今天")
        if deadline and found and deadline < found:
            err("完成时限", "不能早于发现日期")
        if len(values.get("检查对象", "")) > 200:
            err("检查对象", "过长（最多200字）")
        result.errors.extend(errors)
        parsed.append({"row": row_number, "values": values, "ok": not errors, "category": category,
                       "severity": severity, "lead": lead, "status": status, "deadline": deadline,
                       "found": found})  # fmt: skip
    if result.total_rows == 0:
        raise ValidationFailed("Excel 中没有数据行", field="file")

    # Regions: by code, or by a unique name, and inside the importer's scope.
    region_keys = {p["values"].get("所在区域", "") for p in parsed}
    codes = [k for k in region_keys if k.isdigit()]
    names = [k for k in region_keys if k and not k.isdigit()]
    regions_by_key: dict[str, list[str]] = {}
    for code in Region.objects.filter(code__in=codes).values_list("code", flat=True):
        regions_by_key[code] = [code]
    for code, name in Region.objects.filter(name__in=names).values_list("code", "name"):
        regions_by_key.setdefault(name, []).append(code)

    # Targets: premises by name, enterprises by name or USCC (batched lookups).
    target_names = sorted({p["values"].get("检查对象", "") for p in parsed if p["values"].get("检查对象")})
    usccs = sorted({p["values"].get("统一社会信用代码", "").upper() for p in parsed} - {""})
    premises_by_name: dict[str, list[tuple]] = {}
    enterprises_by_name: dict[str, list[tuple]] = {}
    enterprises_by_uscc: dict[str, tuple] = {}
    for chunk in _chunks(target_names):
        for row in Premises.objects.filter(name__in=chunk).values_list(
            "name", "id", "region_code", "enterprise_id"
        ):
            premises_by_name.setdefault(row[0], []).append(row[1:])
        for row in Enterprise.objects.filter(name__in=chunk).values_list("name", "id", "region_code"):
            enterprises_by_name.setdefault(row[0], []).append(row[1:])
    for chunk in _chunks(usccs):
        for uscc, pk, region_code, name in Enterprise.objects.filter(uscc__in=chunk).values_list(
            "uscc", "id", "region_code", "name"
        ):
            enterprises_by_uscc[uscc] = (pk, region_code, name)

    for p in parsed:
        v = p["values"]
        row = p["row"]
        region_key = v.get("所在区域", "")
        region_codes = regions_by_key.get(region_key, [])
        if region_key and not region_codes:
            result.errors.append((row, "所在区域", f"未找到区划“{region_key}”"))
            p["ok"] = False
            continue
        if len(region_codes) > 1:
            result.errors.append((row, "所在区域", f"区划名称“{region_key}”不唯一，请填写区划代码"))
            p["ok"] = False
            continue
        region_code = region_codes[0] if region_codes else ""
        if region_code and not scope.covers_region(region_code):
            result.errors.append((row, "所在区域", f"“{region_key}”不在您的管辖范围内"))
            p["ok"] = False
            continue
        target = None
        uscc = v.get("统一社会信用代码", "").upper()
        name = v.get("检查对象", "")
        if uscc:
            hit = enterprises_by_uscc.get(uscc)
            if hit is None:
                result.errors.append((row, "统一社会信用代码", f"未在基础台账中找到企业 {uscc}"))
            elif not hit[1].startswith(region_code):
                result.errors.append((row, "统一社会信用代码", f"企业 {hit[2]} 不在“{region_key}”"))
            else:
                target = ("enterprise", hit[0], hit[1], hit[0], hit[2])
        else:
            premises = [x for x in premises_by_name.get(name, []) if x[1].startswith(region_code)]
            enterprises = [x for x in enterprises_by_name.get(name, []) if x[1].startswith(region_code)]
            if len(premises) == 1:
                pk, rc, ent = premises[0]
                target = ("premises", pk, rc, ent, name)
            elif len(premises) > 1:
                result.errors.append(
                    (row, "检查对象", f"“{region_key}”有 {len(premises)} 个同名场所“{name}”，请细化区域")
                )
            elif len(enterprises) == 1:
                pk, rc = enterprises[0]
                target = ("enterprise", pk, rc, pk, name)
            elif len(enterprises) > 1:
                result.errors.append((row, "检查对象", f"有多个同名企业“{name}”，请填写统一社会信用代码"))
            elif name:
                result.errors.append((row, "检查对象", f"“{name}”未在“{region_key}”的基础台账中登记"))
        if target is None:
            p["ok"] = False
            continue
        p["target"] = target
        normalised = "\x1f".join(
            [target[0], str(target[1])]
            + [v.get(h, "") for h in ("隐患名称", "隐患描述", "类别", "等级", "牵头部门")]
            + [
                p["deadline"].isoformat() if p["deadline"] else "",
                p["found"].isoformat() if p["found"] else "",
            ]
        )
        p["key"] = hashlib.sha256(normalised.encode("utf-8")).hexdigest()

    result.errors.sort()
    if result.errors and not valid_only:
        return result  # all-or-nothing: nothing imported

    good = [p for p in parsed if p["ok"] and p.get("key")]
    existing: set[str] = set()
    for chunk in _chunks([p["key"] for p in good]):
        existing.update(Hazard.objects.filter(import_key__in=chunk).values_list("import_key", flat=True))
    seen: set[str] = set()
    fresh = []
    for p in good:
        if p["key"] in existing or p["key"] in seen:
            result.duplicates += 1
            continue
        seen.add(p["key"])
        fresh.append(p)

    departments: dict[tuple[str, str], object] = {}
    now = timezone.now()
    hazards = []
    for p in fresh:
        v = p["values"]
        kind, target_id, region_code, enterprise_id, target_name = p["target"]
        dept_key = (p["lead"], region_code)
        if dept_key not in departments:
            departments[dept_key] = department_for(kind=p["lead"], region_code=region_code)
        found_at = (
            timezone.make_aware(datetime.combine(p["found"], time(9, 0)))
            if p["found"] != timezone.localdate()
            else now
        )
        hazards.append(
            Hazard(
                code=f"YH{region_code[:6]}I{p['key'][:16].upper()}",
                target_type=HazardTargetTypeChoices.PREMISES
                if kind == "premises"
                else HazardTargetTypeChoices.ENTERPRISE,
                premises_id=target_id if kind == "premises" else None,
                enterprise_id=enterprise_id,
                target_name=target_name[:200],
                region_code=region_code,
                category=p["category"],
                title=(v.get("隐患名称") or v.get("隐患描述", "")[:30])[:200],
                description=v.get("隐患描述", ""),
                severity=p["severity"],
                lead_department_kind=p["lead"],
                lead_department=departments[dept_key],
                responsible_person=v.get("整治责任人", "")[:50],
                responsible_phone=v.get("责任人电话", "")[:40],
                deadline=p["deadline"],
                status=p["status"],
                source=HazardSourceChoices.IMPORT,
                source_ref=f"import:row{p['row']}",
                found_at=found_at,
                found_by=actor,
                is_supervised=p["severity"] == SeverityChoices.MAJOR,
                import_key=p["key"],
            )
        )
    with transaction.atomic():
        from gasguard.audit.bulk import copy_insert

        created = hazards
        if copy_insert(Hazard, hazards) or (created and created[0].pk is None):
            # COPY (or a backend without RETURNING) gives no ids: read them back by import key.
            ids: dict[str, int] = {}
            for chunk in _chunks([h.import_key for h in created]):
                ids.update(Hazard.objects.filter(import_key__in=chunk).values_list("import_key", "id"))
            for h in created:
                h.pk = h.id = ids[h.import_key]
        copy_insert(
            HazardHistory,
            [
                HazardHistory(
                    hazard_id=h.pk,
                    action="import",
                    to_status=h.status,
                    actor=actor,
                    actor_name=actor.display_name,
                    reason="台账导入",
                    data={"row": int(h.source_ref.removeprefix("import:row"))},
                )
                for h in created
            ],
        )
        audit_record_many(
            events=[
                PendingEvent(
                    event_type="HAZARD_IMPORTED",
                    object_type="hazard",
                    object_id=h.pk,
                    actor=actor,
                    region_code=h.region_code,
                    payload={
                        "code": h.code,
                        "target": h.target_name,
                        "severity": h.severity,
                        "deadline": h.deadline,
                        "import_key": h.import_key,
                        "description": h.description,
                    },
                )
                for h in created
            ]
        )
    result.created = len(created)
    result.committed = True
    return result
