import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from gasguard.audit.models import AuditEvent
from gasguard.core.errors import PermissionDenied, ValidationFailed
from gasguard.registry.importing import (
    ENTERPRISE_COLUMNS,
    PREMISES_COLUMNS,
    import_enterprises,
    import_premises,
    parse_date,
)
from gasguard.registry.models import Enterprise, Licence, Premises
from gasguard.registry.uscc import make_uscc

pytestmark = pytest.mark.django_db

P_HEADERS = [c.header for c in PREMISES_COLUMNS]
E_HEADERS = [c.header for c in ENTERPRISE_COLUMNS]


def xlsx(headers, rows, merge=None, name="import.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def premises_row(i, *, region="440305001001001", name=None, lon=113.93, lat=22.53, kind="餐饮企业"):
    return [
        f"NS-{i:05d}",
        name or f"导入餐馆{i}",
        kind,
        region,
        f"南头路{i}号",
        "经营者",
        "",
        "",
        lon,
        lat,
        "否",
        "是",
        "否",
        "否",
        "地上",
        "",
        "",
        "在营",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01", datetime.date(2024, 3, 1)),
        ("2024/3/1", datetime.date(2024, 3, 1)),
        ("2024年3月1日", datetime.date(2024, 3, 1)),
        ("2024-02-30", None),
        ("明年", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_premises_import_and_reimport_updates(city):
    upload = xlsx(P_HEADERS, [premises_row(i) for i in range(5)])
    result = import_premises(actor=city.inspector_a, upload=upload)
    assert result.errors == [] and result.created == 5 and result.saved
    assert AuditEvent.objects.filter(event_type="PREMISES_CREATED").count() == 5
    rows = [premises_row(i) for i in range(5)]
    rows[0][1] = "改名餐馆"
    result = import_premises(actor=city.inspector_a, upload=xlsx(P_HEADERS, rows))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 4)
    assert Premises.objects.filter(external_id__startswith="NS-").count() == 5
    assert Premises.objects.get(external_id="NS-00000").name == "改名餐馆"


def test_reimport_without_external_id_matches_name_address_region(city):
    rows = [premises_row(1)]
    rows[0][0] = ""
    import_premises(actor=city.inspector_a, upload=xlsx(P_HEADERS, rows))
    result = import_premises(actor=city.inspector_a, upload=xlsx(P_HEADERS, rows))
    assert result.unchanged == 1 and Premises.objects.filter(name="导入餐馆1").count() == 1


def test_ten_thousand_rows_with_three_bad_saves_nothing(city):
    rows = [premises_row(i) for i in range(10_000)]
    rows[17][3] = "440306001"  # another district
    rows[4242][8], rows[4242][9] = 22.53, 113.93  # swapped
    rows[9998][2] = "火锅城"  # not a kind
    result = import_premises(actor=city.inspector_a, upload=xlsx(P_HEADERS, rows))
    assert result.total_rows == 10_000
    assert result.bad_rows == [19, 4244, 10000]
    assert not result.saved
    assert not Premises.objects.filter(external_id__startswith="NS-").exists()
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "不在您的管辖范围内" in messages[(19, "所在区划代码")]
    assert "填反" in messages[(4244, "经度")]
    assert "不是可选值" in messages[(10000, "场所类型")]


def test_valid_rows_only_option(city):
    rows = [premises_row(i) for i in range(4)]
    rows[2][4] = ""
    result = import_premises(actor=city.inspector_a, upload=xlsx(P_HEADERS, rows), valid_only=True)
    assert result.bad_rows == [4] and result.created == 3 and result.saved


def test_wrong_headers_are_listed(city):
    headers = [h for h in P_HEADERS if h != "地址"] + ["备注"]
    with pytest.raises(ValidationFailed) as exc:
        import_premises(actor=city.inspector_a, upload=xlsx(headers, [["x"] * len(headers)]))
    assert "缺少必填列：地址" in exc.value.message and "无法识别的列：备注" in exc.value.message


def test_merged_cells_are_refused_with_range(city):
    with pytest.raises(ValidationFailed) as exc:
        import_premises(
            actor=city.inspector_a, upload=xlsx(P_HEADERS, [premises_row(1), premises_row(2)], merge="B2:B3")
        )
    assert "B2:B3" in exc.value.message


def test_non_excel_renamed_xlsx(city):
    upload = SimpleUploadedFile("registry.xlsx", "名称,地址\n甲,乙\n".encode())
    with pytest.raises(ValidationFailed) as exc:
        import_premises(actor=city.inspector_a, upload=upload)
    assert "不是有效的 Excel" in exc.value.message


def test_oversized_upload(city, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    upload = xlsx(P_HEADERS, [premises_row(i) for i in range(200)])
    with pytest.raises(ValidationFailed) as exc:
        import_premises(actor=city.inspector_a, upload=upload)
    assert "文件过大" in exc.value.message


def test_row_limit(city, settings):
    settings.GASGUARD_IMPORT_MAX_ROWS = 3
    with pytest.raises(ValidationFailed) as exc:
        import_premises(actor=city.inspector_a, upload=xlsx(P_HEADERS, [premises_row(i) for i in range(5)]))
    assert "行数超过上限 3" in exc.value.message


def test_leader_cannot_import(city):
    with pytest.raises(PermissionDenied):
        import_premises(actor=city.leader, upload=xlsx(P_HEADERS, [premises_row(1)]))


def enterprise_row(serial, *, uscc=None, valid_from="2023/1/1", valid_to="2027年12月31日", name=None):
    return [
        name or f"导入燃气公司{serial}",
        uscc or make_uscc("440305", 900000 + serial),
        "440305001",
        "南头路1号",
        "王五",
        "0755-1",
        113.93,
        22.53,
        "瓶装液化石油气经营、气瓶充装",
        "燃气经营许可证",
        f"粤燃{serial:05d}",
        "深圳市住房和建设局",
        "地市级",
        valid_from,
        valid_to,
    ]


def test_enterprise_import_with_text_dates_and_reimport(city):
    rows = [enterprise_row(1), enterprise_row(2, valid_from=datetime.date(2022, 5, 1))]
    result = import_enterprises(actor=city.supervisor_a, upload=xlsx(E_HEADERS, rows))
    assert result.errors == [] and result.created == 2
    enterprise = Enterprise.objects.get(uscc=make_uscc("440305", 900001))
    assert sorted(enterprise.role_values) == ["bottled_lpg", "cylinder_filling"]
    licence = Licence.objects.get(number="粤燃00001")
    assert (licence.valid_from, licence.valid_to) == (datetime.date(2023, 1, 1), datetime.date(2027, 12, 31))
    rows[0][0] = "导入燃气公司一"
    result = import_enterprises(actor=city.supervisor_a, upload=xlsx(E_HEADERS, rows))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Enterprise.objects.filter(uscc=make_uscc("440305", 900001)).count() == 1


def test_enterprise_import_bad_rows(city):
    rows = [
        enterprise_row(1, valid_from="2023年13月1日"),
        enterprise_row(2, uscc="91440300ABC"),
        enterprise_row(3, uscc=city.enterprise_b.uscc),
        enterprise_row(4, valid_from="2025-01-01", valid_to="2024-01-01"),
        enterprise_row(5, name="<img src=x>"),
        enterprise_row(6, uscc=make_uscc("440305", 900004)),
    ]
    result = import_enterprises(actor=city.supervisor_a, upload=xlsx(E_HEADERS, rows))
    assert result.bad_rows == [2, 3, 4, 5, 6, 7]
    messages = {e.row: e.message for e in result.errors}
    assert "不是有效日期" in messages[2]
    assert "18位" in messages[3]
    assert "不在您的管辖范围内" in messages[4]
    assert "有效期至不能早于有效期起" in messages[5]
    assert "HTML" in messages[6]
    assert "与第5行" in messages[7]
    assert not Enterprise.objects.filter(name__startswith="导入燃气公司").exists()


def test_import_template_headers_match(city, login):
    client = login(city.inspector_a)
    for kind, headers in (("premises", P_HEADERS), ("enterprise", E_HEADERS)):
        response = client.get(f"/registry/import/template/{kind}/")
        assert response.status_code == 200
        wb = load_workbook(
            io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
        )
        assert [c.value for c in next(wb.worksheets[0].iter_rows(max_row=1))] == headers
