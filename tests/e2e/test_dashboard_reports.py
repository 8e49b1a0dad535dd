"""A district supervisor fills and submits last month's report on a phone; the city task force
sees it as submitted, the other district as not submitted, and downloads the Word file."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gasguard.campaigns import services
from gasguard.dashboard.tests.factories import make_hazard


@pytest.fixture(autouse=True)
def _fresh_figures(settings, tmp_path):
    settings.GASGUARD_DASHBOARD_CACHE_SECONDS = 0
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.mark.django_db(transaction=True)
def test_district_submits_and_city_sees_it(city, browser_login, shots):
    campaign = services.campaign_create_default(actor=city.taskforce_admin, region=city.city)
    for region in (city.district_a, city.district_b):
        services.campaign_target_set(actor=city.taskforce_admin, campaign=campaign, region=region)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    make_hazard(premises=city.premises_a, found=last_month + timedelta(days=3))

    page = browser_login("supervisor_a", city.password, phone=True)
    page.goto(f"/campaigns/reports/?month={last_month:%Y-%m}")
    page.fill("#id_month", f"{last_month:%Y-%m}")
    page.click("[data-testid=report-create]")
    page.wait_for_url("**/edit/")
    page.fill("#id_work_summary", "组织全面排查餐饮场所用气安全。")
    page.fill("#id_problems", "软管老化问题较多。")
    page.click("[data-testid=report-save]")
    page.wait_for_selector("[data-testid=report-figures]")
    shots(page, "draft")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=report-submit]")
    page.wait_for_selector("[data-testid=report-status]:has-text('已报送')")
    shots(page, "submitted")

    city_page = browser_login("taskforce_admin", city.password)
    city_page.goto(f"/campaigns/reports/?month={last_month:%Y-%m}")
    assert "南山区" in city_page.locator("[data-testid=submitted]").inner_text()
    assert "宝安区" in city_page.locator("[data-testid=missing]").inner_text()
    assert city_page.locator("[data-testid=merged]").count() == 1
    shots(city_page, "city-status")
    with city_page.expect_download() as info:
        city_page.click("[data-testid=submitted] a")
        city_page.wait_for_selector("[data-testid=report-status]")
        city_page.click("text=Word")
    assert info.value.suggested_filename.endswith(".docx")
