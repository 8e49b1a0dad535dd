"""A member of the public reports on a phone → the department verifies (查实) → a hazard is
registered and closed → the reporter's status page shows the outcome. Screenshots at each step."""

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile


def _jpeg() -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 60)).save(buf, "JPEG")
    return SimpleUploadedFile("fixed.jpg", buf.getvalue(), content_type="image/jpeg")


@pytest.mark.django_db(transaction=True)
def test_public_report_to_verified_and_closed(city, new_page, browser_login, shots):
    from gasguard.hazards.models import Hazard
    from gasguard.hazards.services import hazard_close_on_spot
    from gasguard.tips.models import Tip

    cache.clear()
    # 1. The public, on a phone, from the district's QR poster link.
    page = new_page(phone=True)
    page.goto(f"/report/?district={city.district_a.code}")
    shots(page, "report-form-phone")
    assert page.locator("#id_district").input_value() == city.district_a.code
    page.select_option("#id_category", "hose")
    page.fill("#id_description", "南山川菜馆后厨液化气软管老化开裂，有燃气味 <b>急</b>")
    page.click("#tip-map", position={"x": 120, "y": 90})
    assert "已选点" in page.locator("[data-testid=point-label]").inner_text()
    page.fill("#id_target_name", "南山川菜馆")
    page.check("#anon-0")
    page.fill("#id_reporter_name", "热心市民")
    page.fill("#id_reporter_phone", "13800138000")
    shots(page, "report-filled")
    page.click("button[type=submit]")
    code_el = page.locator("[data-testid=tracking-code]")
    code = code_el.get_attribute("data-code")
    assert code and len(code) == 12
    shots(page, "tracking-code")
    tip = Tip.objects.get(code=code)
    assert tip.department == city.market_a and not tip.is_anonymous

    # 2. The 市场监管 inspector of the district verifies it (查实) and picks the premises.
    staff = browser_login("market_inspector_a", city.password, phone=True)
    staff.goto("/tips/")
    staff.click(f"a[href='/tips/{tip.pk}/']")
    assert "138****8000" in staff.locator("[data-testid=reporter]").inner_text()
    assert (
        "&lt;b&gt;" not in staff.content()
        or "<b>急</b>" not in staff.locator("[data-testid=tip-description]").inner_html()
    )
    shots(staff, "tip-detail")
    staff.click("[data-testid=start-verify]")
    staff.select_option("#v-outcome", "confirmed")
    assert staff.locator("#v-target-id").input_value() == str(city.premises_a.pk)
    staff.click("[data-testid=verify-submit]")
    assert staff.locator("[data-testid=tip-status]").inner_text() == "已查实"
    shots(staff, "verified")
    tip.refresh_from_db()
    hazard = Hazard.objects.get(pk=tip.hazard_id)
    assert (
        hazard.source == "report"
        and hazard.source_ref == f"tip:{tip.pk}"
        and hazard.premises == city.premises_a
    )

    # 3. The reporter checks progress: 整改中.
    status = new_page(phone=True)
    status.goto("/report/status/")
    status.fill("input[name=code]", code.lower())
    status.click("button[type=submit]")
    assert status.locator("[data-testid=status-stage]").inner_text() == "已查实，隐患整改中"

    # 4. The hazard is rectified and closed (ledger services), and the status page shows it.
    hazard_close_on_spot(
        actor=city.market_inspector_a, hazard_id=hazard.pk, evidence_files=[_jpeg()], note="已更换软管"
    )
    status.goto("/report/status/")
    status.fill("input[name=code]", code)
    status.click("button[type=submit]")
    assert status.locator("[data-testid=status-stage]").inner_text() == "已查实，已整改销号"
    text = status.locator("[data-testid=status-result]").inner_text()
    assert "热心市民" not in text and "13800138000" not in text
    shots(status, "status-closed")


@pytest.mark.django_db(transaction=True)
def test_public_form_errors_on_phone(city, new_page, shots):
    cache.clear()
    page = new_page(phone=True)
    page.goto("/report/")
    page.select_option("#id_category", "gas")
    page.fill("#id_description", "有人卖液化气")
    page.click("button[type=submit]")
    assert "至少一项" in page.locator("[data-testid=location-error]").inner_text()
    shots(page, "no-location-error")
    page.goto("/report/status/")
    page.fill("input[name=code]", "ABCD-EFGH-JKMN")
    page.click("button[type=submit]")
    assert "未找到" in page.locator("[data-testid=status-error]").inner_text()
    shots(page, "unknown-code")
