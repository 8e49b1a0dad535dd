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


# --- coverage page and export ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"batch": "abc"}, "batch"),
        ({"batch": "99999999999999999999999"}, "batch"),
        ({"level": "planet"}, "level"),
        ({"date_from": "2025-13-01"}, "date_from"),
        ({"date_to": "soon"}, "date_to"),
        ({"list": "bogus"}, "list"),
    ],
)
def test_coverage_page_bad_filter_shows_field_error_and_no_rows(city, login, params, field):
    response = login(city.taskforce_admin).get(reverse("inspections:coverage"), params)
    html = assert_page_refuses(
        response, response.context["filter_errors"], field, absent=["宝安粤菜馆", "南山川菜馆"]
    )
    assert list(response.context["filter_errors"]) == [field]
    assert response.context["coverage"] is None
    assert 'data-testid="premises-total"' not in html
    assert 'data-testid="coverage-export"' not in html


def test_coverage_page_unknown_list_names_the_allowed_lists(city, login):
    response = login(city.taskforce_admin).get(reverse("inspections:coverage"), {"list": "bogus"})
    assert "清单的值“bogus”无效，可选值：premises（场所）、enterprises（企业）" in response.content.decode()


def test_coverage_page_batch_error_is_in_chinese_next_to_the_batch(city, login):
    html = login(city.taskforce_admin).get(reverse("inspections:coverage"), {"batch": "abc"}).content.decode()
    batch_cell = html.split('id="id_batch"', 1)[1].split("</div>", 1)[0]
    assert 'data-testid="filter-error"' in batch_cell and "整数" in batch_cell


def test_coverage_page_valid_filters_still_list(city, login):
    client = login(city.taskforce_admin)
    response = client.get(reverse("inspections:coverage"), {"level": "district", "list": "premises"})
    assert response.context["coverage"].premises_total.registered == 2
    assert {p.name for p in response.context["page_obj"].object_list} == {"南山川菜馆", "宝安粤菜馆"}
    assert 'data-testid="filter-error"' not in response.content.decode()
    enterprises = client.get(reverse("inspections:coverage"), {"list": "enterprises"})
    assert {e.name for e in enterprises.context["page_obj"].object_list} == {
        "南山燃气有限公司",
        "宝安燃气有限公司",
    }


@pytest.mark.parametrize("params", [{"batch": "abc"}, {"list": "bogus"}, {"level": "planet"}])
def test_coverage_export_with_bad_filter_goes_back_to_the_page(city, login, params):
    response = login(city.taskforce_admin).get(reverse("inspections:coverage_export"), params)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("inspections:coverage") + "?")
    followed = login(city.taskforce_admin).get(response["Location"])
    assert 'data-testid="filter-error"' in followed.content.decode()


def test_coverage_export_valid_filter_still_exports(city, login):
    response = login(city.taskforce_admin).get(
        reverse("inspections:coverage_export"), {"list": "enterprises"}
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
