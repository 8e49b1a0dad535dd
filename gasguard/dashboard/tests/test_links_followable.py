"""Every link on the dashboard opens for the user who sees it (no 403/404 behind a number)."""

import re
from urllib.parse import urljoin

import pytest
from django.urls import reverse

from gasguard.hazards.tests.factories import make_hazard

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"#][^"]*)"')


def _links(html: str, base: str) -> set[str]:
    out = set()
    for href in HREF.findall(html):
        href = href.replace("&amp;", "&")
        url = urljoin("http://testserver" + base, href).removeprefix("http://testserver")
        if url.startswith("/") and not url.startswith(("/static/", "/accounts/logout", "/api/docs")):
            out.add(url)
    return out


@pytest.mark.parametrize("persona", ["enterprise_user_a", "inspector_a", "leader"])
def test_every_dashboard_link_opens(city, login, persona):
    make_hazard(city.inspector_a, city.premises_a)
    client = login(getattr(city, persona))
    base = reverse("dashboard:index")
    response = client.get(base)
    assert response.status_code == 200
    bad = []
    for url in sorted(_links(response.content.decode(), base)):
        status = client.get(url).status_code
        if status >= 400:
            bad.append(f"{status} {url}")
    assert not bad, bad


def test_enterprise_dashboard_has_no_government_links(city, login):
    html = login(city.enterprise_user_a).get(reverse("dashboard:index")).content.decode()
    for path in ("/inspections/coverage/", "/tips/", "/campaigns/supervision/", 'href="?region='):
        assert path not in html, path
    html = login(city.inspector_a).get(reverse("dashboard:index")).content.decode()
    assert "/inspections/coverage/" in html and "/tips/" in html
