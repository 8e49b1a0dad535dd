"""The task force creates a 集中攻坚 batch on a desktop screen, assigns it, and reads coverage."""

import pytest
from django.utils import timezone


@pytest.mark.django_db(transaction=True)
def test_taskforce_creates_batch_and_reads_coverage(city, browser_login, shots):
    from gasguard.inspections.models import InspectionTask

    page = browser_login("taskforce_admin", city.password)
    page.goto("/inspections/batches/new/")
    page.fill("#id_name", "南山区第一轮集中攻坚")
    page.select_option("#id_kind", "campaign")
    page.select_option("#id_region", "440305")
    page.select_option("#id_target_type", "premises")
    page.select_option("#id_target_kinds", ["premises:restaurant"])
    page.fill("#id_due_date", (timezone.localdate() + timezone.timedelta(days=20)).isoformat())
    shots(page, "batch-form")
    page.click("[data-testid=create-batch]")
    page.wait_for_selector("[data-testid=batch-progress]")
    assert page.locator("[data-testid=batch-progress]").inner_text() == "0 / 1"
    page.check("input[name=tasks]")
    page.select_option("#id_assignees", [str(city.inspector_a.pk)])
    page.click("text=分派所选任务")
    page.wait_for_selector("text=已分派 1 项任务")
    shots(page, "batch-assigned")
    assert list(InspectionTask.objects.get().assignees.all()) == [city.inspector_a]

    page.goto("/inspections/coverage/?level=district")
    assert page.locator("[data-testid=premises-total]").inner_text().replace(" ", "") == "0/2"
    assert "南山川菜馆" in page.locator("[data-testid=never-inspected]").inner_text()
    shots(page, "coverage")
