"""Unknown filter values on the task and inspection lists: the filter's error naming the field and
no rows (never every task), and a 400 naming the field on the API."""

import pytest
from django.urls import reverse
from django.utils import timezone

from gasguard.core.tests.filter_asserts import assert_api_refuses, assert_page_refuses
from gasguard.inspections import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(city):
    """One pending task at 南山川菜馆, assigned to inspector A, due today."""
    batch = services.batch_create(
        actor=city.taskforce_admin,
        name="南山集中攻坚",
        kind="campaign",
        region_code="440305",
        target_type="premises",
        due_date=timezone.localdate(),
        assignee_ids=[city.inspector_a.pk],
    )
    return batch.tasks.get()


def test_task_page_shows_state_error_and_no_tasks(city, task, login):
    response = login(city.inspector_a).get(reverse("inspections:task_list"), {"state": "bogus"})
    assert_page_refuses(
        response,
        response.context["filter_errors"],
        "state",
        shown=["任务状态的值“bogus”无效"],
        absent=["南山川菜馆"],
    )


def test_task_page_valid_state_still_filters(city, task, login):
    client = login(city.inspector_a)
    for params, expected in (({}, [task.pk]), ({"state": "open"}, [task.pk]), ({"state": ""}, [task.pk])):
        response = client.get(reverse("inspections:task_list"), params)
        assert [t.pk for t in response.context["page_obj"].object_list] == expected, params
        assert 'data-testid="filter-error"' not in response.content.decode()
    assert not client.get(reverse("inspections:task_list"), {"state": "done"}).context["page_obj"].object_list


def test_batch_page_shows_state_error_and_no_tasks(city, task, login):
    url = reverse("inspections:batch_detail", args=[task.batch_id])
    client = login(city.taskforce_admin)
    response = client.get(url, {"state": "bogus"})
    assert_page_refuses(
        response, response.context["filter_errors"], "state", shown=["任务状态的值“bogus”无效"]
    )
    assert [t.pk for t in client.get(url, {"state": "pending"}).context["page_obj"].object_list] == [task.pk]


def test_task_api_refuses_unknown_state_naming_field(city, task, api):
    assert_api_refuses(api(city.inspector_a).get("/api/inspections/tasks/", {"state": "bogus"}), "state")


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "bogus"}, "status"), ({"batch": "abc"}, "batch"), ({"has_hazard": "maybe"}, "has_hazard")],
)
def test_inspection_page_bad_filter_shows_field_error_and_no_rows(city, task, login, params, field):
    inspection = services.inspection_start(actor=city.inspector_a, task_id=task.pk)
    response = login(city.supervisor_a).get(reverse("inspections:inspection_list"), params)
    assert_page_refuses(
        response,
        response.context["filter"].form.errors,
        field,
        shown=["筛选条件有误"],
        absent=[reverse("inspections:inspection_detail", args=[inspection.pk])],
    )


def test_inspection_page_valid_filter_still_filters(city, task, login):
    inspection = services.inspection_start(actor=city.inspector_a, task_id=task.pk)
    client = login(city.supervisor_a)
    response = client.get(reverse("inspections:inspection_list"), {"status": "draft"})
    assert [i.pk for i in response.context["page_obj"].object_list] == [inspection.pk]
    assert "筛选条件有误" not in response.content.decode()
    assert (
        not client.get(reverse("inspections:inspection_list"), {"status": "sealed"})
        .context["page_obj"]
        .object_list
    )
