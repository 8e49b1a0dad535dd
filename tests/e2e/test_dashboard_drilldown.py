"""The task-force admin opens the dashboard, drills from the city to a district, clicks a number
and lands on the ledger filtered to exactly those hazards."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gasguard.dashboard.tests.factories import make_hazard


@pytest.fixture(autouse=True)
def _fresh_figures(settings):
    settings.GASGUARD_DASHBOARD_CACHE_SECONDS = 0


@pytest.mark.django_db(transaction=True)
def test_drill_down_from_city_to_district_to_the_list(city, browser_login, shots):
    today = timezone.localdate()
    for days in (40, 30, 3):
        make_hazard(
            premises=city.premises_a, found=today - timedelta(days=days), deadline=today - timedelta(days=1)
        )
    make_hazard(premises=city.premises_a, found=today - timedelta(days=20), closed=today - timedelta(days=2))
    make_hazard(premises=city.premises_b, found=today - timedelta(days=5), severity="major")

    page = browser_login("taskforce_admin", city.password)
    page.goto("/dashboard/")
    assert "深圳市" in page.locator("[data-testid=dash-title]").inner_text()
    page.wait_for_selector("#chart-trend canvas")
    shots(page, "city")

    page.click("[data-testid=drill-440305]")
    page.wait_for_url("**/dashboard/?region=440305*")
    assert "南山区" in page.locator("[data-testid=dash-title]").inner_text()
    assert "深圳市" in page.locator("[data-testid=breadcrumb]").inner_text()
    overdue_card = page.locator("[data-testid=cards] a", has_text="3").first
    shots(page, "district")

    open_link = page.locator("[data-testid=child-open-440305001]")
    assert open_link.inner_text() == "3"
    open_link.click()
    page.wait_for_url("**/hazards/?region=440305001*")
    rows = page.locator("[data-testid=hazard-table] tbody tr")
    assert rows.count() == 3
    assert "南山川菜馆" in rows.first.inner_text()
    shots(page, "filtered-list")
    assert overdue_card is not None


@pytest.mark.django_db(transaction=True)
def test_dashboard_on_a_phone(city, browser_login, shots):
    make_hazard(premises=city.premises_b, found=timezone.localdate() - timedelta(days=5))
    page = browser_login("taskforce_admin", city.password, phone=True)
    page.goto("/dashboard/")
    page.wait_for_selector("[data-testid=children]")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
    shots(page, "phone")
