"""An inspector of 南山 filters premises, opens one, and cannot see 宝安's premises at all."""

import pytest

from gasguard.registry.tests.factories import PremisesFactory


@pytest.mark.django_db(transaction=True)
def test_inspector_filters_opens_premises_and_cannot_see_other_district(city, browser_login, shots):
    PremisesFactory(region=city.grid_a, name="南山湘菜馆", kind="restaurant")
    PremisesFactory(region=city.grid_a, name="南山实验学校", kind="school", gas_lpg=False, gas_pipeline=True)
    page = browser_login("inspector_a", city.password, phone=True)
    page.goto("/registry/premises/")
    table = page.locator("[data-testid=list-table]")
    assert "南山川菜馆" in table.inner_text()
    assert "宝安粤菜馆" not in table.inner_text()
    shots(page, "premises-list")

    page.fill("[data-testid=filters] input[name=q]", "菜馆")
    page.select_option("[data-testid=filters] select[name=kind]", "restaurant")
    page.click("[data-testid=filters] button[type=submit]")
    page.wait_for_url("**/registry/premises/?*")
    text = table.inner_text()
    assert "南山湘菜馆" in text and "南山实验学校" not in text and "宝安粤菜馆" not in text
    shots(page, "premises-filtered")

    page.click("text=南山湘菜馆")
    page.wait_for_url("**/registry/premises/*/")
    assert "南山湘菜馆" in page.content()
    shots(page, "premises-detail")

    # Another district's premises by id: not found, and nothing of it is shown.
    response = page.goto(f"/registry/premises/{city.premises_b.pk}/")
    assert response.status == 404
    assert "宝安粤菜馆" not in page.content()
    shots(page, "other-district-404")

    # Searching for it by name finds nothing either.
    page.goto("/registry/premises/?q=宝安粤菜馆")
    assert "宝安粤菜馆" not in page.locator("[data-testid=list-table]").inner_text()
