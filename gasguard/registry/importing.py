"""Excel import of enterprises and premises (导入现有台账).

The file is checked by content (a real .xlsx), size and row count; the header row must match
the template (missing and unknown columns are listed); merged cells are refused with their
range; each row is validated and every problem is reported with its row number and column.
By default the import is all-or-nothing: one bad row and nothing is saved. With
`valid_only=True` the valid rows are saved and the bad ones reported. Re-importing the same
file updates rows instead of duplicating them: enterprises by 统一社会信用代码, premises by
外部编号 or else by name + address + region. Audit events are written in bulk.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import iterparse

from django.conf import settings
from django.db import transaction

from gasguard.accounts.choices import WRITE_ROLES
from gasguard.accounts.selectors import user_scope
from gasguard.audit.services import PendingEvent, audit_record_many
from gasguard.core.errors import PermissionDenied, ValidationFailed
from gasguard.core.uploads import validate_xlsx
from gasguard.org.models import Region
from gasguard.registry.choices import (
    EnterpriseRoleChoices,
    IssuingLevelChoices,
    LicenceKindChoices,
    PremisesKindChoices,
    PremisesStatusChoices,
    UndergroundChoices,
)
from gasguard.registry.models import Enterprise, EnterpriseRole, Licence, Premises, location_error
from gasguard.registry.uscc import normalise_uscc, uscc_error

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)
TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "×", ""}
SPLIT_RE = re.compile(r"[、,，;；/\s]+")
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def parse_date(value) -> datetime.date | None:
    """A date from an Excel cell: a real date, or text like 2024-03-01, 2024/3/1, 2024年3月1日."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if " " in text:  # "2024-03-01 00:00:00"
        text = text.split(" ", 1)[0]
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return datetime.date(year, month, day)
            except ValueError:
                return None
    return None


@dataclass(frozen=True)
class Column:
    """One template column: header text, target key, whether required, how to parse, a hint."""

    header: str
    key: str
    required: bool = False
    kind: str = "text"  # text | float | bool | date | choice | roles | code | uscc
    choices: type | None = None
    hint: str = ""


ENTERPRISE_COLUMNS = (
    Column("企业名称", "name", True),
    Column("统一社会信用代码", "uscc", True, "uscc", hint="18位，含校验位"),
    Column("所在区划代码", "region", True, "code", hint="如 440305001（街道）"),
    Column("地址", "address"),
    Column("法定代表人", "legal_representative"),
    Column("联系电话", "contact_phone"),
    Column("经度", "lon", kind="float", hint="WGS-84，如 113.93"),
    Column("纬度", "lat", kind="float", hint="WGS-84，如 22.53"),
    Column("业务类型", "roles", kind="roles", hint="多个用顿号分隔，如 瓶装液化石油气经营、气瓶充装"),
    Column(
        "证照类型", "licence_kind", kind="choice", choices=LicenceKindChoices, hint="可选：同时登记一张证照"
    ),
    Column("证号", "licence_number"),
    Column("发证机关", "licence_issuer"),
    Column("发证层级", "licence_level", kind="choice", choices=IssuingLevelChoices),
    Column("有效期起", "licence_from", kind="date", hint="2024-03-01、2024/3/1 或 2024年3月1日"),
    Column("有效期至", "licence_to", kind="date"),
)
PREMISES_COLUMNS = (
    Column("外部编号", "external_id", hint="本地台账编号；有则按它匹配更新"),
    Column("场所名称", "name", True),
    Column("场所类型", "kind", True, "choice", PremisesKindChoices),
    Column("所在区划代码", "region", True, "code", hint="街道或网格代码"),
    Column("地址", "address", True),
    Column("经营者", "operator_name"),
    Column("经营主体信用代码", "enterprise", kind="uscc", hint="已登记企业的统一社会信用代码"),
    Column("供气企业信用代码", "supplier", kind="uscc"),
    Column("经度", "lon", kind="float"),
    Column("纬度", "lat", kind="float"),
    Column("管道天然气", "gas_pipeline", kind="bool", hint="是/否"),
    Column("瓶装液化石油气", "gas_lpg", kind="bool"),
    Column("醇基燃料", "gas_alcohol", kind="bool"),
    Column("其他燃料", "gas_other", kind="bool"),
    Column("地下/半地下用气", "underground", kind="choice", choices=UndergroundChoices),
    Column("联系人", "contact_name"),
    Column("联系电话", "contact_phone"),
    Column("状态", "status", kind="choice", choices=PremisesStatusChoices),
)
COLUMNS = {"enterprise": ENTERPRISE_COLUMNS, "premises": PREMISES_COLUMNS}
KIND_LABELS = {"enterprise": "企业", "premises": "用气场所"}
SAMPLE_ROWS = {
    "enterprise": [
        [
            "示例燃气有限公司",
            "91440300MA5F000000(请替换)",
            "440305001",
            "南头街道示例路1号",
            "张三",
            "0755-00000000",
            113.93,
            22.53,
            "瓶装液化石油气经营",
            "燃气经营许可证",
            "粤202300001",
            "深圳市住房和建设局",
            "地市级",
            "2023-01-01",
            "2027年12月31日",
        ]
    ],
    "premises": [
        [
            "NS-0001",
            "示例川菜馆",
            "餐饮企业",
            "440305001001001",
            "南头街道示例路8号",
            "李四",
            "",
            "",
            113.93,
            22.53,
            "否",
            "是",
            "否",
            "否",
            "地上",
            "李四",
            "13800000000",
            "在营",
        ]
    ],
}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    """What an import did (or would have done): counts and every row error."""

    kind: str
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    saved: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors if e.row})


def template_notes(kind: str) -> list[str]:
    lines = [
        f"{KIND_LABELS[kind]}导入模板说明：第一行为表头，请勿修改列名；不要合并单元格；每行一条记录。",
        "默认全部校验通过才保存（任何一行有误则不保存任何数据）；也可选择“仅导入正确的行”。",
        "重复导入同一文件会更新已有记录，不会重复登记。",
        "日期可写 2024-03-01、2024/3/1 或 2024年3月1日。是/否列填“是”或“否”。",
        "",
    ]
    for col in COLUMNS[kind]:
        extra = ""
        if col.kind == "choice" and col.choices is not None:
            extra = "可选：" + "、".join(col.choices.labels)
        elif col.kind == "roles":
            extra = "可选：" + "、".join(EnterpriseRoleChoices.labels)
        lines.append(f"{col.header}{'（必填）' if col.required else ''}：{col.hint} {extra}".strip())
    return lines


# --- reading the workbook ----------------------------------------------------------------------------


def _merged_ranges(upload, sheet_path: str) -> list[str]:
    """Merged-cell ranges of a sheet, read from its XML with flat memory (read-only mode hides them)."""
    upload.seek(0)
    ranges = []
    with zipfile.ZipFile(upload) as archive:
        if sheet_path not in archive.namelist():
            return []
        with archive.open(sheet_path) as stream:
            for _event, element in iterparse(stream, events=("end",)):
                if element.tag == f"{SHEET_NS}mergeCell":
                    ranges.append(element.get("ref", ""))
                elif element.tag == f"{SHEET_NS}row":
                    element.clear()
    upload.seek(0)
    return ranges


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _choice_value(choices, raw: str) -> str | None:
    raw = raw.strip()
    if raw in choices.values:
        return raw
    for value, label in choices.choices:
        if raw == label:
            return value
    return None


def read_rows(upload, kind: str, result: ImportResult):
    """Yield (row_number, {key: raw value}) after checking the file, header and merged cells.

    Raises ValidationFailed for problems with the whole file.
    """
    from openpyxl import load_workbook  # noqa: PLC0415

    validate_xlsx(upload, field="file")
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for broken files
        raise ValidationFailed(
            "无法读取该 Excel 文件，请用 Excel 另存为 .xlsx 后再导入", field="file"
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        sheet_path = getattr(sheet, "_worksheet_path", "xl/worksheets/sheet1.xml")
        merged = _merged_ranges(upload, sheet_path.lstrip("/"))
        if merged:
            shown = "、".join(merged[:10]) + ("…" if len(merged) > 10 else "")
            raise ValidationFailed(
                f"表格中有合并单元格：{shown}。请取消合并，每个单元格填一个值后再导入", field="file"
            )
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        columns = COLUMNS[kind]
        if not header:
            raise ValidationFailed("表格为空：第一行应为表头", field="file")
        names = [_cell_text(h) for h in header]
        while names and not names[-1]:
            names.pop()
        known = {c.header: c for c in columns}
        missing = [c.header for c in columns if c.required and c.header not in names]
        unknown = [n for n in names if n and n not in known]
        blank = [i + 1 for i, n in enumerate(names) if not n]
        duplicate = sorted({n for n in names if n and names.count(n) > 1})
        problems = []
        if missing:
            problems.append("缺少必填列：" + "、".join(missing))
        if unknown:
            problems.append("无法识别的列：" + "、".join(unknown))
        if blank:
            problems.append("第" + "、".join(str(i) for i in blank) + "列表头为空")
        if duplicate:
            problems.append("重复的列：" + "、".join(duplicate))
        if problems:
            raise ValidationFailed(
                f"表头与{KIND_LABELS[kind]}导入模板不符（{'；'.join(problems)}）。请下载模板对照修改",
                field="file",
            )
        index = [(i, known[n]) for i, n in enumerate(names)]
        limit = settings.GASGUARD_IMPORT_MAX_ROWS
        for number, values in enumerate(rows, start=2):
            if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            result.total_rows += 1
            if result.total_rows > limit:
                raise ValidationFailed(
                    f"行数超过上限 {limit} 行（GASGUARD_IMPORT_MAX_ROWS），请分批导入", field="file"
                )
            row = {}
            for i, column in index:
                row[column.key] = values[i] if i < len(values) else None
            yield number, row
    finally:
        workbook.close()


def _parse_row(number: int, raw: dict, columns, errors: list[RowError]) -> dict:
    """Typed values of one row; problems are appended to `errors` with row and column."""
    data = {}
    for col in columns:
        if col.key not in raw:
            continue
        value = raw[col.key]
        text = _cell_text(value)

        def bad(message, col=col):
            errors.append(RowError(number, col.header, message))

        if col.required and not text:
            bad(f"{col.header}不能为空")
            continue
        if col.kind == "float":
            if text == "":
                data[col.key] = None
            else:
                try:
                    data[col.key] = float(value if isinstance(value, int | float) else text)
                except ValueError:
                    bad(f"“{text}”不是数字")
        elif col.kind == "bool":
            low = text.lower()
            if low in TRUE_WORDS:
                data[col.key] = True
            elif low in FALSE_WORDS:
                data[col.key] = False
            else:
                bad(f"“{text}”应填“是”或“否”")
        elif col.kind == "date":
            if text == "":
                data[col.key] = None
            else:
                parsed = parse_date(value)
                if parsed is None:
                    bad(f"“{text}”不是有效日期（可写 2024-03-01、2024/3/1 或 2024年3月1日）")
                else:
                    data[col.key] = parsed
        elif col.kind == "choice":
            if text == "":
                continue
            parsed = _choice_value(col.choices, text)
            if parsed is None:
                bad(f"“{text}”不是可选值（可选：{'、'.join(col.choices.labels)}）")
            else:
                data[col.key] = parsed
        elif col.kind == "roles":
            roles = []
            for part in SPLIT_RE.split(text):
                if not part:
                    continue
                parsed = _choice_value(EnterpriseRoleChoices, part)
                if parsed is None:
                    bad(f"业务类型“{part}”不是可选值")
                else:
                    roles.append(parsed)
            data[col.key] = roles
        elif col.kind == "uscc":
            data[col.key] = normalise_uscc(text)
        else:
            if "<" in text or ">" in text:
                bad(f"{col.header}不能包含 < 或 > 字符（疑似HTML或脚本）")
                continue
            data[col.key] = text
    return data


def _check_max_lengths(number, data, model, columns, errors):
    for col in columns:
        value = data.get(col.key)
        if not isinstance(value, str):
            continue
        try:
            max_length = model._meta.get_field(col.key).max_length
        except Exception:  # noqa: BLE001 - not a model field (licence_* keys)
            continue
        if max_length and len(value) > max_length:
            errors.append(RowError(number, col.header, f"过长：最多{max_length}个字符"))


def _location_errors(number, data, columns, errors):
    headers = {c.key: c.header for c in columns}
    for key, message in location_error(data.get("lon"), data.get("lat")).items():
        errors.append(RowError(number, headers[key], message))


def _require_importer(actor):
    scope = user_scope(user=actor)
    if not scope.has_role(*WRITE_ROLES):
        raise PermissionDenied("只有专班管理员、监管负责人和检查人员可以导入台账")
    return scope


# --- enterprises ----------------------------------------------------------------------------------------


def import_enterprises(*, actor, upload, valid_only: bool = False) -> ImportResult:
    """Import enterprises (and optionally one licence per row); see the module docstring."""
    scope = _require_importer(actor)
    result = ImportResult(kind="enterprise")
    columns = ENTERPRISE_COLUMNS
    parsed: list[tuple[int, dict]] = []
    for number, raw in read_rows(upload, "enterprise", result):
        before = len(result.errors)
        data = _parse_row(number, raw, columns, result.errors)
        parsed.append((number, data if len(result.errors) == before else None))

    codes = {d["region"] for _, d in parsed if d and d.get("region")}
    regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    usccs = {d["uscc"] for _, d in parsed if d and d.get("uscc")}
    existing = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=usccs).prefetch_related("roles")}
    licence_keys = {
        (d.get("licence_kind"), d.get("licence_number")) for _, d in parsed if d and d.get("licence_number")
    }
    existing_licences = {
        (lic.kind, lic.number): lic
        for lic in Licence.objects.filter(number__in={n for _, n in licence_keys})
        if (lic.kind, lic.number) in licence_keys
    }
    seen_uscc: dict[str, int] = {}
    seen_licence: dict[tuple, int] = {}
    valid: list[tuple[int, dict]] = []
    header = {c.key: c.header for c in columns}
    for number, data in parsed:
        if data is None:
            continue
        errors: list[RowError] = []
        if message := uscc_error(data["uscc"]):
            errors.append(RowError(number, header["uscc"], message))
        elif data["uscc"] in seen_uscc:
            errors.append(
                RowError(number, header["uscc"], f"与第{seen_uscc[data['uscc']]}行的统一社会信用代码重复")
            )
        else:
            seen_uscc[data["uscc"]] = number
        region = regions.get(data["region"])
        if region is None:
            errors.append(RowError(number, header["region"], f"区划代码 {data['region']} 不存在"))
        elif not scope.covers_region(region.code):
            errors.append(
                RowError(number, header["region"], f"区划 {region.code} {region.name} 不在您的管辖范围内")
            )
        current = existing.get(data["uscc"])
        if current is not None and not scope.covers_region(current.region_code):
            errors.append(
                RowError(number, header["uscc"], f"该代码已登记为{current.name}，不在您的管辖范围内")
            )
        _location_errors(number, data, columns, errors)
        _check_max_lengths(number, data, Enterprise, columns, errors)
        if data.get("licence_number"):
            for key in ("licence_kind", "licence_issuer", "licence_level", "licence_from", "licence_to"):
                if not data.get(key):
                    errors.append(RowError(number, header[key], f"填写了证号时{header[key]}不能为空"))
            lic_from, lic_to = data.get("licence_from"), data.get("licence_to")
            if lic_from and lic_to and lic_to < lic_from:
                errors.append(RowError(number, header["licence_to"], "有效期至不能早于有效期起"))
            key = (data.get("licence_kind"), data["licence_number"])
            other = existing_licences.get(key)
            if other is not None and (current is None or other.enterprise_id != current.pk):
                errors.append(RowError(number, header["licence_number"], "该证号已登记在其他企业名下"))
            if key in seen_licence:
                errors.append(
                    RowError(number, header["licence_number"], f"与第{seen_licence[key]}行的证号重复")
                )
            seen_licence[key] = number
        if errors:
            result.errors.extend(errors)
        else:
            data["region_obj"] = region
            valid.append((number, data))
    result.errors.sort(key=lambda e: (e.row, e.column))
    if result.errors and not valid_only:
        return result
    _save_enterprises(actor, valid, existing, existing_licences, result)
    return result


ENTERPRISE_IMPORT_FIELDS = ("name", "address", "legal_representative", "contact_phone", "lon", "lat")


def _save_enterprises(actor, rows, existing, existing_licences, result) -> None:
    events: list[PendingEvent] = []
    with transaction.atomic():
        to_create, to_update, role_rows = [], [], []
        for number, data in rows:
            region = data["region_obj"]
            values = {k: data.get(k) for k in ENTERPRISE_IMPORT_FIELDS if k in data}
            for k in ("name", "address", "legal_representative", "contact_phone"):
                if k in values and values[k] is None:
                    values[k] = ""
            current = existing.get(data["uscc"])
            if current is None:
                obj = Enterprise(uscc=data["uscc"], region=region, region_code=region.code, **values)
                to_create.append((number, obj, data))
            else:
                changed = {k: v for k, v in values.items() if getattr(current, k) != v}
                if current.region_id != region.pk:
                    changed["region_code"] = region.code
                    current.region = region
                for k, v in changed.items():
                    setattr(current, k, v)
                to_update.append((number, current, data, changed))
        Enterprise.objects.bulk_create([obj for _, obj, _ in to_create], batch_size=1000)
        if not all(obj.pk for _, obj, _ in to_create):  # backends without RETURNING (none we support)
            by_uscc = dict(
                Enterprise.objects.filter(uscc__in=[o.uscc for _, o, _ in to_create]).values_list(
                    "uscc", "pk"
                )
            )
            for _, obj, _ in to_create:
                obj.pk = by_uscc[obj.uscc]
        changed_objs = [obj for _, obj, _, changed in to_update if changed]
        if changed_objs:
            Enterprise.objects.bulk_update(
                changed_objs, [*ENTERPRISE_IMPORT_FIELDS, "region", "region_code"], batch_size=1000
            )
        for _, obj, data in to_create:
            role_rows.extend(EnterpriseRole(enterprise=obj, role=r) for r in data.get("roles") or [])
            result.created += 1
            events.append(
                PendingEvent(
                    "ENTERPRISE_CREATED",
                    "enterprise",
                    obj.pk,
                    actor,
                    obj.region_code,
                    {
                        "source": "import",
                        "uscc": obj.uscc,
                        "name": obj.name,
                        "roles": data.get("roles") or [],
                    },
                )
            )
        for _, obj, data, changed in to_update:
            have = {r.role for r in obj.roles.all()}
            new_roles = [r for r in data.get("roles") or [] if r not in have]
            role_rows.extend(EnterpriseRole(enterprise=obj, role=r) for r in new_roles)
            if changed or new_roles:
                result.updated += 1
                payload = {"source": "import", **{k: v for k, v in changed.items()}}
                if new_roles:
                    payload["roles_added"] = new_roles
                events.append(
                    PendingEvent("ENTERPRISE_UPDATED", "enterprise", obj.pk, actor, obj.region_code, payload)
                )
            else:
                result.unchanged += 1
        EnterpriseRole.objects.bulk_create(role_rows, batch_size=1000, ignore_conflicts=True)
        events.extend(_save_licences(actor, to_create, to_update, existing_licences))
        audit_record_many(events=events)
    result.saved = True


def _save_licences(actor, to_create, to_update, existing_licences) -> list[PendingEvent]:
    events, new, changed_rows = [], [], []
    entries = [(obj, data) for _, obj, data in to_create] + [(obj, data) for _, obj, data, _ in to_update]
    for obj, data in entries:
        if not data.get("licence_number"):
            continue
        values = {
            "issuer": data["licence_issuer"],
            "issuing_level": data["licence_level"],
            "valid_from": data["licence_from"],
            "valid_to": data["licence_to"],
        }
        current = existing_licences.get((data["licence_kind"], data["licence_number"]))
        if current is None:
            new.append(
                Licence(
                    enterprise=obj,
                    region_code=obj.region_code,
                    kind=data["licence_kind"],
                    number=data["licence_number"],
                    **values,
                )
            )
        else:
            diff = {k: v for k, v in values.items() if getattr(current, k) != v}
            if current.region_code != obj.region_code:
                diff["region_code"] = obj.region_code
            if diff:
                for k, v in diff.items():
                    setattr(current, k, v)
                changed_rows.append((current, diff))
    Licence.objects.bulk_create(new, batch_size=1000)
    if changed_rows:
        Licence.objects.bulk_update(
            [c for c, _ in changed_rows], ["issuer", "issuing_level", "valid_from", "valid_to", "region_code"]
        )
    for lic in new:
        events.append(
            PendingEvent(
                "LICENCE_CREATED",
                "licence",
                lic.pk,
                actor,
                lic.region_code,
                {
                    "source": "import",
                    "kind": lic.kind,
                    "number": lic.number,
                    "valid_to": lic.valid_to.isoformat(),
                },
            )
        )
    for lic, diff in changed_rows:
        payload = {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in diff.items()}
        events.append(
            PendingEvent(
                "LICENCE_UPDATED", "licence", lic.pk, actor, lic.region_code, {"source": "import", **payload}
            )
        )
    return events


# --- premises ---------------------------------------------------------------------------------------------

PREMISES_IMPORT_FIELDS = (
    "name",
    "kind",
    "address",
    "operator_name",
    "lon",
    "lat",
    "gas_pipeline",
    "gas_lpg",
    "gas_alcohol",
    "gas_other",
    "underground",
    "contact_name",
    "contact_phone",
    "status",
    "external_id",
)
PREMISES_DEFAULTS = {
    "operator_name": "",
    "gas_pipeline": False,
    "gas_lpg": False,
    "gas_alcohol": False,
    "gas_other": False,
    "underground": UndergroundChoices.NONE,
    "contact_name": "",
    "contact_phone": "",
    "status": PremisesStatusChoices.OPEN,
    "external_id": "",
}


def import_premises(*, actor, upload, valid_only: bool = False) -> ImportResult:
    """Import gas-using premises; see the module docstring."""
    from gasguard.registry.selectors import enterprise_list  # noqa: PLC0415

    scope = _require_importer(actor)
    result = ImportResult(kind="premises")
    columns = PREMISES_COLUMNS
    header = {c.key: c.header for c in columns}
    parsed: list[tuple[int, dict]] = []
    for number, raw in read_rows(upload, "premises", result):
        before = len(result.errors)
        data = _parse_row(number, raw, columns, result.errors)
        parsed.append((number, data if len(result.errors) == before else None))

    good = [d for _, d in parsed if d]
    regions = {r.code: r for r in Region.objects.filter(code__in={d["region"] for d in good})}
    usccs = {d[k] for d in good for k in ("enterprise", "supplier") if d.get(k)}
    enterprises = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=usccs).only("id", "uscc", "name")}
    visible = set(enterprise_list(user=actor).filter(uscc__in=usccs).values_list("uscc", flat=True))
    external_ids = {d["external_id"] for d in good if d.get("external_id")}
    names = {d["name"] for d in good if not d.get("external_id")}
    by_external = {}
    if external_ids:
        by_external = {p.external_id: p for p in Premises.objects.filter(external_id__in=external_ids)}
    by_natural = {}
    if names:
        for p in Premises.objects.filter(name__in=names, region_code__in=set(regions)):
            by_natural[(p.name, p.address, p.region_code)] = p
    seen: dict[tuple, int] = {}
    valid = []
    for number, data in parsed:
        if data is None:
            continue
        errors: list[RowError] = []
        region = regions.get(data["region"])
        if region is None:
            errors.append(RowError(number, header["region"], f"区划代码 {data['region']} 不存在"))
        elif not scope.covers_region(region.code):
            errors.append(
                RowError(number, header["region"], f"区划 {region.code} {region.name} 不在您的管辖范围内")
            )
        for key in ("enterprise", "supplier"):
            code = data.get(key)
            if not code:
                data[key] = None
                continue
            if message := uscc_error(code):
                errors.append(RowError(number, header[key], message))
            elif code not in enterprises:
                errors.append(
                    RowError(number, header[key], f"统一社会信用代码 {code} 的企业尚未登记，请先导入企业")
                )
            elif key == "enterprise" and code not in visible:
                errors.append(RowError(number, header[key], "经营主体企业不在您的数据权限范围内"))
            else:
                data[key] = enterprises[code]
        _location_errors(number, data, columns, errors)
        _check_max_lengths(number, data, Premises, columns, errors)
        key = (
            ("x", data["external_id"])
            if data.get("external_id")
            else ("n", data["name"], data["address"], data["region"])
        )
        if key in seen:
            errors.append(
                RowError(number, header["external_id" if key[0] == "x" else "name"], f"与第{seen[key]}行重复")
            )
        seen[key] = number
        current = None
        if region is not None:
            if data.get("external_id"):
                current = by_external.get(data["external_id"])
            else:
                current = by_natural.get((data["name"], data["address"], region.code))
            if current is not None and not scope.covers_region(current.region_code):
                errors.append(RowError(number, header["region"], "已有同编号场所，不在您的管辖范围内"))
        if errors:
            result.errors.extend(errors)
        else:
            valid.append((number, data, region, current))
    result.errors.sort(key=lambda e: (e.row, e.column))
    if result.errors and not valid_only:
        return result
    _save_premises(actor, valid, result)
    return result


def _save_premises(actor, rows, result) -> None:
    events: list[PendingEvent] = []
    new, changed_objs = [], []
    with transaction.atomic():
        for _number, data, region, current in rows:
            values = {k: data[k] for k in PREMISES_IMPORT_FIELDS if k in data}
            if current is None:
                obj = Premises(
                    **{**PREMISES_DEFAULTS, **values},
                    region=region,
                    region_code=region.code,
                    enterprise=data.get("enterprise"),
                    supplier=data.get("supplier"),
                )
                new.append(obj)
                continue
            diff = {k: v for k, v in values.items() if getattr(current, k) != v}
            for key in ("enterprise", "supplier"):
                if key not in data:
                    continue
                target = data.get(key)
                new_id = target.pk if target else None
                if getattr(current, f"{key}_id") != new_id:
                    diff[key] = new_id
                    setattr(current, key, target)
            if current.region_id != region.pk:
                current.region = region
                current.region_code = region.code
                diff["region"] = region.code
            for k, v in diff.items():
                if k not in ("enterprise", "supplier", "region"):
                    setattr(current, k, v)
            if diff:
                changed_objs.append(current)
                result.updated += 1
                events.append(
                    PendingEvent(
                        "PREMISES_UPDATED",
                        "premises",
                        current.pk,
                        actor,
                        current.region_code,
                        {"source": "import", **diff},
                    )
                )
            else:
                result.unchanged += 1
        Premises.objects.bulk_create(new, batch_size=1000)
        if changed_objs:
            Premises.objects.bulk_update(
                changed_objs,
                [*PREMISES_IMPORT_FIELDS, "region", "region_code", "enterprise", "supplier"],
                batch_size=1000,
            )
        for obj in new:
            result.created += 1
            events.append(
                PendingEvent(
                    "PREMISES_CREATED",
                    "premises",
                    obj.pk,
                    actor,
                    obj.region_code,
                    {"source": "import", "name": obj.name, "kind": obj.kind, "external_id": obj.external_id},
                )
            )
        audit_record_many(events=events)
    result.saved = True


def run_import(*, actor, kind: str, upload, valid_only: bool = False) -> ImportResult:
    """Import enterprises or premises from an uploaded .xlsx."""
    if kind == "enterprise":
        return import_enterprises(actor=actor, upload=upload, valid_only=valid_only)
    if kind == "premises":
        return import_premises(actor=actor, upload=upload, valid_only=valid_only)
    raise ValidationFailed("未知的导入类型", field="kind")
