"""The menu shows each persona only pages that open for it (no 403/404 behind a menu item)."""

import pytest

from gasguard.core.navigation import navigation_for

pytestmark = pytest.mark.django_db

PERSONAS = (
    "taskforce_admin",
    "leader",
    "inspector_a",
    "market_inspector_a",
    "supervisor_a",
    "monitor_operator",
    "enterprise_user_a",
)


def _menu(user) -> list[str]:
    return [link["url"] for section in navigation_for(user) for link in section["links"]]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_menu_item_opens(city, login, persona):
    user = getattr(city, persona)
    client = login(user)
    bad = []
    for url in _menu(user):
        status = client.get(url).status_code
        if status >= 400:
            bad.append(f"{status} {url}")
    assert not bad, bad


def test_role_and_permission_gated_items(city):
    def has(persona, url):
        return url in _menu(getattr(city, persona))

    # 审计链: the task force and the leader (audit.selectors.can_view_audit), nobody else.
    assert has("taskforce_admin", "/audit/") and not has("inspector_a", "/audit/")
    assert not has("enterprise_user_a", "/audit/") and not has("monitor_operator", "/audit/")
    # 违规充装: 市场监管 / task force / the enterprise itself (cylinders.permissions).
    assert has("market_inspector_a", "/cylinders/violations/")
    assert has("enterprise_user_a", "/cylinders/violations/")
    assert not has("inspector_a", "/cylinders/violations/")
    assert not has("monitor_operator", "/cylinders/violations/")
    # 群众举报 / 督办通报: government only.
    for url in ("/tips/", "/campaigns/supervision/"):
        assert has("inspector_a", url) and not has("enterprise_user_a", url)
