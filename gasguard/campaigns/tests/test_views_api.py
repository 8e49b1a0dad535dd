"""Campaign pages and API: scope, workflow through both doors, downloads, query-count pins."""

from datetime import date
from io import BytesIO

import pytest
from docx import Document

from gasguard.campaigns import services
from gasguard.campaigns.models import Accident, MonthlyReport
from gasguard.dashboard.tests.factories import make_hazard

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(city):
    c = services.campaign_create_default(actor=city.taskforce_admin, region=city.city)
    for region in (city.district_a, city.district_b):
        services.campaign_target_set(actor=city.taskforce_admin, campaign=c, region=region)
    return c


def test_pages_render(city, login, campaign, frozen):
    frozen(2024, 3, 20, 10)
    make_hazard(premises=city.premises_a, found=date(2024, 2, 10), deadline=date(2024, 2, 20))
    c = login(city.taskforce_admin)
    for url in (
        "/campaigns/",
        f"/campaigns/{campaign.pk}/",
        "/campaigns/reports/",
        "/campaigns/supervision/",
        "/campaigns/accidents/new/",
    ):
        r = c.get(url)
        assert r.status_code == 200, url
    r = c.get("/campaigns/reports/?month=2024-02")
    assert "南山区" in r.content.decode() and "未报送" in r.content.decode()


def test_district_inspector_cannot_open_other_district(city, login, campaign):
    c = login(city.inspector_a)
    assert c.get("/campaigns/supervision/?region=440306").status_code == 404
    assert c.get(f"/campaigns/{campaign.pk}/").status_code == 200  # the city's campaign is visible


def test_report_workflow_through_the_ui(city, login, campaign, frozen):
    frozen(2024, 3, 20, 10)
    c = login(city.supervisor_a)
    r = c.post("/campaigns/reports/", {"month": "2024-02"})
    report = MonthlyReport.objects.get(region_code="440305")
    assert r.status_code == 302 and r["Location"].endswith(f"/campaigns/reports/{report.pk}/edit/")
    c.post(
        f"/campaigns/reports/{report.pk}/edit/", {"work_summary": "排查", "problems": "", "next_steps": ""}
    )
    r = c.post(f"/campaigns/reports/{report.pk}/submit/")
    report.refresh_from_db()
    assert report.status == "submitted"
    r = c.get(f"/campaigns/reports/{report.pk}/download.docx")
    assert r.status_code == 200 and Document(BytesIO(r.content)).paragraphs
    assert c.get(f"/campaigns/reports/{report.pk}/download.xlsx").status_code == 200
    # District B cannot read A's report.
    assert login(city.inspector_b).get(f"/campaigns/reports/{report.pk}/").status_code == 404


def test_draft_page_is_marked(city, login, frozen):
    frozen(2024, 3, 20, 10)
    report = services.monthly_report_create(
        actor=city.supervisor_a, region=city.district_a, month=date(2024, 3, 1)
    )
    body = login(city.supervisor_a).get(f"/campaigns/reports/{report.pk}/").content.decode()
    assert "草稿（统计期未结束）" in body and "报送上级" not in body


def test_api_report_lifecycle(city, api, campaign, frozen):
    frozen(2024, 3, 20, 10)
    make_hazard(premises=city.premises_a, found=date(2024, 2, 10))
    a = api(city.supervisor_a)
    r = a.post("/api/campaigns/reports/", {"month": "2024-02"}, format="json")
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    r = a.post(f"/api/campaigns/reports/{pk}/submit/")
    assert r.status_code == 400 and r.json()["error"]["fields"] == {
        "work_summary": ["请先填写“工作开展情况”"]
    }
    assert (
        a.patch(f"/api/campaigns/reports/{pk}/", {"work_summary": "排查"}, format="json").status_code == 200
    )
    r = a.post(f"/api/campaigns/reports/{pk}/submit/")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    assert a.post(f"/api/campaigns/reports/{pk}/submit/").status_code == 409
    figures = a.get(f"/api/campaigns/reports/{pk}/figures/").json()
    assert figures["period_figures"]["hazards"]["found"] == 1
    assert a.get(f"/api/campaigns/reports/{pk}/download/docx/").status_code == 200
    status = api(city.taskforce_admin).get("/api/campaigns/reports/status/?region=4403&month=2024-02").json()
    assert [r["region_code"] for r in status["submitted"]] == ["440305"]
    assert status["missing"] == [{"code": "440306", "name": "宝安区"}]
    # Unfinished month: created as draft, submission refused.
    r = a.post("/api/campaigns/reports/", {"month": "2024-03"}, format="json")
    pk3 = r.json()["id"]
    a.patch(f"/api/campaigns/reports/{pk3}/", {"work_summary": "x"}, format="json")
    r = a.post(f"/api/campaigns/reports/{pk3}/submit/")
    assert r.status_code == 400 and "统计期未结束" in r.json()["error"]["message"]
    assert api(city.inspector_b).get(f"/api/campaigns/reports/{pk}/").status_code == 404


def test_api_campaigns_targets_progress(city, api, campaign):
    a = api(city.taskforce_admin)
    r = a.get("/api/campaigns/campaigns/")
    assert r.status_code == 200 and r.json()["results"][0]["phases"][0]["name"] == "集中攻坚"
    r = a.post(
        f"/api/campaigns/campaigns/{campaign.pk}/targets/",
        {"region": "440305", "coverage_pct": "90"},
        format="json",
    )
    assert r.status_code == 201 and r.json()["coverage_pct"] == "90.0"
    r = a.get(f"/api/campaigns/campaigns/{campaign.pk}/progress/")
    assert {row["region_code"] for row in r.json()["results"]} == {"440305", "440306"}
    r = api(city.inspector_a).post(
        f"/api/campaigns/campaigns/{campaign.pk}/targets/", {"region": "440305"}, format="json"
    )
    assert r.status_code == 403
    r = a.post(
        f"/api/campaigns/campaigns/{campaign.pk}/waves/",
        {"start_date": "2024-01-01", "end_date": "2024-03-31"},
        format="json",
    )
    assert r.status_code == 201


def test_api_supervision_records_and_accidents(city, api, campaign):
    a = api(city.supervisor_a)
    r = a.post(
        "/api/campaigns/accidents/",
        {
            "occurred_at": "2023-10-05T12:00:00+08:00",
            "place": "南山川菜馆",
            "description": "闪爆",
            "premises": city.premises_a.pk,
            "is_egregious": True,
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["escalated_investigation"] is True
    assert r.json()["timeline_url"] == f"/inspections/timeline/premises/{city.premises_a.pk}/"
    r = a.post(
        "/api/campaigns/accidents/",
        {
            "occurred_at": "2023-10-05T12:00:00+08:00",
            "place": "x",
            "description": "y",
            "premises": city.premises_b.pk,
        },
        format="json",
    )
    assert r.status_code == 404
    assert Accident.objects.count() == 1
    r = a.post(
        "/api/campaigns/interviews/",
        {"interviewee": "张三", "unit": "南山燃气", "held_on": "2024-01-10", "reason": "逾期"},
        format="json",
    )
    assert r.status_code == 201
    r = a.post(
        "/api/campaigns/warnings/",
        {"recipient_unit": "南山燃气", "subject": "软管", "content": "更换"},
        format="json",
    )
    assert r.status_code == 201
    t = api(city.taskforce_admin)
    r = t.post("/api/campaigns/notices/", {"region": "4403", "number": "1号"}, format="json")
    assert r.status_code == 201
    assert t.get(f"/api/campaigns/notices/{r.json()['id']}/download/").status_code == 200
    # B sees none of A's records; the city sees them.
    b = api(city.inspector_b)
    assert b.get("/api/campaigns/accidents/").json()["count"] == 0
    assert t.get("/api/campaigns/interviews/").json()["count"] == 1


def test_list_query_counts_are_pinned(city, api, login, campaign, django_assert_max_num_queries, frozen):
    frozen(2024, 3, 20, 10)
    for month in (1, 2):
        r = services.monthly_report_create(
            actor=city.supervisor_a, region=city.district_a, month=date(2024, month, 1)
        )
        services.monthly_report_update(
            actor=city.supervisor_a, report=r, work_summary="x", problems="", next_steps=""
        )
        services.monthly_report_submit(actor=city.supervisor_a, report=r)
    a = api(city.taskforce_admin)
    with django_assert_max_num_queries(8):
        assert a.get("/api/campaigns/reports/").json()["count"] == 2
    c = login(city.taskforce_admin)
    with django_assert_max_num_queries(40):
        assert c.get("/campaigns/reports/?month=2024-02").status_code == 200
