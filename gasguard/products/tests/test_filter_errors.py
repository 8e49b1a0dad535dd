"""The product kind filter: an unknown kind is an error naming the field (a 400 on the API, the
filter's error and no rows on the page), never a silently unfiltered or empty list."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from gasguard.core.tests.filter_asserts import assert_api_refuses, assert_page_refuses
from gasguard.products import services
from gasguard.registry.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def products(city):
    cache.clear()
    maker = EnterpriseFactory(region=city.street_a, name="某软管厂")
    return [
        services.product_model_create(actor=city.market_inspector_a, kind=kind, model=model, maker=maker)
        for kind, model in (("hose", "JG-2.0"), ("valve", "YSF-2"))
    ]


def test_product_api_refuses_unknown_kind_naming_field_and_values(city, products, api):
    response = api(city.market_inspector_a).get("/api/products/models/", {"kind": "bogus"})
    assert_api_refuses(response, "kind", "bogus", "hose", "cylinder")


def test_product_api_kind_still_filters(city, products, api):
    client = api(city.market_inspector_a)
    assert client.get("/api/products/models/").json()["count"] == 2
    body = client.get("/api/products/models/", {"kind": "hose"}).json()
    assert [p["id"] for p in body["results"]] == [products[0].pk]
    assert client.get("/api/products/models/", {"kind": "cylinder"}).json()["count"] == 0


def test_product_page_shows_kind_error_and_no_rows(city, products, login):
    response = login(city.market_inspector_a).get(reverse("products:product_list"), {"kind": "bogus"})
    assert_page_refuses(
        response, response.context["filter_errors"], "kind", shown=["类别的值“bogus”无效"], absent=["JG-2.0"]
    )


def test_product_page_valid_kind_still_filters(city, products, login):
    client = login(city.market_inspector_a)
    response = client.get(reverse("products:product_list"), {"kind": "valve"})
    assert [p.pk for p in response.context["page_obj"].object_list] == [products[1].pk]
    assert 'data-testid="filter-error"' not in response.content.decode()


@pytest.fixture
def lifted(city, products):
    """The hose model is blacklisted, then lifted: only `?all=` shows it."""
    entry = services.blacklist_add(
        actor=city.market_inspector_a, product_model=products[0], reason="抽查不合格", source="spot_check"
    )
    services.blacklist_lift(actor=city.market_inspector_a, entry=entry, reason="整改合格")
    return entry


def test_blacklist_api_all_takes_true_false_and_refuses_nonsense(city, lifted, api):
    client = api(city.market_inspector_a)
    assert client.get("/api/products/blacklist/").json()["count"] == 0
    for value in ("1", "true"):
        assert client.get("/api/products/blacklist/", {"all": value}).json()["count"] == 1, value
    assert client.get("/api/products/blacklist/", {"all": "false"}).json()["count"] == 0
    assert_api_refuses(client.get("/api/products/blacklist/", {"all": "maybe"}), "all", "maybe")


def test_blacklist_page_bad_all_shows_error_and_no_rows(city, lifted, login):
    client = login(city.market_inspector_a)
    response = client.get(reverse("products:blacklist"), {"all": "maybe"})
    assert_page_refuses(response, response.context["filter_errors"], "all", shown=["“maybe”无效"])
    assert [e.pk for e in client.get(reverse("products:blacklist"), {"all": "1"}).context["page_obj"]] == [
        lifted.pk
    ]
