"""Report numbers equal the ledger's numbers for the same scope and period, and the Word/Excel
files open and carry those numbers."""

from datetime import date
from io import BytesIO

import pytest
from docx import Document
from openpyxl import load_workbook

from gasguard.campaigns import selectors as sel
from gasguard.campaigns import services
from gasguard.campaigns.documents import DRAFT_MARK
from gasguard.dashboard.tests.factories import make_hazard
from gasguard.hazards.selectors import hazard_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(city):
    """Hazards around the February 2024 period (2024-01-26 … 2024-02-25) in both districts."""
    a, b = city.premises_a, city.premises_b
    rows = [
        make_hazard(premises=a, found=date(2024, 1, 25)),  # before the period
        make_hazard(premises=a, found=date(2024, 1, 26), category="cylinder"),  # first day
        make_hazard(premises=a, found=date(2024, 2, 10), closed=date(2024, 2, 20)),
        make_hazard(
            premises=a, found=date(2024, 2, 25), severity="major", category="pipeline", lead="housing"
        ),
        make_hazard(premises=a, found=date(2024, 2, 26)),  # after the cut-off
        make_hazard(premises=a, found=date(2023, 12, 1), closed=date(2024, 2, 1), source="report"),
        make_hazard(premises=a, found=date(2024, 2, 5), deadline=date(2024, 2, 15)),  # overdue
        make_hazard(premises=b, found=date(2024, 2, 10)),  # other district
    ]
    return rows


def _ledger_count(user, **filters) -> int:
    return hazard_list(user=user, filters=filters).count()


def test_report_numbers_equal_ledger_numbers(city, ledger, frozen):
    frozen(2024, 3, 20, 10)
    services.campaign_create_default(actor=city.taskforce_admin, region=city.city)
    figures = sel.report_figures(region=city.district_a, month=date(2024, 2, 1))
    period = figures["period_figures"]["hazards"]
    user = city.supervisor_a
    found = _ledger_count(user, region="440305", found_from="2024-01-26", found_to="2024-02-25")
    assert period["found"] == found == 4
    closed = _ledger_count(
        user, region="440305", status="closed", closed_from="2024-01-26", closed_to="2024-02-25"
    )
    assert period["closed"] == closed == 2
    major = _ledger_count(
        user, region="440305", severity="major", found_from="2024-01-26", found_to="2024-02-25"
    )
    assert period["major_found"] == major == 1
    cumulative = figures["cumulative_figures"]["hazards"]
    assert (
        cumulative["found"]
        == _ledger_count(user, region="440305", found_from="2023-08-01", found_to="2024-02-25")
        == 6
    )
    # By category in the report == ledger filtered by category.
    cats = {r["key"]: r for r in figures["tables"]["by_category"]}
    assert cats["cylinder"]["period_found"] == _ledger_count(
        user, region="440305", category="cylinder", found_from="2024-01-26", found_to="2024-02-25"
    )
    # The district report never includes the other district.
    assert all(r["code"].startswith("440305") for r in figures["tables"]["by_region"])


def test_current_open_and_overdue_equal_ledger(city, ledger, frozen):
    frozen(2024, 3, 20, 10)
    figures = sel.report_figures(region=city.district_a, month=date(2024, 3, 1))  # as of now
    c = figures["cumulative_figures"]["hazards"]
    user = city.supervisor_a
    assert c["open"] == _ledger_count(
        user, region="440305", status=["pending", "rectifying", "controlled", "awaiting_verification"]
    )
    assert c["overdue"] == _ledger_count(user, region="440305", overdue="1")
    assert figures["draft"] is True


def test_word_and_excel_open_and_contain_the_figures(city, ledger, frozen):
    frozen(2024, 3, 20, 10)
    report = services.monthly_report_create(
        actor=city.supervisor_a, region=city.district_a, month=date(2024, 2, 1)
    )
    services.monthly_report_update(
        actor=city.supervisor_a,
        report=report,
        work_summary="全面排查餐饮场所",
        problems="软管老化",
        next_steps="回头看",
    )
    report = services.monthly_report_submit(actor=city.supervisor_a, report=report)
    docx, xlsx, figures = services.monthly_report_documents(report)
    doc = Document(BytesIO(docx))
    text = "\n".join(p.text for p in doc.paragraphs)
    for heading in (
        "工作开展情况",
        "排查整治数据",
        "重大隐患整治情况",
        "执法检查情况",
        "举报核查情况",
        "存在问题",
        "下一步工作安排",
    ):
        assert heading in text
    assert "本期排查发现隐患4项（其中重大隐患1项）" in text
    assert "全面排查餐饮场所" in text and DRAFT_MARK not in text
    wb = load_workbook(BytesIO(xlsx))
    assert {"汇总", "按隐患类别", "按监管部门", "按下级地区"} <= set(wb.sheetnames)
    rows = {r[0]: r for r in wb["汇总"].iter_rows(values_only=True) if r and r[0]}
    assert rows["排查发现隐患"][1] == 4
    cats = {r[0]: r for r in wb["按隐患类别"].iter_rows(min_row=2, values_only=True)}
    assert cats["问题瓶"][1] == 1


def test_draft_document_is_marked(city, ledger, frozen):
    frozen(2024, 3, 20, 10)
    report = services.monthly_report_create(
        actor=city.supervisor_a, region=city.district_a, month=date(2024, 3, 1)
    )
    docx, xlsx, figures = services.monthly_report_documents(report)
    assert figures["draft"] is True
    assert Document(BytesIO(docx)).paragraphs[0].text == DRAFT_MARK
    assert load_workbook(BytesIO(xlsx))["汇总"]["A1"].value == DRAFT_MARK


def test_city_report_sums_its_districts(city, ledger, frozen):
    frozen(2024, 3, 20, 10)
    figures = sel.report_figures(region=city.city, month=date(2024, 2, 1))
    by_region = {r["code"]: r for r in figures["tables"]["by_region"]}
    assert by_region["440305"]["period_found"] == 4 and by_region["440306"]["period_found"] == 1
    assert figures["period_figures"]["hazards"]["found"] == 5
