"""The filling-station gate page in a real browser: a USB scanner types the code and presses
Enter; DENY with every reason shows in large red, the input is cleared and refocused; an allowed
cylinder shows ALLOW and the fill form records the fill."""

import pytest
from playwright.sync_api import expect

from gasguard.cylinders.models import Fill
from gasguard.cylinders.tests.factories import cylinder, filling_unit


@pytest.mark.django_db(transaction=True)
def test_gate_page_with_keyboard_scanner(city, new_page, shots, live_server):
    from django.core.cache import cache

    cache.clear()
    unit = filling_unit(city.street_a, name="南山液化气充装站有限公司", username="gate_user")
    other = filling_unit(city.street_b, name="宝安液化气充装有限公司", username="gate_other")
    bad = cylinder(other.enterprise, refurbished=True)
    good = cylinder(unit.enterprise)

    page = new_page(phone=True)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "gate_user")
    page.fill("input[name=password]", city.password)
    page.click("button[type=submit]")
    page.goto("/cylinders/gate/")
    box = page.locator("#gate-code")
    expect(box).to_be_focused()
    shots(page, "gate-ready")

    # A scanner is a keyboard: it types the code (here as the printed URL) and presses Enter.
    page.keyboard.type(f"https://gas.example.gov.cn/c/{bad.code}")
    page.keyboard.press("Enter")
    result = page.locator("[data-testid=gate-result]")
    result.wait_for(state="visible")
    page.locator("[data-testid=gate-result][data-decision=deny]").wait_for()
    reasons = page.locator("#gate-reasons li")
    codes = {reasons.nth(i).get_attribute("data-reason") for i in range(reasons.count())}
    assert codes == {"not_own_cylinder", "refurbished"}
    assert "禁止充装" in page.locator("#gate-decision").inner_text()
    assert "宝安液化气充装有限公司" in page.locator("#gate-reasons").inner_text()
    expect(box).to_have_value("")
    expect(box).to_be_focused()
    shots(page, "gate-deny")

    page.keyboard.type(good.code)
    page.keyboard.press("Enter")
    page.locator("[data-testid=gate-result][data-decision=allow]").wait_for()
    assert "允许充装" in page.locator("#gate-decision").inner_text()
    page.fill("#fill-mass", "14.8")
    page.click("#fill-form button[type=submit]")
    expect(page.locator("#fill-message")).to_contain_text("超过")  # 14.8 kg > YSP35.5 permitted 14.5 kg
    shots(page, "gate-overfill")
    page.fill("#fill-mass", "14.3")
    page.click("#fill-form button[type=submit]")
    expect(page.locator("#fill-message")).to_have_text("充装记录已保存")
    assert Fill.objects.filter(cylinder=good).count() == 1
    shots(page, "gate-filled")
