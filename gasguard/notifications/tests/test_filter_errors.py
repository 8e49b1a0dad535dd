"""The inbox `unread` filter takes true/false/1/0 (the shared parse_bool, which also reads yes/no/on/off
like every boolean filter): any other value is an error naming the field — a 400
on the API, the error (and no messages, never the whole inbox) on the page."""

import pytest
from django.urls import reverse

from gasguard.core.tests.filter_asserts import assert_api_refuses, assert_page_refuses
from gasguard.notifications.models import Notification
from gasguard.notifications.services import notification_mark_read, notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(city):
    """Inspector A has one read and one unread message."""
    notify(recipients=[city.inspector_a], kind="k", subject="已读的通知")
    notify(recipients=[city.inspector_a], kind="k", subject="未读的通知")
    read = Notification.objects.get(subject="已读的通知")
    notification_mark_read(user=city.inspector_a, notification_ids=[read.pk])
    return read, Notification.objects.get(subject="未读的通知")


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("true", 1), ("0", 2), ("false", 2), ("", 2)])
def test_api_unread_accepts_true_false_1_0(city, api, inbox, value, expected):
    response = api(city.inspector_a).get("/api/notifications/", {"unread": value})
    assert response.status_code == 200 and response.json()["count"] == expected


@pytest.mark.parametrize("value", ["maybe", "2", "unread"])
def test_api_unread_refuses_other_values_naming_the_field(city, api, inbox, value):
    response = api(city.inspector_a).get("/api/notifications/", {"unread": value})
    assert_api_refuses(response, "unread", value, "true/false")


@pytest.mark.parametrize(
    ("value", "subjects"), [("true", ["未读的通知"]), ("0", ["未读的通知", "已读的通知"])]
)
def test_page_unread_accepts_true_false_1_0(city, login, inbox, value, subjects):
    response = login(city.inspector_a).get(reverse("notifications:inbox"), {"unread": value})
    assert [n.subject for n in response.context["page_obj"].object_list] == subjects
    assert 'data-testid="filter-error"' not in response.content.decode()


def test_page_unread_bad_value_shows_error_and_no_messages(city, login, inbox):
    response = login(city.inspector_a).get(reverse("notifications:inbox"), {"unread": "maybe"})
    html = assert_page_refuses(
        response,
        response.context["filter_errors"],
        "unread",
        shown=["未读应为 true/false（或 1/0），“maybe”无效"],
        absent=["已读的通知", "未读的通知"],
    )
    assert 'data-testid="unread-count">1<' in html
