"""An inspector on a phone-size screen opens today's task, answers the restaurant checklist with a
hose of 2.5 m, both sides sign on the canvas, the record is sealed → the hazard is on the ledger."""

import pytest
from django.utils import timezone

from gasguard.rules.catalog import get_catalog


def _hose_rule():
    for rule in get_catalog().for_target("restaurant"):
        if rule.category == "hose" and rule.answer.type == "number" and rule.answer.unit == "m":
            return rule
    return None


def _draw(page, selector):
    box = page.locator(selector).bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + 20, y + box["height"] * 0.6)
    page.mouse.down()
    for i, dy in enumerate((-30, 20, -25, 15, -10, 25)):
        page.mouse.move(x + 40 + i * 35, y + box["height"] / 2 + dy, steps=4)
    page.mouse.up()


def _safe_number(card) -> str:
    op, threshold = card.get_attribute("data-operator"), float(card.get_attribute("data-threshold"))
    return f"{threshold * 0.5:g}" if op in (">", ">=") else f"{threshold * 2 + 1:g}"


@pytest.mark.django_db(transaction=True)
def test_inspector_records_failing_hose_on_phone(city, browser_login, shots):
    from gasguard.hazards.models import Hazard
    from gasguard.inspections import services
    from gasguard.inspections.models import Inspection

    hose = _hose_rule()
    if hose is None:
        pytest.skip("the catalogue has no restaurant hose-length rule")
    services.batch_create(
        actor=city.taskforce_admin,
        name="南山区第一轮集中攻坚",
        kind="campaign",
        region_code="440305",
        target_type="premises",
        target_kinds=["restaurant"],
        due_date=timezone.localdate(),
        assignee_ids=[city.inspector_a.pk],
    )
    page = browser_login("inspector_a", city.password, phone=True)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 22.5331, "longitude": 113.9302, "accuracy": 9})
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto("/inspections/tasks/")
    assert "南山川菜馆" in page.locator("[data-testid=task-list]").inner_text()
    shots(page, "my-tasks")
    page.click("[data-testid=start-task]")
    page.wait_for_url("**/record/")
    page.wait_for_function("document.querySelector('input[name=lat]').value !== ''")
    shots(page, "checklist-empty")

    page.click("[data-testid=fill-compliant]")
    for card in page.locator("[data-rule][data-type=number]").all():
        rule_id = card.get_attribute("data-rule")
        value = "2.5" if rule_id == hose.id else _safe_number(card)
        card.locator(f"input[name='v_{rule_id}']").fill(value)
    for card in page.locator("[data-rule][data-type=photo], [data-rule][data-type=text]").all():
        card.locator("input[name^='na_']").check()
    page.fill(f"input[name='note_{hose.id}']", "软管实测约2.5米，超过2米")
    hose_card = page.locator(f"#rule-{hose.id}")
    hose_card.scroll_into_view_if_needed()
    assert hose_card.locator("[data-verdict]").inner_text() == "隐患"
    shots(page, "checklist-hose-2.5m")
    page.click("[data-testid=save-and-sign]")
    page.wait_for_url("**/sign/")
    assert page.locator("[data-testid=missing-items]").count() == 0
    shots(page, "sign-page")

    _draw(page, "[data-testid=inspector-pad]")
    page.click("[data-testid=inspector-sign]")
    page.wait_for_selector("text=已签字")
    page.fill("#rep-name", "王老板")
    _draw(page, "[data-testid=representative-pad]")
    shots(page, "representative-signing")
    page.click("[data-testid=representative-sign]")
    page.wait_for_selector("text=王老板 已签字")
    page.click("[data-testid=seal]")
    page.wait_for_selector("[data-testid=inspection-result]")
    assert "发现隐患 1 项" in page.locator("[data-testid=inspection-result]").inner_text()
    assert page.locator("[data-testid=inspection-status]").inner_text() == "已签章封存"
    shots(page, "sealed-record")

    inspection = Inspection.objects.get(premises=city.premises_a)
    assert inspection.status == "sealed" and inspection.lat == pytest.approx(22.5331, abs=1e-3)
    hazard = Hazard.objects.get(source_ref=f"inspection:{inspection.pk}")
    assert hazard.rule_id == hose.id and hazard.premises == city.premises_a and hazard.status == "pending"
    assert "2.5m" in hazard.description

    page.click("[data-testid=notice-link]")
    page.click("[data-testid=issue-notice]")
    page.wait_for_selector("[data-testid=notice-pdf]")
    assert hazard.title in page.content()
    shots(page, "rectification-notice")
    # No horizontal scrolling on a 390 px phone screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(f"/inspections/timeline/premises/{city.premises_a.pk}/")
    timeline = page.locator("[data-testid=timeline]").inner_text()
    assert inspection.number in timeline and "王老板" in timeline and hazard.code in timeline
    shots(page, "accountability-timeline")
