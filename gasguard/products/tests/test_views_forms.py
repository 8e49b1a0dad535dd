"""Product-quality pages: create a product, record a spot check, blacklist and lift, open a recall
and record its progress, link a finding. Each page: renders for 市场监管, a valid POST writes the
row and its audit event, bad input shows a Chinese field error and writes nothing, and personas
without the right (another district's 市场监管, a housing inspector, an enterprise user, the
read-only leader) get 403 and change nothing."""

import datetime

import pytest
from django.utils import timezone

from gasguard.audit.models import AuditEvent
from gasguard.hazards.services import hazard_register
from gasguard.products import services
from gasguard.products.models import BlacklistEntry, ProductFinding, ProductModel, Recall, SpotCheck
from gasguard.registry.tests.factories import EnterpriseFactory, EnterpriseRoleFactory

HUGE = "99999999999999999999999"


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_cache")]


@pytest.fixture
def maker(city):
    e = EnterpriseFactory(region=city.street_a, name="某软管厂")
    EnterpriseRoleFactory(enterprise=e, role="appliance_maker")
    return e


@pytest.fixture
def seller(city):
    e = EnterpriseFactory(region=city.street_a, name="某燃气具商行")
    EnterpriseRoleFactory(enterprise=e, role="appliance_seller")
    return e


@pytest.fixture
def hose(city, maker):
    return services.product_model_create(
        actor=city.market_inspector_a, kind="hose", model="JG-2.0", maker=maker, ccc_status="not_required"
    )


def market_hazard(city, title: str, description: str):
    """A hazard at district A's restaurant, led by 市场监管 (what a 溯源 link starts from)."""
    return hazard_register(
        actor=city.inspector_a,
        target=city.premises_a,
        source="inspection",
        description=description,
        title=title,
        category="hose",
        lead_department_kind="market",
    )


@pytest.fixture
def hazard(city):
    return market_hazard(city, "问题软管", "使用无CCC标志的软管")


def refused(city, market_b=None):
    """Personas that may not write product quality in district A."""
    return [u for u in (city.inspector_a, city.enterprise_user_a, city.leader, market_b) if u is not None]


def audited(event_type, obj) -> bool:
    return AuditEvent.objects.filter(event_type=event_type, object_id=str(obj.pk)).exists()


def errors_of(response) -> str:
    """The field errors shown next to the fields (invalid-feedback blocks)."""
    html = response.content.decode()
    assert response.status_code == 200, response.status_code
    return html


# --- navigation ----------------------------------------------------------------------------------


def test_pages_link_to_the_new_forms_for_regulators_only(city, login, hose):
    market = login(city.market_inspector_a)
    page = market.get("/products/").content.decode()
    assert "/products/new/" in page and f"/products/{hose.pk}/" in page and "/products/findings/" in page
    assert "/products/spot-checks/new/" in market.get("/products/spot-checks/").content.decode()
    assert "/products/recalls/new/" in market.get("/products/recalls/").content.decode()
    assert "/products/findings/new/" in market.get("/products/findings/").content.decode()
    detail = market.get(f"/products/{hose.pk}/").content.decode()
    for url in ("spot-checks/new/", "blacklist/", "recalls/new/", "findings/new/"):
        assert f"/products/{url}?product_model={hose.pk}" in detail
    leader = login(city.leader)
    assert "/products/new/" not in leader.get("/products/").content.decode()
    detail = leader.get(f"/products/{hose.pk}/")
    assert detail.status_code == 200 and "登记抽查" not in detail.content.decode()


def test_product_detail_lists_everything_about_the_model_in_few_queries(
    city, login, hose, hazard, seller, django_assert_max_num_queries
):
    a = city.market_inspector_a
    services.spot_check_record(
        actor=a, product_model=hose, checked_on=timezone.localdate(), result="fail", report_no="R-1"
    )
    services.blacklist_add(actor=a, product_model=hose, reason="抽查不合格", source="spot_check")
    services.recall_start(actor=a, product_model=hose, reason="耐压不合格", target_count=10)
    services.product_finding_link(actor=a, hazard=hazard, product_model=hose, seller=seller)
    client = login(a)
    with django_assert_max_num_queries(10):
        page = client.get(f"/products/{hose.pk}/").content.decode()
    assert "R-1" in page and "抽查不合格" in page and "耐压不合格" in page
    assert "问题软管" in page and "某燃气具商行" in page
    assert client.get(f"/products/{HUGE}/").status_code == 404
    assert client.get("/products/999999/").status_code == 404


# --- create a product ----------------------------------------------------------------------------


def test_product_create_page_registers_a_model_with_audit(city, login, maker):
    client = login(city.market_inspector_a)
    page = client.get("/products/new/")
    assert page.status_code == 200 and "登记产品型号" in page.content.decode()
    assert "csrfmiddlewaretoken" in page.content.decode()
    r = client.post(
        "/products/new/",
        {
            "kind": "valve",
            "model": "YSF-2",
            "maker": maker.pk,
            "ccc_status": "certified",
            "ccc_cert_no": "C1",
        },
    )
    pm = ProductModel.objects.get(model="YSF-2")
    assert r.status_code == 302 and r["Location"] == f"/products/{pm.pk}/"
    assert pm.maker == maker and pm.maker_name == "某软管厂" and pm.ccc_cert_no == "C1"
    assert audited("PRODUCT_MODEL_CREATED", pm)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "hose", "model": "", "maker_name": "厂"}, "model", "型号不能为空"),
        ({"kind": "", "model": "X", "maker_name": "厂"}, "kind", "请选择产品类别"),
        ({"kind": "rocket", "model": "X", "maker_name": "厂"}, "kind", "未知产品类别"),
        ({"kind": "hose", "model": "X"}, "maker_name", "请填写生产企业"),
        ({"kind": "hose", "model": "X", "maker": HUGE}, "maker", "生产企业（已登记）不存在"),
        (
            {"kind": "hose", "model": "X", "maker_name": "厂", "ccc_status": "certified"},
            "ccc_cert_no",
            "CCC证书编号",
        ),
        ({"kind": "hose", "model": "JG-2.0", "maker_name": "某软管厂"}, "model", "已登记"),
    ],
)
def test_product_create_bad_input_shows_the_field_error_and_writes_nothing(
    city, login, hose, data, field, message
):
    data = {"ccc_status": "not_required", **data}
    before = ProductModel.objects.count()
    html = errors_of(login(city.market_inspector_a).post("/products/new/", data))
    assert f'data-field="{field}"' in html and message in html
    assert ProductModel.objects.count() == before


def test_product_create_is_refused_to_non_regulators(city, login):
    for user in refused(city):
        client = login(user)
        assert client.get("/products/new/").status_code == 403
        r = client.post("/products/new/", {"kind": "hose", "model": "X", "maker_name": "厂"})
        assert r.status_code == 403 and "市场监管" in r.content.decode()
    assert not ProductModel.objects.exists()


# --- spot checks ---------------------------------------------------------------------------------


def test_spot_check_page_records_and_can_blacklist_a_failed_model(city, login, hose, seller):
    client = login(city.market_inspector_a)
    page = client.get(f"/products/spot-checks/new/?product_model={hose.pk}").content.decode()
    assert f'<option value="{hose.pk}" selected>' in page and city.market_a.name in page
    assert city.depts[("440306", "market")].name not in page  # another district's department
    r = client.post(
        "/products/spot-checks/new/",
        {
            "product_model": hose.pk,
            "checked_on": timezone.localdate().isoformat(),
            "department": city.market_a.pk,
            "seller": seller.pk,
            "result": "fail",
            "report_no": "SC-9",
            "items": "耐压试验：不合格：爆破压力偏低\n\n标志：合格",
            "blacklist": "on",
        },
    )
    assert r.status_code == 302 and r["Location"] == f"/products/{hose.pk}/"
    sc = SpotCheck.objects.get()
    assert sc.region_code == "440305" and sc.seller == seller
    assert sc.items == [
        {"item": "耐压试验", "result": "不合格", "note": "爆破压力偏低"},
        {"item": "标志", "result": "合格", "note": ""},
    ]
    assert audited("SPOT_CHECK_RECORDED", sc)
    assert BlacklistEntry.objects.get().source == "spot_check"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"checked_on": "tomorrow"}, "checked_on", "抽查日期不能晚于今天"),
        ({"checked_on": "2024-13-40"}, "checked_on", "抽查日期格式"),
        ({"checked_on": ""}, "checked_on", "请填写抽查日期"),
        ({"product_model": "999999"}, "product_model", "产品型号不存在"),
        ({"product_model": HUGE}, "product_model", "产品型号不存在"),
        ({"product_model": ""}, "product_model", "请选择产品型号"),
        ({"result": ""}, "result", "请选择结论"),
        ({"result": "maybe"}, "result", "未知结论"),
        ({"department": "other-district"}, "department", "抽查部门不存在或不可选"),
        ({"items": "只有项目没有结果"}, "items", "第1行格式"),
    ],
)
def test_spot_check_bad_input_shows_the_field_error_and_writes_nothing(
    city, login, hose, change, field, message
):
    data = {
        "product_model": hose.pk,
        "checked_on": timezone.localdate().isoformat(),
        "department": city.market_a.pk,
        "result": "fail",
        "blacklist": "on",
    }
    data.update(change)
    if data["checked_on"] == "tomorrow":
        data["checked_on"] = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    if data["department"] == "other-district":
        data["department"] = city.depts[("440306", "market")].pk
    html = errors_of(login(city.market_inspector_a).post("/products/spot-checks/new/", data))
    assert f'data-field="{field}"' in html and message in html
    assert not SpotCheck.objects.exists() and not BlacklistEntry.objects.exists()


def test_spot_check_is_refused_to_non_regulators(city, login, hose):
    data = {"product_model": hose.pk, "checked_on": timezone.localdate().isoformat(), "result": "pass"}
    for user in refused(city):
        client = login(user)
        assert client.get("/products/spot-checks/new/").status_code == 403
        assert client.post("/products/spot-checks/new/", data).status_code == 403
    assert not SpotCheck.objects.exists()


# --- blacklist: add and lift ---------------------------------------------------------------------


def test_blacklist_page_adds_an_entry_with_reason_and_source(city, login, hose, maker):
    client = login(city.market_inspector_a)
    page = client.get(f"/products/blacklist/?product_model={hose.pk}").content.decode()
    assert "列入黑名单（市场监管）" in page and f'<option value="{hose.pk}" selected>' in page
    r = client.post(
        "/products/blacklist/", {"maker": maker.pk, "reason": "多批次抽查不合格", "source": "report"}
    )
    assert r.status_code == 302
    entry = BlacklistEntry.objects.get()
    assert entry.maker == maker and entry.product_model is None and entry.source == "report"
    assert entry.region_code == "440305" and audited("BLACKLIST_ENTRY_ADDED", entry)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reason": "x", "source": "other"}, "product_model", "须指定产品型号或生产企业"),
        ({"product_model": "PM", "reason": "", "source": "other"}, "reason", "请填写列入原因"),
        ({"product_model": "PM", "reason": "x", "source": "rumour"}, "source", "未知来源"),
        ({"product_model": "999999", "reason": "x", "source": "other"}, "product_model", "产品型号不存在"),
        ({"maker": HUGE, "reason": "x", "source": "other"}, "maker", "或生产企业不存在"),
    ],
)
def test_blacklist_bad_input_shows_the_field_error_and_writes_nothing(
    city, login, hose, data, field, message
):
    data = {k: (hose.pk if v == "PM" else v) for k, v in data.items()}
    html = errors_of(login(city.market_inspector_a).post("/products/blacklist/", data))
    assert f'data-field="{field}"' in html and message in html
    assert not BlacklistEntry.objects.exists()


def test_blacklist_add_is_refused_to_non_regulators(city, login, hose):
    for user in refused(city):
        client = login(user)
        page = client.get("/products/blacklist/")
        assert page.status_code == 200 and "列入黑名单（市场监管）" not in page.content.decode()
        r = client.post("/products/blacklist/", {"product_model": hose.pk, "reason": "x", "source": "other"})
        assert r.status_code == 403
    assert not BlacklistEntry.objects.exists()


@pytest.fixture
def entry(city, hose):
    return services.blacklist_add(
        actor=city.market_inspector_a, product_model=hose, reason="抽查不合格", source="spot_check"
    )


def test_lift_page_takes_an_entry_off_the_blacklist(city, login, entry):
    client = login(city.market_inspector_a)
    assert f"/products/blacklist/{entry.pk}/lift/" in client.get("/products/blacklist/").content.decode()
    page = client.get(f"/products/blacklist/{entry.pk}/lift/")
    assert page.status_code == 200 and "抽查不合格" in page.content.decode()
    html = errors_of(client.post(f"/products/blacklist/{entry.pk}/lift/", {"reason": "  "}))
    assert 'data-field="reason"' in html and "请填写移出原因" in html
    entry.refresh_from_db()
    assert entry.is_active
    r = client.post(f"/products/blacklist/{entry.pk}/lift/", {"reason": "整改后复检合格"})
    assert r.status_code == 302
    entry.refresh_from_db()
    assert not entry.is_active and entry.lifted_on == timezone.localdate()
    assert AuditEvent.objects.get(event_type="BLACKLIST_ENTRY_LIFTED").payload["reason"] == "整改后复检合格"
    again = errors_of(client.post(f"/products/blacklist/{entry.pk}/lift/", {"reason": "再次"}))
    assert "该条目已移出黑名单" in again
    assert AuditEvent.objects.filter(event_type="BLACKLIST_ENTRY_LIFTED").count() == 1
    assert client.get(f"/products/blacklist/{HUGE}/lift/").status_code == 404


def test_lift_is_refused_to_other_districts_and_non_regulators(city, login, entry, market_b):
    for user in refused(city, market_b):
        client = login(user)
        assert client.get(f"/products/blacklist/{entry.pk}/lift/").status_code == 403
        assert client.post(f"/products/blacklist/{entry.pk}/lift/", {"reason": "x"}).status_code == 403
    entry.refresh_from_db()
    assert entry.is_active and not AuditEvent.objects.filter(event_type="BLACKLIST_ENTRY_LIFTED").exists()


# --- recalls -------------------------------------------------------------------------------------


def test_recall_pages_open_a_recall_and_record_progress(city, login, hose):
    client = login(city.market_inspector_a)
    page = client.get(f"/products/recalls/new/?product_model={hose.pk}").content.decode()
    assert f'<option value="{hose.pk}" selected>' in page
    r = client.post(
        "/products/recalls/new/", {"product_model": hose.pk, "reason": "耐压不合格", "target_count": "120"}
    )
    recall = Recall.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/products/recalls/{recall.pk}/"
    assert recall.target_count == 120 and recall.region_code == "440305" and audited("RECALL_STARTED", recall)
    page = client.get(f"/products/recalls/{recall.pk}/")
    assert page.status_code == 200 and "耐压不合格" in page.content.decode()
    r = client.post(f"/products/recalls/{recall.pk}/", {"located": "50", "returned": "40", "scrapped": "30"})
    assert r.status_code == 302
    recall.refresh_from_db()
    assert (recall.located_count, recall.returned_count, recall.scrapped_count) == (50, 40, 30)
    assert audited("RECALL_PROGRESS_UPDATED", recall)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"target_count": "-5"}, "target_count", "应召回数量不能为负"),
        ({"target_count": "many"}, "target_count", "应召回数量须为整数"),
        ({"reason": ""}, "reason", "请填写召回原因"),
        ({"product_model": "999999"}, "product_model", "产品型号不存在"),
        ({"product_model": ""}, "product_model", "请选择产品型号"),
    ],
)
def test_recall_start_bad_input_shows_the_field_error_and_writes_nothing(
    city, login, hose, data, field, message
):
    data = {"product_model": hose.pk, "reason": "耐压不合格", "target_count": "10", **data}
    html = errors_of(login(city.market_inspector_a).post("/products/recalls/new/", data))
    assert f'data-field="{field}"' in html and message in html
    assert not Recall.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"located": "-1", "returned": "0", "scrapped": "0"}, "located", "已查找到不能为负"),
        ({"located": "10", "returned": "20", "scrapped": "0"}, "located", "已报废 ≤ 已收回 ≤ 已查找到"),
        ({"located": "10", "returned": "x", "scrapped": "0"}, "returned", "已收回须为整数"),
        ({"located": "10", "returned": "5"}, "scrapped", "请填写已报废"),
    ],
)
def test_recall_progress_bad_input_shows_the_field_error_and_changes_nothing(
    city, login, hose, data, field, message
):
    recall = services.recall_start(
        actor=city.market_inspector_a, product_model=hose, reason="r", target_count=9
    )
    html = errors_of(login(city.market_inspector_a).post(f"/products/recalls/{recall.pk}/", data))
    assert f'data-field="{field}"' in html and message in html
    recall.refresh_from_db()
    assert (recall.located_count, recall.returned_count, recall.scrapped_count) == (0, 0, 0)
    assert not AuditEvent.objects.filter(event_type="RECALL_PROGRESS_UPDATED").exists()


def test_recalls_are_refused_to_other_districts_and_non_regulators(city, login, hose, market_b):
    recall = services.recall_start(
        actor=city.market_inspector_a, product_model=hose, reason="r", target_count=9
    )
    for user in refused(city, market_b):
        client = login(user)
        assert client.get(f"/products/recalls/{recall.pk}/").status_code == 403
        r = client.post(f"/products/recalls/{recall.pk}/", {"located": "1", "returned": "1", "scrapped": "1"})
        assert r.status_code == 403
    for user in refused(city):
        client = login(user)
        assert client.get("/products/recalls/new/").status_code == 403
        r = client.post(
            "/products/recalls/new/", {"product_model": hose.pk, "reason": "r", "target_count": "1"}
        )
        assert r.status_code == 403
    recall.refresh_from_db()
    assert Recall.objects.count() == 1 and recall.located_count == 0
    assert login(city.market_inspector_a).get(f"/products/recalls/{HUGE}/").status_code == 404


# --- findings (溯源) -------------------------------------------------------------------------------


def test_finding_page_links_a_hazard_to_product_maker_and_seller(city, login, hose, hazard, seller):
    client = login(city.market_inspector_a)
    page = client.get(f"/products/findings/new/?product_model={hose.pk}").content.decode()
    assert 'id="hazard-options"' in page and "问题软管" in page
    key = hazard.code or str(hazard.pk)
    r = client.post(
        "/products/findings/new/",
        {"hazard": key, "product_model": hose.pk, "seller": seller.pk, "note": "餐馆自购"},
    )
    assert r.status_code == 302 and r["Location"] == f"/products/{hose.pk}/"
    finding = ProductFinding.objects.get()
    assert finding.hazard == hazard and finding.seller_name == "某燃气具商行"
    assert finding.product_model.maker.name == "某软管厂" and audited("PRODUCT_FINDING_LINKED", finding)
    listing = client.get("/products/findings/").content.decode()
    assert "问题软管" in listing and "某软管厂" in listing and "某燃气具商行" in listing
    assert "问题软管" in client.get(f"/products/{hose.pk}/").content.decode()
    # by id too, and a seller known only by name (e.g. an online shop)
    other = market_hazard(city, "问题减压阀", "网购减压阀无标识")
    r = client.post("/products/findings/new/", {"hazard": str(other.pk), "seller_name": "某网店"})
    assert r.status_code == 302 and r["Location"] == "/products/findings/"
    assert ProductFinding.objects.get(hazard=other).seller_name == "某网店"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"hazard": "999999"}, "hazard", "隐患“999999”不存在"),
        ({"hazard": HUGE}, "hazard", "不存在"),
        ({"hazard": ""}, "hazard", "请填写隐患台账编号或ID"),
        ({"product_model": "", "seller": ""}, "product_model", "须至少填写产品型号或销售者"),
        ({"product_model": "999999"}, "product_model", "产品型号不存在"),
        ({"seller": "999999"}, "seller", "销售者（已登记）不存在"),
    ],
)
def test_finding_bad_input_shows_the_field_error_and_writes_nothing(
    city, login, hose, hazard, seller, data, field, message
):
    data = {"hazard": str(hazard.pk), "product_model": hose.pk, "seller": seller.pk, **data}
    html = errors_of(login(city.market_inspector_a).post("/products/findings/new/", data))
    assert f'data-field="{field}"' in html and message in html
    assert not ProductFinding.objects.exists()


def test_finding_already_linked_is_an_error_on_the_hazard(city, login, hose, hazard):
    services.product_finding_link(actor=city.market_inspector_a, hazard=hazard, product_model=hose)
    html = errors_of(
        login(city.market_inspector_a).post(
            "/products/findings/new/", {"hazard": str(hazard.pk), "product_model": hose.pk}
        )
    )
    assert 'data-field="hazard"' in html and "该隐患已关联产品" in html
    assert ProductFinding.objects.count() == 1


def test_finding_link_is_refused_to_other_districts_and_non_regulators(city, login, hose, hazard, market_b):
    for user in refused(city, market_b):
        client = login(user)
        assert client.get("/products/findings/new/").status_code == (200 if user == market_b else 403)
        r = client.post("/products/findings/new/", {"hazard": str(hazard.pk), "product_model": hose.pk})
        assert r.status_code == 403
    assert not ProductFinding.objects.exists()
    assert not AuditEvent.objects.filter(event_type="PRODUCT_FINDING_LINKED").exists()
