"""The ?month= filter of the monthly reports: a value that is not a month is an error naming the
field (a 400 on the API, the month field's error and no reporting status on the page)."""

from datetime import date

import pytest

from gasguard.campaigns import services
from gasguard.core.tests.filter_asserts import assert_api_refuses

pytestmark = pytest.mark.django_db

BAD_MONTHS = ["2024-02xyz", "2024-13", "bogus", "2024-2", "2024-02-30"]


@pytest.fixture
def reports(city, frozen):
    frozen(2024, 3, 20, 10)
    campaign = services.campaign_create_default(actor=city.taskforce_admin, region=city.city)
    for region in (city.district_a, city.district_b):
        services.campaign_target_set(actor=city.taskforce_admin, campaign=campaign, region=region)
    return [
        services.monthly_report_create(
            actor=city.supervisor_a, region=city.district_a, month=date(2024, m, 1)
        )
        for m in (2, 3)
    ]


@pytest.mark.parametrize("month", BAD_MONTHS)
def test_report_api_refuses_a_bad_month_naming_the_field(city, reports, api, month):
    client = api(city.supervisor_a)
    for url in ("/api/campaigns/reports/", "/api/campaigns/reports/status/"):
        assert_api_refuses(client.get(url, {"month": month, "region": "440305"}), "month", "YYYY-MM")


def test_report_api_month_still_filters(city, reports, api):
    client = api(city.supervisor_a)
    assert client.get("/api/campaigns/reports/").json()["count"] == 2
    for month in ("2024-02", "2024-02-15", " 2024-02 "):
        body = client.get("/api/campaigns/reports/", {"month": month}).json()
        assert [r["id"] for r in body["results"]] == [reports[0].pk], month
    status = api(city.taskforce_admin).get(
        "/api/campaigns/reports/status/", {"region": "4403", "month": "2024-02"}
    )
    assert status.status_code == 200 and status.json()["month"] == "2024-02"


@pytest.mark.parametrize("month", ["2024-02xyz", "2024-13"])
def test_report_page_shows_month_error_and_no_status(city, reports, login, month):
    response = login(city.taskforce_admin).get("/campaigns/reports/", {"month": month})
    assert response.status_code == 200 and response.context["status"] is None
    assert list(response.context["filter_errors"]) == ["month"]
    html = response.content.decode()
    assert "月份应为 YYYY-MM 格式的月份" in html and 'data-testid="filter-error"' in html
    assert 'data-testid="missing"' not in html


def test_report_page_valid_month_still_shows_status(city, reports, login):
    response = login(city.taskforce_admin).get("/campaigns/reports/", {"month": "2024-02"})
    assert response.context["status"]["month"] == date(2024, 2, 1)
    html = response.content.decode()
    assert 'data-testid="missing"' in html and 'data-testid="filter-error"' not in html
