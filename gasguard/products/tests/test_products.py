"""Product quality: models, spot checks with blacklisting, recalls, findings; permissions; API."""

import datetime

import pytest
from django.utils import timezone

from gasguard.core.errors import Conflict, PermissionDenied, ValidationFailed
from gasguard.hazards.services import hazard_register
from gasguard.products import services
from gasguard.products.models import BlacklistEntry
from gasguard.products.selectors import blacklist_sets
from gasguard.registry.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def hose(city):
    maker = EnterpriseFactory(region=city.street_a, name="某软管厂")
    return services.product_model_create(
        actor=city.market_inspector_a,
        kind="hose",
        model="JG-2.0",
        maker=maker,
        ccc_status="certified",
        ccc_cert_no="2023011234567",
    )


def test_only_market_regulators_create_products(city):
    with pytest.raises(PermissionDenied):
        services.product_model_create(actor=city.inspector_a, kind="hose", model="X", maker_name="厂")
    with pytest.raises(ValidationFailed):
        services.product_model_create(
            actor=city.market_inspector_a, kind="hose", model="X", maker_name="厂", ccc_status="certified"
        )


def test_duplicate_model_is_a_conflict(city, hose):
    with pytest.raises(Conflict):
        services.product_model_create(
            actor=city.market_inspector_a, kind="hose", model="JG-2.0", maker_name=hose.maker_name
        )


def test_failed_spot_check_blacklists_and_the_gate_sees_it(city, hose):
    assert hose.pk not in blacklist_sets()[0]
    services.spot_check_record(
        actor=city.market_inspector_a,
        product_model=hose,
        checked_on=timezone.localdate(),
        result="fail",
        items=[{"item": "耐压", "result": "不合格"}],
        blacklist=True,
        department=city.market_a,
    )
    entry = BlacklistEntry.objects.get()
    assert entry.source == "spot_check" and entry.region_code == "440305"
    from gasguard.products.selectors import blacklist_cache_clear

    blacklist_cache_clear()
    assert hose.pk in blacklist_sets()[0]
    services.blacklist_lift(actor=city.market_inspector_a, entry=entry, reason="整改后复检合格")
    blacklist_cache_clear()
    assert hose.pk not in blacklist_sets()[0]
    with pytest.raises(Conflict):
        services.blacklist_lift(actor=city.market_inspector_a, entry=entry, reason="again")


def test_future_spot_check_and_bad_recall_progress_are_refused(city, hose):
    with pytest.raises(ValidationFailed):
        services.spot_check_record(
            actor=city.market_inspector_a,
            product_model=hose,
            result="pass",
            checked_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    recall = services.recall_start(
        actor=city.market_inspector_a, product_model=hose, reason="耐压不合格", target_count=100
    )
    with pytest.raises(ValidationFailed):
        services.recall_update_progress(
            actor=city.market_inspector_a, recall=recall, located=10, returned=20, scrapped=0
        )
    recall = services.recall_update_progress(
        actor=city.market_inspector_a, recall=recall, located=50, returned=40, scrapped=30
    )
    assert (recall.located_count, recall.returned_count, recall.scrapped_count) == (50, 40, 30)


def test_finding_links_a_referred_hazard_to_product_and_seller(city, hose):
    seller = EnterpriseFactory(region=city.street_a, name="某燃气具商行")
    hazard = hazard_register(
        actor=city.inspector_a,
        target=city.premises_a,
        source="inspection",
        description="使用无CCC标志的软管",
        title="问题软管",
        category="hose",
        lead_department_kind="market",
    )
    finding = services.product_finding_link(
        actor=city.market_inspector_a, hazard=hazard, product_model=hose, seller=seller
    )
    assert finding.seller_name == "某燃气具商行" and finding.product_model.maker_name == "某软管厂"
    with pytest.raises(Conflict):
        services.product_finding_link(actor=city.market_inspector_a, hazard=hazard, product_model=hose)
    with pytest.raises(PermissionDenied):
        services.product_finding_link(actor=city.inspector_b, hazard=hazard, product_model=hose)


def test_products_api(city, api, hose):
    r = api(city.market_inspector_a).post(
        "/api/products/blacklist/",
        {"product_model": hose.pk, "reason": "抽查不合格", "source": "spot_check"},
        format="json",
    )
    assert r.status_code == 201
    assert api(city.inspector_a).get("/api/products/blacklist/").json()["count"] == 1
    assert (
        api(city.inspector_a)
        .post(
            "/api/products/blacklist/",
            {"product_model": hose.pk, "reason": "x", "source": "other"},
            format="json",
        )
        .status_code
        == 403
    )
    assert api(city.leader).get("/api/products/models/").json()["count"] == 1


def test_blacklist_page_form_for_regulators_only(city, hose, login):
    page = login(city.inspector_a).get("/products/blacklist/").content.decode()
    assert "列入黑名单（市场监管）" not in page
    market = login(city.market_inspector_a)
    assert "列入黑名单（市场监管）" in market.get("/products/blacklist/").content.decode()
    market.post(
        "/products/blacklist/", {"product_model": hose.pk, "reason": "抽查不合格", "source": "spot_check"}
    )
    assert BlacklistEntry.objects.filter(product_model=hose, is_active=True).exists()
