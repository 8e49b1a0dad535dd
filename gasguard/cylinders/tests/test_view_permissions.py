"""Pages show each persona only the links and forms it can use (no 403/404 behind a link)."""

import pytest
from django.urls import reverse

from gasguard.cylinders.models import DeliveryCheck
from gasguard.cylinders.tests.factories import cylinder
from gasguard.cylinders.tests.test_services import delivery_setup  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_violations_link_only_for_those_the_page_lets_in(city, login, unit):
    url = reverse("cylinders:violation_list")
    for user, allowed in (
        (city.market_inspector_a, True),
        (city.taskforce_admin, True),
        (unit.user, True),
        (city.inspector_a, False),
        (city.monitor_operator, False),
    ):
        c = login(user)
        page = c.get(reverse("cylinders:cylinder_list")).content.decode()
        assert (url in page) is allowed, user
        assert (c.get(url).status_code == 200) is allowed, user


def test_readonly_leader_gets_no_write_forms(city, login, unit, delivery_setup):  # noqa: F811
    c = login(city.leader)
    for name in ("cylinders:cylinder_import", "cylinders:delivery_create"):
        assert c.get(reverse(name)).status_code == 403
        assert c.post(reverse(name), {}).status_code == 403
    assert (
        reverse("cylinders:cylinder_import") not in c.get(reverse("cylinders:cylinder_list")).content.decode()
    )
    assert (
        reverse("cylinders:delivery_create") not in c.get(reverse("cylinders:delivery_list")).content.decode()
    )
    batches = c.get(reverse("cylinders:batch_list")).content.decode()
    assert 'value="batch"' not in batches and 'value="sample"' not in batches
    delivery = delivery_setup["deliver"]([cylinder(unit.enterprise).code])
    detail = reverse("cylinders:delivery_detail", args=[delivery.pk])
    assert "提交随瓶安检" not in c.get(detail).content.decode()
    c.post(detail, {"x": "1"})
    assert not DeliveryCheck.objects.filter(delivery=delivery).exists()
    # The operator and a 市场监管 regulator still get their forms.
    assert "提交随瓶安检" in login(unit.user).get(detail).content.decode()
    assert (
        'value="sample"'
        in login(city.market_inspector_a).get(reverse("cylinders:batch_list")).content.decode()
    )
    assert login(unit.user).get(reverse("cylinders:delivery_create")).status_code == 200


def test_operator_sees_customer_premises_as_text_and_only_own_cylinders_linked(
    city,
    login,
    unit,
    delivery_setup,  # noqa: F811
):
    own = cylinder(unit.enterprise)
    delivery = delivery_setup["deliver"]([own.code])
    c = login(unit.user)
    premises_url = reverse("cylinders:premises_cylinders", args=[city.premises_a.pk])
    listing = c.get(reverse("cylinders:delivery_list")).content.decode()
    assert city.premises_a.name in listing and premises_url not in listing
    assert c.get(premises_url).status_code == 404  # a customer's premises stays private
    detail = c.get(reverse("cylinders:delivery_detail", args=[delivery.pk])).content.decode()
    assert reverse("cylinders:cylinder_detail", args=[own.code]) in detail
    # The district regulator follows the same link.
    assert (
        premises_url
        in login(city.market_inspector_a).get(reverse("cylinders:delivery_list")).content.decode()
    )


def test_a_cylinder_delivered_into_a_district_opens_for_its_regulators(
    city,
    login,
    api,
    unit,
    delivery_setup,  # noqa: F811
):
    """A 南山 company's cylinder found at a 宝安 restaurant: 宝安 inspectors open it and trace it from
    the restaurant's page (read only); a 宝安 cylinder never delivered there stays hidden."""
    unit.enterprise.service_region_codes = ["440305", "440306"]
    unit.enterprise.save(update_fields=["service_region_codes"])
    arrived, elsewhere = cylinder(unit.enterprise), cylinder(unit.enterprise)
    delivery_setup["deliver"]([arrived.code], premises=city.premises_b)
    detail = reverse("cylinders:cylinder_detail", args=[arrived.code])
    c = login(city.inspector_b)
    page = c.get(reverse("cylinders:premises_cylinders", args=[city.premises_b.pk])).content.decode()
    assert detail in page
    opened = c.get(detail)
    assert opened.status_code == 200 and "查封" not in opened.content.decode()
    assert arrived.code in c.get(reverse("cylinders:trace"), {"code": arrived.code}).content.decode()
    assert c.get(reverse("cylinders:cylinder_detail", args=[elsewhere.code])).status_code == 404
    client = api(city.inspector_b)
    assert client.get(f"/api/cylinders/cylinders/{arrived.code}/").status_code == 200
    assert client.get(f"/api/cylinders/trace/{arrived.code}/").status_code == 200
    assert client.get(f"/api/cylinders/cylinders/{elsewhere.code}/").status_code == 404
    # Reading is not regulating: the owner's district keeps the actions.
    refused = client.post(
        f"/api/cylinders/cylinders/{arrived.code}/status/", {"status": "lost", "reason": "x"}, format="json"
    )
    assert refused.status_code == 403
    # 外地气瓶: 宝安 lists the arrived cylinder only (not 南山's other one, not its own); 南山 lists neither.
    listed = c.get(reverse("cylinders:cylinder_list"), {"arrived": "1"}).content.decode()
    assert arrived.code in listed and elsewhere.code not in listed and 'name="arrived"' in listed
    body = client.get("/api/cylinders/cylinders/", {"arrived": "true"}).json()
    assert [r["code"] for r in body["results"]] == [arrived.code]
    south = api(city.market_inspector_a).get("/api/cylinders/cylinders/", {"arrived": "1"}).json()
    assert south["count"] == 0
    assert api(city.enterprise_user_b).get("/api/cylinders/cylinders/", {"arrived": "1"}).json()["count"] == 0
    assert client.get("/api/cylinders/cylinders/", {"arrived": "maybe"}).status_code == 400
    assert 'name="arrived"' not in login(unit.user).get(reverse("cylinders:cylinder_list")).content.decode()
    # The restaurant's own company sees the delivery, but not another company's cylinder.
    own = login(city.enterprise_user_b).get(
        reverse("cylinders:premises_cylinders", args=[city.premises_b.pk])
    )
    assert arrived.code in own.content.decode() and detail not in own.content.decode()
    assert login(city.enterprise_user_b).get(detail).status_code == 404
