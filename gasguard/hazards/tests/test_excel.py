"""Excel export (ledger layout, round trip) and import (row errors, all-or-nothing, no duplicates)."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from gasguard.audit.models import AuditEvent
from gasguard.audit.services import audit_verify
from gasguard.core.errors import PermissionDenied, ValidationFailed
from gasguard.hazards.excel import (
    EXPORT_COLUMNS,
    IMPORT_HEADERS,
    export_hazards,
    hazard_import,
    import_template,
)
from gasguard.hazards.models import Hazard
from gasguard.hazards.selectors import hazard_list
from gasguard.hazards.tests.factories import make_hazard


def workbook(rows, headers=IMPORT_HEADERS):
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append([row.get(h, "") for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("ledger.xlsx", buf.getvalue())


def row(**over):
    deadline = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    base = {
        "检查对象": "南山川菜馆",
        "所在区域": "440305",
        "隐患名称": "软管老化",
        "隐患描述": "燃气软管老化龟裂",
        "类别": "问题软管",
        "等级": "一般隐患",
        "牵头部门": "住建",
        "整治责任人": "张三",
        "完成时限": deadline,
    }
    base.update(over)
    return base


@pytest.mark.django_db
def test_import_creates_hazards_and_reimport_creates_no_duplicates(city):
    rows = [
        row(),
        row(隐患描述="灶具无熄火保护", 类别="问题环境", 等级="重大隐患"),
        row(检查对象="南山燃气有限公司"),
    ]
    result = hazard_import(actor=city.supervisor_a, upload=workbook(rows))
    assert result.committed and result.created == 3 and not result.errors
    major = Hazard.objects.get(description="灶具无熄火保护")
    assert major.is_supervised and major.source == "import" and major.premises == city.premises_a
    assert Hazard.objects.get(target_name="南山燃气有限公司").target_type == "enterprise"
    assert AuditEvent.objects.filter(event_type="HAZARD_IMPORTED").count() == 3
    again = hazard_import(actor=city.supervisor_a, upload=workbook(rows))
    assert again.created == 0 and again.duplicates == 3
    assert Hazard.objects.count() == 3
    assert audit_verify().ok


@pytest.mark.django_db
def test_import_with_bad_rows_is_all_or_nothing_by_default(city):
    rows = [
        row(),
        row(检查对象="不存在的饭店"),
        row(类别="问题锅"),
        row(完成时限="明天"),
        row(所在区域="440306"),  # 宝安: outside supervisor A's scope
        row(隐患描述=""),
    ]
    result = hazard_import(actor=city.supervisor_a, upload=workbook(rows))
    assert not result.committed and result.created == 0 and Hazard.objects.count() == 0
    errors = {(r, c) for r, c, _ in result.errors}
    assert (3, "检查对象") in errors
    assert (4, "类别") in errors
    assert (5, "完成时限") in errors
    assert (6, "所在区域") in errors
    assert (7, "隐患描述") in errors
    assert all(r != 2 for r, _, _ in result.errors)
    partial = hazard_import(actor=city.supervisor_a, upload=workbook(rows), valid_only=True)
    assert partial.committed and partial.created == 1 and partial.error_rows == 5
    assert Hazard.objects.count() == 1


@pytest.mark.django_db
def test_import_matches_by_uscc_and_region_name(city):
    result = hazard_import(
        actor=city.taskforce_admin,
        upload=workbook(
            [row(检查对象="任意名称", 统一社会信用代码=city.enterprise_b.uscc, 所在区域="宝安区")]
        ),
    )
    assert result.committed, result.errors
    h = Hazard.objects.get()
    assert h.enterprise == city.enterprise_b and h.region_code.startswith("440306")


@pytest.mark.django_db
def test_import_refuses_bad_files_and_users(city):
    with pytest.raises(ValidationFailed):
        hazard_import(actor=city.supervisor_a, upload=SimpleUploadedFile("x.xlsx", b"not a zip"))
    with pytest.raises(ValidationFailed, match="表头缺少列"):
        hazard_import(actor=city.supervisor_a, upload=workbook([row()], headers=["检查对象", "隐患描述"]))
    with pytest.raises(PermissionDenied):
        hazard_import(actor=city.enterprise_user_a, upload=workbook([row()]))
    with pytest.raises(PermissionDenied):
        hazard_import(actor=city.leader, upload=workbook([row()]))


@pytest.mark.django_db
def test_template_is_importable_header(city):
    path = import_template()
    ws = load_workbook(path).worksheets[0]
    assert [c.value.rstrip("*") for c in ws[1]] == IMPORT_HEADERS


@pytest.mark.django_db
def test_export_round_trip(city):
    today = timezone.localdate()
    made = [
        make_hazard(
            city.inspector_a, city.premises_a, title="软管", deadline=today - datetime.timedelta(days=2)
        ),
        make_hazard(
            city.inspector_a, city.premises_a, title="报警器", severity="major", responsible_person="张三"
        ),
        make_hazard(city.inspector_b, city.premises_b, title="宝安"),
    ]
    qs = hazard_list(user=city.supervisor_a, filters={})
    path = export_hazards(qs)
    ws = load_workbook(path).worksheets[0]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert list(rows[0]) == [name for name, _ in EXPORT_COLUMNS]
    data = rows[1:]
    assert len(data) == 2  # scope: the 宝安 hazard is not exported for supervisor A
    by_code = {r[1]: r for r in data}
    first = by_code[made[0].code]
    assert first[2] == "南山川菜馆" and first[3].startswith("南山区") and first[12] == "是"
    assert first[11] == "待整改" and first[9] == (today - datetime.timedelta(days=2)).isoformat()
    second = by_code[made[1].code]
    assert second[6] == "重大隐患" and second[7] == "张三" and second[12] == "否"
    assert [r[0] for r in data] == [1, 2]


@pytest.mark.django_db
def test_export_and_import_views(city, login):
    make_hazard(city.inspector_a, city.premises_a)
    client = login(city.supervisor_a)
    response = client.get(reverse("hazards:hazard_export"), {"severity": "general"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert load_workbook(io.BytesIO(content)).worksheets[0].max_row == 4
    assert client.get(reverse("hazards:import_template")).status_code == 200
    response = client.post(reverse("hazards:hazard_import"), {"file": workbook([row(), row(类别="坏")])})
    assert "未导入" in response.content.decode() and "第 3 行" in response.content.decode()
    response = client.post(
        reverse("hazards:hazard_import"), {"file": workbook([row(), row(类别="坏")]), "valid_only": "on"}
    )
    assert response.context["result"].created == 1


@pytest.mark.django_db
def test_import_api(city, api):
    client = api(city.supervisor_a)
    response = client.post(
        "/api/hazards/hazards/import/", {"file": workbook([row(类别="坏")])}, format="multipart"
    )
    assert response.status_code == 400 and "第2行.类别" in response.json()["error"]["fields"]
    response = client.post("/api/hazards/hazards/import/", {"file": workbook([row()])}, format="multipart")
    assert response.status_code == 201 and response.json()["created"] == 1


def test_streaming_writer_escapes_and_is_valid_ooxml(tmp_path):
    from gasguard.hazards.xlsx_stream import ALERT, StreamingXlsxWriter, column_letter

    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    path = str(tmp_path / "t.xlsx")
    with StreamingXlsxWriter(
        path, sheet_name="隐患<台账>", widths=[10, 20, 30], freeze_rows=1, merge="A1:C1"
    ) as w:
        w.write_row(["标题", None, None])
        w.write_row([1, '  <b>&"引号"  ', "ctl\x00\x07char\n换行"], styles={2: ALERT})
        w.write_row([2.5, "", True])
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    assert ws.title == "隐患<台账>" and "A1:C1" in [str(r) for r in ws.merged_cells.ranges]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[2]] == [1, '  <b>&"引号"  ', "ctlchar\n换行"]
    assert ws["C2"].font.b and ws["A3"].value == 2.5 and ws["C3"].value == "是"


@pytest.mark.django_db
def test_large_import_uses_the_bulk_path_and_the_chain_verifies(city):
    rows = [row(隐患描述=f"软管老化第{i}处") for i in range(650)]
    result = hazard_import(actor=city.supervisor_a, upload=workbook(rows))
    assert result.committed and result.created == 650
    assert Hazard.objects.filter(source="import").count() == 650
    assert AuditEvent.objects.filter(event_type="HAZARD_IMPORTED").count() == 650
    from gasguard.hazards.models import HazardHistory

    assert HazardHistory.objects.filter(action="import").count() == 650
    assert audit_verify().ok
    again = hazard_import(actor=city.supervisor_a, upload=workbook(rows))
    assert again.created == 0 and again.duplicates == 650
