"""Unknown filter values are an error naming the field: a 400 on the API, the filter's error (and no
rows, never the unfiltered list) on the pages."""

import pytest
from django.urls import reverse

from gasguard.core.tests.filter_asserts import assert_api_refuses, assert_page_refuses
from gasguard.tips.services import reward_propose, tip_verify
from gasguard.tips.tests.factories import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def reward(city):
    """A proposed reward for a confirmed report of district A."""
    tip = submit(city, is_anonymous=False, reporter_name="举报人", reporter_phone="13912345678")
    tip_verify(
        actor=city.market_inspector_a,
        tip_id=tip.pk,
        outcome="confirmed",
        target_type="premises",
        target_id=city.premises_a.pk,
    )
    return reward_propose(actor=city.taskforce_admin, tip_id=tip.pk)


def test_reward_api_refuses_unknown_status_naming_field_and_values(city, reward, api):
    response = api(city.taskforce_admin).get(reverse("tips_api:reward_list"), {"status": "bogus"})
    assert_api_refuses(response, "status", "bogus", "proposed", "approved", "paid", "rejected")


def test_reward_api_status_still_filters(city, reward, api):
    client = api(city.taskforce_admin)
    url = reverse("tips_api:reward_list")
    assert [r["id"] for r in client.get(url, {"status": "proposed"}).json()["results"]] == [reward.pk]
    assert client.get(url, {"status": "paid"}).json()["count"] == 0
    assert client.get(url).json()["count"] == 1


def test_reward_page_shows_status_error_and_no_rows(city, reward, login):
    response = login(city.taskforce_admin).get(reverse("tips:reward_list"), {"status": "bogus"})
    assert_page_refuses(
        response,
        response.context["filter_errors"],
        "status",
        shown=["状态的值“bogus”无效"],
        absent=[reverse("tips:tip_detail", args=[reward.tip_id])],
    )


def test_reward_page_valid_status_filters(city, reward, login):
    client = login(city.taskforce_admin)
    response = client.get(reverse("tips:reward_list"), {"status": "proposed"})
    assert [r.pk for r in response.context["page_obj"].object_list] == [reward.pk]
    assert 'data-testid="filter-error"' not in response.content.decode()
    assert not client.get(reverse("tips:reward_list"), {"status": "paid"}).context["page_obj"].object_list


@pytest.mark.parametrize("field", ["status", "category", "channel"])
def test_tip_api_refuses_unknown_choice_naming_field(city, api, field):
    submit(city)
    assert_api_refuses(api(city.taskforce_admin).get(reverse("tips_api:tip_list"), {field: "bogus"}), field)


def test_tip_api_choices_still_filter(city, api):
    tip = submit(city, category="hose")
    client = api(city.taskforce_admin)
    url = reverse("tips_api:tip_list")
    assert [t["id"] for t in client.get(url, {"category": "hose", "channel": "web"}).json()["results"]] == [
        tip.pk
    ]
    assert client.get(url, {"category": "valve"}).json()["count"] == 0


def test_tip_page_bad_filter_shows_field_error_and_no_rows(city, login):
    tip = submit(city)
    response = login(city.taskforce_admin).get(reverse("tips:tip_list"), {"category": "bogus"})
    assert_page_refuses(
        response,
        response.context["form"].errors,
        "category",
        shown=['data-testid="filter-error"', "筛选条件有误"],
        absent=[reverse("tips:tip_detail", args=[tip.pk])],
    )


def test_tip_page_valid_filter_still_filters(city, login):
    tip = submit(city, category="hose")
    client = login(city.taskforce_admin)
    response = client.get(reverse("tips:tip_list"), {"category": "hose"})
    assert [t.pk for t in response.context["page_obj"].object_list] == [tip.pk]
    assert not client.get(reverse("tips:tip_list"), {"category": "valve"}).context["page_obj"].object_list
