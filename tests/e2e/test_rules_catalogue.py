"""The rule catalogue on a phone: filter to restaurant hose rules, open the hose rule, see its basis."""

import pytest

from gasguard.rules.catalog import get_catalog


@pytest.mark.django_db(transaction=True)
def test_catalogue_filter_and_detail_on_phone(city, browser_login, shots):
    page = browser_login("inspector_a", city.password, phone=True)
    page.goto("/rules/")
    assert get_catalog().version in page.locator("[data-testid=catalog-version]").inner_text()
    shots(page, "rules-list-phone")
    page.select_option("#f-target", "restaurant")
    page.select_option("#f-category", "hose")
    page.click("[data-testid=rules-filter]")
    page.wait_for_url(lambda url: "category=hose" in url)
    items = page.locator("[data-testid=rule-item]")
    assert items.count() >= 3
    # Nothing overflows the 390 px viewport horizontally.
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    shots(page, "rules-filtered-phone")
    page.locator("[data-testid=rule-item]", has_text="连接软管长度超过2米").click()
    page.wait_for_url(lambda url: "/rules/rest_hose_over_2m/" in url)
    assert "GB 55009-2021" in page.locator("[data-testid=rule-basis]").inner_text()
    assert "> 2 m" in page.locator("[data-testid=rule-condition]").inner_text()
    shots(page, "rules-detail-phone")
