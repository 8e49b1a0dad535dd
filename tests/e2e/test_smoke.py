"""The login page renders in a real browser and a signed-in user reaches the home page."""

import pytest


@pytest.mark.django_db(transaction=True)
def test_login_reaches_home(city, browser_login, shots):
    page = browser_login("inspector_a", city.password, phone=True)
    assert page.locator("[data-testid=whoami]").inner_text() == "inspector_a"
    shots(page, "home-phone")
