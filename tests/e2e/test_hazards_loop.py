"""The whole closed loop in a real browser, on a phone-sized screen:

inspector records a failing hose (rest_hose_over_2m) and seals the signed inspection → the hazard
appears on the restaurant enterprise user's ledger → the enterprise user uploads a photo →
the supervisor verifies → 已销号 → the audit chain verifies.
"""

import io

import pytest

from gasguard.audit.services import audit_verify
from gasguard.hazards.models import Hazard


def _draw(page, selector):
    box = page.locator(selector).bounding_box()
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 8):
        page.mouse.move(x + step * 25, y + (10 if step % 2 else -10), steps=3)
    page.mouse.up()


def _photo(tmp_path):
    from PIL import Image

    path = tmp_path / "after.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 160, 90)).save(buf, format="JPEG")
    path.write_bytes(buf.getvalue())
    return str(path)


def _record_inspection_in_browser(city, browser_login, shots):
    page = browser_login("inspector_a", city.password, phone=True)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/inspections/new/")
    page.select_option("#tt", "premises")
    page.fill("#ti", str(city.premises_a.pk))
    page.click("main button[type=submit]")
    page.wait_for_selector("#rule-rest_hose_over_2m")
    page.fill("#v_rest_hose_over_2m", "3.5")
    page.click("[data-testid=fill-compliant]")
    # Measurements not taken at this restaurant are marked 不适用 (the form requires an answer).
    page.evaluate(
        """() => document.querySelectorAll('[data-rule]').forEach(card => {
            const rule = card.dataset.rule;
            const input = card.querySelector('[name="v_' + rule + '"]');
            const answered = input && (input.type === 'radio'
                ? card.querySelector('[name="v_' + rule + '"]:checked') : input.value);
            if (!answered && rule !== 'rest_hose_over_2m') {
                const na = card.querySelector('[name="na_' + rule + '"]');
                if (na) { na.checked = true; }
            }
        })"""
    )
    shots(page, "inspector-checklist")
    page.click("[data-testid=save-and-sign]")
    page.wait_for_selector("[data-testid=inspector-pad]")
    _draw(page, "[data-testid=inspector-pad]")
    page.click("[data-testid=inspector-sign]")
    page.wait_for_selector("[data-testid=representative-pad]")
    page.fill("#rep-name", "马老板")
    _draw(page, "[data-testid=representative-pad]")
    page.click("[data-testid=representative-sign]")
    page.wait_for_load_state("networkidle")
    shots(page, "inspector-signed")
    page.click("[data-testid=seal]")
    page.wait_for_load_state("networkidle")
    shots(page, "inspector-sealed")


@pytest.mark.django_db(transaction=True)
def test_hazard_closed_loop_on_a_phone(city, browser_login, shots, tmp_path):
    _record_inspection_in_browser(city, browser_login, shots)
    hazard = Hazard.objects.filter(premises=city.premises_a, rule_id="rest_hose_over_2m").first()
    assert hazard is not None, "sealing the inspection should have put the hose hazard on the ledger"
    assert hazard.status == "pending"

    # The restaurant's enterprise user sees the hazard and uploads a photo of the new hose.
    page = browser_login("enterprise_a", city.password, phone=True)
    page.goto("/hazards/")
    page.wait_for_selector("[data-testid=hazard-cards]")
    assert hazard.code in page.locator("[data-testid=hazard-cards]").inner_text()
    shots(page, "enterprise-ledger")
    page.locator("[data-testid=hazard-cards] a").first.click()
    page.wait_for_selector("[data-testid=submit-rectification]")
    page.fill("#submit-measures", "已更换为1.2米的金属波纹软管")
    page.set_input_files("#submit-evidence", _photo(tmp_path))
    shots(page, "enterprise-upload")
    page.click("[data-testid=submit-rectification]")
    page.wait_for_selector("text=整改已提交，等待验收")
    shots(page, "enterprise-submitted")
    hazard.refresh_from_db()
    assert hazard.status == "awaiting_verification" and hazard.evidence_count == 1

    # The supervisor verifies: 已销号.
    page = browser_login("supervisor_a", city.password, phone=True)
    page.goto(f"/hazards/{hazard.pk}/")
    page.wait_for_selector("[data-testid=verify-pass]")
    page.fill("#verify-reason", "现场复核，软管已更换")
    page.click("[data-testid=verify-pass]")
    page.wait_for_selector("text=验收通过，已销号")
    assert "已销号" in page.locator("[data-testid=status]").inner_text()
    shots(page, "supervisor-closed")
    hazard.refresh_from_db()
    assert hazard.status == "closed" and hazard.verified_by == city.supervisor_a
    assert hazard.rectified_by == city.enterprise_user_a

    # The chain verifies, in the product's own audit page too.
    assert audit_verify().ok
    page = browser_login("taskforce_admin", city.password, phone=True)
    page.goto("/audit/")
    page.click("[data-testid=verify-chain]")
    page.wait_for_selector("text=校验通过")
    shots(page, "audit-verified")
