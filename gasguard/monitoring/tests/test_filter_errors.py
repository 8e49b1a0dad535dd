"""Unknown filter values on the alarm and dead-letter lists are an error naming the field: a 400 on the
API, the filter's error (and no rows, never the unfiltered list) on the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gasguard.core.tests.filter_asserts import assert_api_refuses, assert_page_refuses
from gasguard.monitoring.models import Alarm, AlarmRule, DeadLetter

pytestmark = pytest.mark.django_db


@pytest.fixture
def alarms(city, dev):
    """An urgent alarm seen an hour ago and a minor one seen three days ago, both of device A."""
    now = timezone.now()
    rules = list(AlarmRule.objects.order_by("id")[:2])
    made = []
    for rule, level, ago, message in (
        (rules[0], 1, timedelta(hours=1), "甲烷浓度超限一级"),
        (rules[1], 3, timedelta(days=3), "电量低"),
    ):
        made.append(
            Alarm.objects.create(
                device=dev,
                rule=rule,
                enterprise=city.enterprise_a,
                level=level,
                message=message,
                raised_at=now - ago,
                last_seen_at=now - ago,
                region_code=dev.region_code,
            )
        )
    return made


@pytest.fixture
def dead_letters(city):
    now = timezone.now()
    return [
        DeadLetter.objects.create(
            received_at=now, reason=reason, message=message, region_code="440305001", device_code="SIM-A-0001"
        )
        for reason, message in (("malformed", "JSON 解析失败"), ("unknown_device", "设备未登记"))
    ]


# --- alarms ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "values"),
    [
        ({"level": "bogus"}, "level", ["bogus", "1", "4"]),
        ({"level": "9"}, "level", ["9"]),
        ({"since": "yesterday"}, "since", ["yesterday"]),
        ({"since": "2025-13-01"}, "since", ["2025-13-01"]),
        ({"status": "bogus"}, "status", ["bogus", "open", "raised"]),
        ({"device": "abc"}, "device", []),
    ],
)
def test_alarm_api_refuses_bad_filter_naming_field(city, alarms, api, params, field, values):
    response = api(city.monitor_operator).get("/api/monitoring/alarms/", params)
    assert_api_refuses(response, field, *values)


def test_alarm_api_filters_still_work(city, alarms, api):
    client = api(city.monitor_operator)
    url = "/api/monitoring/alarms/"

    def ids(**params):
        return [a["id"] for a in client.get(url, params).json()["results"]]

    assert ids() == [alarms[0].pk, alarms[1].pk]
    assert ids(level="1") == [alarms[0].pk]
    assert ids(level="2") == []
    day_ago = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert ids(since=day_ago) == [alarms[0].pk]
    assert ids(since=(timezone.localdate() - timedelta(days=5)).isoformat()) == [alarms[0].pk, alarms[1].pk]
    assert ids(status="open", level="3") == [alarms[1].pk]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"level": "bogus"}, "level", "等级的值“bogus”无效"),
        (
            {"since": "yesterday"},
            "since",
            "起始时间应为时间（如 2025-03-01T08:00）或日期（如 2025-03-01），“yesterday”无效",
        ),
        ({"status": "bogus"}, "status", "状态的值“bogus”无效"),
        ({"device": "abc"}, "device", "device 须为有效的数字 ID"),
    ],
)
def test_alarm_page_shows_filter_error_and_no_rows(city, alarms, login, params, field, message):
    response = login(city.monitor_operator).get("/monitoring/alarms/", params)
    assert_page_refuses(
        response,
        response.context["filter_errors"],
        field,
        shown=[message],
        absent=["甲烷浓度超限一级", "电量低"],
    )


def test_alarm_page_valid_filters_list(city, alarms, login):
    client = login(city.monitor_operator)
    response = client.get("/monitoring/alarms/", {"level": "3"})
    assert [a.pk for a in response.context["page_obj"].object_list] == [alarms[1].pk]
    html = response.content.decode()
    assert 'data-testid="filter-error"' not in html and '<option value="3" selected>' in html
    day_ago = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.get("/monitoring/alarms/", {"since": day_ago})
    assert [a.pk for a in response.context["page_obj"].object_list] == [alarms[0].pk]


# --- dead letters --------------------------------------------------------------------------------------


def test_dead_letter_api_refuses_unknown_reason_naming_field_and_values(city, dead_letters, api):
    response = api(city.monitor_operator).get("/api/monitoring/dead-letters/", {"reason": "bogus"})
    assert_api_refuses(response, "reason", "bogus", "malformed", "unknown_device")


def test_dead_letter_api_reason_still_filters(city, dead_letters, api):
    client = api(city.monitor_operator)
    url = "/api/monitoring/dead-letters/"
    assert [d["id"] for d in client.get(url, {"reason": "malformed"}).json()["results"]] == [
        dead_letters[0].pk
    ]
    assert client.get(url).json()["count"] == 2


def test_dead_letter_page_shows_reason_error_and_no_rows(city, dead_letters, login):
    response = login(city.monitor_operator).get("/monitoring/dead-letters/", {"reason": "bogus"})
    assert_page_refuses(
        response,
        response.context["filter_errors"],
        "reason",
        shown=["原因的值“bogus”无效"],
        absent=["JSON 解析失败", "设备未登记"],
    )


def test_dead_letter_page_valid_reason_filters(city, dead_letters, login):
    response = login(city.monitor_operator).get("/monitoring/dead-letters/", {"reason": "unknown_device"})
    assert [d.pk for d in response.context["page_obj"].object_list] == [dead_letters[1].pk]
    html = response.content.decode()
    assert 'data-testid="filter-error"' not in html and '<option value="unknown_device" selected>' in html


def test_alarm_api_names_every_bad_field_at_once(city, alarms, api):
    response = api(city.monitor_operator).get(
        "/api/monitoring/alarms/", {"device": "abc", "level": "x", "since": "zzz"}
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"device", "level", "since"}
