"""Closing a recall (结束召回): service, API action and the button on the recall page. The progress
service refuses a closed recall and counts above the recall's target (when one is set)."""

import pytest

from gasguard.audit.models import AuditEvent
from gasguard.core.errors import Conflict, PermissionDenied, ValidationFailed
from gasguard.products import services
from gasguard.products.models import Recall
from gasguard.registry.tests.factories import EnterpriseFactory, EnterpriseRoleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_cache")]


@pytest.fixture
def recall(city):
    maker = EnterpriseFactory(region=city.street_a, name="某软管厂")
    EnterpriseRoleFactory(enterprise=maker, role="appliance_maker")
    hose = services.product_model_create(
        actor=city.market_inspector_a, kind="hose", model="JG-2.0", maker=maker, ccc_status="not_required"
    )
    return services.recall_start(
        actor=city.market_inspector_a, product_model=hose, reason="耐压不合格", target_count=100
    )


def events(event_type: str) -> int:
    return AuditEvent.objects.filter(event_type=event_type).count()


def counts(recall) -> tuple:
    recall.refresh_from_db()
    return (recall.status, recall.located_count, recall.returned_count, recall.scrapped_count)


# --- service -------------------------------------------------------------------------------------


def test_close_sets_status_and_writes_the_audit_event(city, recall):
    services.recall_update_progress(
        actor=city.market_inspector_a, recall=recall, located=80, returned=70, scrapped=60
    )
    closed = services.recall_close(actor=city.market_inspector_a, recall=recall, note=" 已全部处理 ")
    assert closed.status == "closed" and closed.get_status_display() == "已完成"
    event = AuditEvent.objects.get(event_type="RECALL_CLOSED", object_id=str(recall.pk))
    assert event.payload["note"] == "已全部处理" and event.payload["located"] == 80
    assert event.region_code == recall.region_code


def test_closing_twice_is_refused(city, recall):
    services.recall_close(actor=city.market_inspector_a, recall=recall)
    with pytest.raises(Conflict) as exc:
        services.recall_close(actor=city.taskforce_admin, recall=Recall.objects.get(pk=recall.pk))
    assert exc.value.field == "status" and "不能重复结束" in exc.value.message
    assert events("RECALL_CLOSED") == 1


def test_close_from_a_stale_copy_is_refused(city, recall):
    stale = Recall.objects.get(pk=recall.pk)
    services.recall_close(actor=city.market_inspector_a, recall=recall)
    with pytest.raises(Conflict):
        services.recall_close(actor=city.market_inspector_a, recall=stale)
    with pytest.raises(Conflict):
        services.recall_update_progress(
            actor=city.market_inspector_a, recall=stale, located=1, returned=1, scrapped=1
        )
    assert events("RECALL_CLOSED") == 1 and events("RECALL_PROGRESS_UPDATED") == 0


def test_close_note_too_long_is_refused(city, recall):
    with pytest.raises(ValidationFailed) as exc:
        services.recall_close(actor=city.market_inspector_a, recall=recall, note="x" * 301)
    assert exc.value.field == "note"
    assert counts(recall)[0] == "open"


@pytest.mark.parametrize("persona", ["inspector_a", "enterprise_user_a", "leader", "market_b"])
def test_close_is_for_the_regulators_of_the_recall_region_only(city, recall, market_b, persona):
    user = market_b if persona == "market_b" else getattr(city, persona)
    with pytest.raises(PermissionDenied):
        services.recall_close(actor=user, recall=recall)
    assert counts(recall)[0] == "open" and events("RECALL_CLOSED") == 0


def test_progress_refused_on_a_closed_recall(city, recall):
    services.recall_close(actor=city.market_inspector_a, recall=recall)
    with pytest.raises(Conflict) as exc:
        services.recall_update_progress(
            actor=city.market_inspector_a, recall=recall, located=1, returned=1, scrapped=1
        )
    assert "召回已结束" in exc.value.message
    assert counts(recall) == ("closed", 0, 0, 0)


def test_progress_above_the_target_is_refused(city, recall):
    with pytest.raises(ValidationFailed) as exc:
        services.recall_update_progress(
            actor=city.market_inspector_a, recall=recall, located=101, returned=0, scrapped=0
        )
    assert exc.value.field == "located" and "应召回数量（100）" in exc.value.message
    services.recall_update_progress(
        actor=city.market_inspector_a, recall=recall, located=100, returned=100, scrapped=100
    )
    assert counts(recall) == ("open", 100, 100, 100)


def test_progress_without_a_target_has_no_ceiling(city, recall):
    Recall.objects.filter(pk=recall.pk).update(target_count=0)
    recall.refresh_from_db()
    services.recall_update_progress(
        actor=city.market_inspector_a, recall=recall, located=5000, returned=0, scrapped=0
    )
    assert counts(recall)[1] == 5000


# --- API -----------------------------------------------------------------------------------------


def test_api_close_then_409_on_second_close(city, recall, api):
    client = api(city.market_inspector_a)
    r = client.post(f"/api/products/recalls/{recall.pk}/close/", {"note": "完成"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = client.post(f"/api/products/recalls/{recall.pk}/close/", {}, format="json")
    assert r.status_code == 409 and "status" in str(r.json())
    r = client.post(
        f"/api/products/recalls/{recall.pk}/progress/",
        {"located": 1, "returned": 0, "scrapped": 0},
        format="json",
    )
    assert r.status_code == 409
    assert events("RECALL_CLOSED") == 1


@pytest.mark.parametrize("persona", ["inspector_a", "enterprise_user_a", "leader"])
def test_api_close_refused_to_personas_without_the_right(city, recall, api, persona):
    r = api(getattr(city, persona)).post(f"/api/products/recalls/{recall.pk}/close/", {}, format="json")
    assert r.status_code == 403
    assert counts(recall)[0] == "open"


def test_api_close_bad_input_is_400_naming_the_field(city, recall, api):
    client = api(city.market_inspector_a)
    r = client.post(f"/api/products/recalls/{recall.pk}/close/", {"note": "x" * 301}, format="json")
    assert r.status_code == 400 and "note" in str(r.json())
    assert client.post("/api/products/recalls/99999999/close/", {}, format="json").status_code == 404
    assert counts(recall)[0] == "open"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"located": "abc"}, "located"),
        ({"located": 5, "returned": -1}, "returned"),
        ({"located": 101}, "located"),
    ],
)
def test_api_progress_bad_counts_are_400_naming_the_field(city, recall, api, data, field):
    r = api(city.market_inspector_a).post(f"/api/products/recalls/{recall.pk}/progress/", data, format="json")
    assert r.status_code == 400 and field in str(r.json())
    assert counts(recall) == ("open", 0, 0, 0)


# --- page ----------------------------------------------------------------------------------------


def test_page_close_button_closes_and_hides_the_progress_form(city, recall, login):
    client = login(city.market_inspector_a)
    page = client.get(f"/products/recalls/{recall.pk}/").content.decode()
    assert 'data-testid="recall-close"' in page and f"/products/recalls/{recall.pk}/close/" in page
    r = client.post(f"/products/recalls/{recall.pk}/close/", {"note": "已全部收回"})
    assert r.status_code == 302 and r["Location"] == f"/products/recalls/{recall.pk}/"
    assert counts(recall)[0] == "closed"
    page = client.get(f"/products/recalls/{recall.pk}/").content.decode()
    assert 'data-testid="recall-closed"' in page
    assert 'data-testid="recall-close"' not in page and 'data-testid="products-form"' not in page
    assert "已完成" in page
    listing = client.get("/products/recalls/").content.decode()
    assert "已完成" in listing and "查看" in listing


def test_page_second_close_and_late_progress_show_the_error(city, recall, login):
    client = login(city.market_inspector_a)
    stale_page = client.get(f"/products/recalls/{recall.pk}/")
    assert stale_page.status_code == 200
    services.recall_close(actor=city.taskforce_admin, recall=recall)
    r = client.post(f"/products/recalls/{recall.pk}/close/", {})
    assert r.status_code == 200 and "召回已结束，不能重复结束" in r.content.decode()
    r = client.post(f"/products/recalls/{recall.pk}/", {"located": "1", "returned": "1", "scrapped": "1"})
    assert r.status_code == 200 and "召回已结束，不能再登记进度" in r.content.decode()
    assert counts(recall) == ("closed", 0, 0, 0)
    assert events("RECALL_CLOSED") == 1 and events("RECALL_PROGRESS_UPDATED") == 0


def test_page_progress_above_target_shows_error_next_to_located(city, recall, login):
    r = login(city.market_inspector_a).post(
        f"/products/recalls/{recall.pk}/", {"located": "101", "returned": "0", "scrapped": "0"}
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-field="located">已查找到不能超过应召回数量（100）' in html
    assert counts(recall) == ("open", 0, 0, 0)


def test_page_close_note_too_long_shows_field_error(city, recall, login):
    r = login(city.market_inspector_a).post(f"/products/recalls/{recall.pk}/close/", {"note": "x" * 301})
    assert r.status_code == 200
    assert 'data-field="note">结束说明最多300个字符' in r.content.decode()
    assert counts(recall)[0] == "open"


def test_page_close_is_403_for_personas_without_the_right(city, recall, login, market_b):
    for user in (city.inspector_a, city.enterprise_user_a, city.leader, market_b):
        assert login(user).post(f"/products/recalls/{recall.pk}/close/", {}).status_code == 403
    assert login(city.market_inspector_a).get(f"/products/recalls/{recall.pk}/close/").status_code == 405
    assert counts(recall)[0] == "open" and events("RECALL_CLOSED") == 0
