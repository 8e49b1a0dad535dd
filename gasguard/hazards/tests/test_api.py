"""Hazards API: scoped list/detail/totals, transitions as POST actions, 409 on conflicts."""

import datetime

import pytest
from django.utils import timezone

from gasguard.audit.services import audit_verify
from gasguard.hazards.tests.factories import make_hazard, png_upload, text_upload

BASE = "/api/hazards/hazards/"


@pytest.fixture
def hazards(city):
    return [
        make_hazard(city.inspector_a, city.premises_a, title="软管老化"),
        make_hazard(city.inspector_a, city.premises_a, title="重大", severity="major"),
        make_hazard(city.inspector_b, city.premises_b, title="宝安"),
    ]


@pytest.mark.django_db
def test_list_is_scoped_and_filtered(city, hazards, api):
    body = api(city.inspector_a).get(BASE).json()
    assert body["count"] == 2 and {r["title"] for r in body["results"]} == {"软管老化", "重大"}
    assert api(city.inspector_a).get(BASE, {"severity": "major"}).json()["count"] == 1
    assert api(city.taskforce_admin).get(BASE).json()["count"] == 3
    assert api(city.enterprise_user_b).get(BASE).json()["count"] == 1
    assert api().get(BASE).status_code == 401


@pytest.mark.django_db
def test_detail_of_other_district_is_404(city, hazards, api):
    response = api(city.inspector_b).get(f"{BASE}{hazards[0].pk}/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    detail = api(city.inspector_a).get(f"{BASE}{hazards[0].pk}/").json()
    assert detail["history"][0]["action"] == "register"


@pytest.mark.django_db
def test_totals_endpoint(city, hazards, api):
    totals = api(city.taskforce_admin).get(f"{BASE}totals/", {"region": "440305"}).json()
    assert totals["total"] == 2 and sum(s["count"] for s in totals["by_status"]) == 2


@pytest.mark.django_db
def test_full_loop_over_the_api(city, hazards, api):
    h = hazards[0]
    ent = api(city.enterprise_user_a)
    assert ent.post(f"{BASE}{h.pk}/start/", {}, format="json").json()["status"] == "rectifying"
    bad = ent.post(
        f"{BASE}{h.pk}/submit/", {"measures": "已更换", "evidence": [text_upload()]}, format="multipart"
    )
    assert bad.status_code == 400 and "evidence" in bad.json()["error"]["fields"]
    ok = ent.post(
        f"{BASE}{h.pk}/submit/", {"measures": "已更换", "evidence": [png_upload()]}, format="multipart"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "awaiting_verification"
    assert ent.post(f"{BASE}{h.pk}/verify/", {"passed": True}, format="json").status_code == 403
    sup = api(city.supervisor_a)
    closed = sup.post(f"{BASE}{h.pk}/verify/", {"passed": True, "reason": "合格"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = sup.post(f"{BASE}{h.pk}/verify/", {"passed": True}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert audit_verify().ok


@pytest.mark.django_db
def test_control_close_on_spot_assign_refer_enforcement(city, hazards, api):
    h = hazards[1]
    later = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    ent = api(city.enterprise_user_a)
    r = ent.post(f"{BASE}{h.pk}/control-request/", {"measures": "关阀", "new_deadline": later}, format="json")
    assert r.status_code == 201
    sup = api(city.supervisor_a)
    r = sup.post(f"{BASE}{h.pk}/control-approve/", {"approve": True}, format="json")
    assert r.json()["status"] == "controlled"
    r = sup.post(f"{BASE}{h.pk}/assign/", {"reason": "换人", "responsible_person": "钱七"}, format="json")
    assert r.status_code == 200
    r = sup.post(f"{BASE}{h.pk}/refer/", {"to_kind": "market", "reason": "溯源"}, format="json")
    assert r.status_code == 201
    referral_id = r.json()["id"]
    market = api(city.market_inspector_a)
    assert (
        market.post(f"/api/hazards/referrals/{referral_id}/accept/", {}, format="json").json()["status"]
        == "accepted"
    )
    r = sup.post(f"{BASE}{h.pk}/enforcement/", {"kind": "fine"}, format="json")
    assert r.status_code == 400 and "fine_amount" in r.json()["error"]["fields"]
    r = sup.post(f"{BASE}{h.pk}/enforcement/", {"kind": "fine", "fine_amount": "3000.00"}, format="json")
    assert r.status_code == 201
    assert api(city.taskforce_admin).get("/api/hazards/enforcement/totals/").json()["total"] == 1
    h0 = hazards[0]
    insp = api(city.inspector_a)
    r = insp.post(f"{BASE}{h0.pk}/close-on-spot/", {"note": "现场更换"}, format="multipart")
    assert r.status_code == 400
    r = insp.post(
        f"{BASE}{h0.pk}/close-on-spot/", {"note": "现场更换", "evidence": [png_upload()]}, format="multipart"
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert api(city.inspector_b).get("/api/hazards/referrals/").json()["count"] == 0


@pytest.mark.django_db
def test_api_list_query_count_is_pinned(city, hazards, api, django_assert_max_num_queries):
    for i in range(25):
        make_hazard(city.inspector_a, city.premises_a, title=f"批量{i}")
    client = api(city.supervisor_a)
    client.get(BASE)
    with django_assert_max_num_queries(8):
        assert client.get(BASE).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"{BASE}{hazards[0].pk}/").status_code == 200


@pytest.mark.django_db
def test_revisit_api(city, hazards, api, settings):
    settings.GASGUARD_REVISIT_GENERAL_SHARE = 1.0
    insp = api(city.inspector_a)
    insp.post(f"{BASE}{hazards[0].pk}/close-on-spot/", {"evidence": [png_upload()]}, format="multipart")
    samples = insp.get("/api/hazards/revisits/").json()
    assert samples["count"] == 1
    sid = samples["results"][0]["id"]
    r = insp.post(
        f"/api/hazards/revisits/{sid}/record/", {"reappeared": False, "note": "正常"}, format="json"
    )
    assert r.json()["status"] == "ok"
    r = insp.post(f"/api/hazards/revisits/{sid}/record/", {"reappeared": True}, format="json")
    assert r.status_code == 409
