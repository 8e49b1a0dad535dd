"""Links and forms are shown only to users who can use them."""

import pytest
from django.urls import reverse
from django.utils import timezone

from gasguard.inspections import services
from gasguard.inspections.models import Inspection

pytestmark = pytest.mark.django_db


def test_enterprise_user_sees_no_task_link(city, login):
    tasks = reverse("inspections:task_list")
    c = login(city.enterprise_user_a)
    assert tasks not in c.get(reverse("inspections:inspection_list")).content.decode()
    assert c.get(tasks).status_code == 403
    assert tasks in login(city.inspector_a).get(reverse("inspections:inspection_list")).content.decode()


def test_readonly_leader_gets_no_inspection_or_assignment_form(city, login):
    new = reverse("inspections:inspection_new")
    c = login(city.leader)
    assert c.get(new).status_code == 403
    assert c.get(f"{new}?target_type=premises&target_id={city.premises_a.pk}").status_code == 403
    r = c.post(new, {"target_type": "premises", "target_id": city.premises_a.pk})
    assert r.status_code == 403 and not Inspection.objects.exists()
    assert new not in c.get(reverse("inspections:task_list")).content.decode()
    assert new not in c.get(reverse("inspections:coverage")).content.decode()
    batch = services.batch_create(
        actor=city.taskforce_admin,
        name="南山区第一轮",
        kind="campaign",
        region_code="440305",
        target_type="premises",
        due_date=timezone.localdate(),
    )
    page = c.get(reverse("inspections:batch_detail", args=[batch.pk])).content.decode()
    assert "分派所选任务" not in page
    assert (
        "分派所选任务"
        in login(city.supervisor_a).get(reverse("inspections:batch_detail", args=[batch.pk])).content.decode()
    )
    assert login(city.inspector_a).get(new).status_code == 200
    assert new in login(city.inspector_a).get(reverse("inspections:task_list")).content.decode()
