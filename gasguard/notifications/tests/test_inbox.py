"""Inbox page and API: a user sees and marks only their own messages."""

import pytest
from django.urls import reverse

from gasguard.notifications.models import Notification
from gasguard.notifications.services import notify


@pytest.fixture
def messages(city):
    notify(recipients=[city.inspector_a], kind="k", subject="给检查员A<script>x</script>")
    notify(recipients=[city.inspector_a], kind="k", subject="第二条")
    notify(recipients=[city.inspector_b], kind="k", subject="给检查员B")
    return Notification.objects.get(subject__startswith="给检查员A"), Notification.objects.get(
        subject="给检查员B"
    )


@pytest.mark.django_db
def test_inbox_lists_own_messages_escaped(city, login, messages):
    r = login(city.inspector_a).get(reverse("notifications:inbox"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "给检查员A&lt;script&gt;" in html and "给检查员B" not in html
    assert 'data-testid="unread-count">2<' in html


@pytest.mark.django_db
def test_mark_read_own_only(city, login, messages):
    mine, theirs = messages
    c = login(city.inspector_a)
    assert c.post(reverse("notifications:mark_read", args=[theirs.pk])).status_code == 404
    c.post(reverse("notifications:mark_read", args=[mine.pk]))
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at and not theirs.read_at
    c.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(recipient=city.inspector_a, read_at__isnull=True).exists()


@pytest.mark.django_db
def test_api_inbox_and_mark_read(city, api, messages, django_assert_max_num_queries):
    mine, theirs = messages
    client = api(city.inspector_a)
    with django_assert_max_num_queries(6):
        r = client.get("/api/notifications/")
    assert r.status_code == 200 and r.json()["count"] == 2
    assert client.post(f"/api/notifications/{theirs.pk}/read/").status_code == 404
    r = client.post(f"/api/notifications/{mine.pk}/read/")
    assert r.json()["is_read"] is True
    assert client.get("/api/notifications/unread/").json() == {"unread": 1}
    r = client.post("/api/notifications/read/", {}, format="json")
    assert r.json() == {"marked": 1, "unread": 0}
    assert client.post("/api/notifications/read/", {"ids": ["x"]}, format="json").status_code == 400
    assert api().get("/api/notifications/").status_code in (401, 403)


@pytest.mark.django_db
def test_channel_page_admin_only_and_creates_channel(city, login, robot, django_capture_on_commit_callbacks):
    from gasguard.notifications.models import Delivery, NotificationChannel

    assert login(city.inspector_a).get(reverse("notifications:channels")).status_code == 403
    c = login(city.taskforce_admin)
    assert c.get(reverse("notifications:channels")).status_code == 200
    r = c.post(
        reverse("notifications:channels"),
        {
            "name": "南山住建群",
            "kind": "wecom",
            "region": "440305",
            "department": str(city.housing_a.pk),
            "address": robot.url,
        },
    )
    assert r.status_code == 302
    ch = NotificationChannel.objects.get()
    r = c.post(
        reverse("notifications:channels"),
        {"name": "坏", "kind": "dingtalk", "region": "440305", "address": "ftp://x"},
    )
    assert r.status_code == 200 and "Webhook" in r.content.decode()
    robot.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[city.inspector_a], kind="k", subject="渠道测试")
    Delivery.objects.update(status="failed")
    robot.status = 200
    d = Delivery.objects.get()
    c.post(reverse("notifications:delivery_retry", args=[d.pk]))
    d.refresh_from_db()
    assert d.status == "sent"
    c.post(reverse("notifications:channel_toggle", args=[ch.pk]))
    ch.refresh_from_db()
    assert not ch.is_active


@pytest.mark.django_db
def test_inbox_page_query_count(city, login, django_assert_max_num_queries):
    for i in range(20):
        notify(recipients=[city.inspector_a], kind="k", subject=f"消息{i}")
    c = login(city.inspector_a)
    with django_assert_max_num_queries(10):
        assert c.get(reverse("notifications:inbox")).status_code == 200
