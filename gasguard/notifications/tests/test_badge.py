import pytest

from gasguard.notifications.services import notify


@pytest.mark.django_db
def test_unread_badge_shows_count_only_for_own_messages(client, city):
    notify(recipients=[city.inspector_a], kind="test", subject="有新的隐患")
    client.force_login(city.inspector_b)
    assert client.get("/notifications/unread-badge/").content == b""
    client.force_login(city.inspector_a)
    assert b">1<" in client.get("/notifications/unread-badge/").content


def test_unread_badge_needs_login(client):
    assert client.get("/notifications/unread-badge/").status_code == 302
