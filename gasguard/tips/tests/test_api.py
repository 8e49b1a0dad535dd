"""Tips API: scoped lists, actions, privacy, public intake and status."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from gasguard.accounts.tests.factories import MembershipFactory, UserFactory
from gasguard.tips.models import Tip
from gasguard.tips.tests.factories import HTML, fake_photo, jpeg, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_list_scoped_masked_and_query_count(city, api, django_assert_max_num_queries):
    for _ in range(5):
        submit(city, is_anonymous=False, reporter_name="周九", reporter_phone="13822223333")
    submit(city, district_code=city.district_b.code, street_code="", lon=113.88, lat=22.55)
    client = api(city.inspector_a)
    with django_assert_max_num_queries(8):
        r = client.get("/api/tips/tips/")
    body = r.json()
    assert body["count"] == 5
    text = r.content.decode()
    assert "13822223333" not in text and "周九" not in text and "138****3333" in text
    assert api(city.taskforce_admin).get("/api/tips/tips/?region=440306").json()["count"] == 1
    assert client.get("/api/tips/tips/?date_from=2023-13-01").status_code == 400


def test_enterprise_user_api_forbidden(city, api):
    tip = submit(city, is_anonymous=False, reporter_name="x", reporter_phone="13800000000")
    client = api(city.enterprise_user_a)
    assert client.get("/api/tips/tips/").status_code == 403
    assert client.get(f"/api/tips/tips/{tip.pk}/").status_code == 403
    assert client.post(f"/api/tips/tips/{tip.pk}/contact/").status_code == 403
    assert client.get("/api/tips/rewards/").status_code == 403


def test_other_district_is_404(city, api):
    tip = submit(city)
    assert api(city.inspector_b).get(f"/api/tips/tips/{tip.pk}/").status_code == 404
    assert (
        api(city.inspector_b)
        .post(f"/api/tips/tips/{tip.pk}/verify/", {"outcome": "unfounded", "reason": "x"})
        .status_code
        == 404
    )


def test_contact_api_roles(city, api):
    tip = submit(city, is_anonymous=False, reporter_name="吴十", reporter_phone="13833334444")
    assert api(city.inspector_a).post(f"/api/tips/tips/{tip.pk}/contact/").status_code == 403
    r = api(city.supervisor_a).post(f"/api/tips/tips/{tip.pk}/contact/")
    assert r.json() == {"is_anonymous": False, "name": "吴十", "phone": "13833334444"}


def test_actions_and_reward_four_eyes_via_api(city, api):
    second = UserFactory(username="tf_api2")
    MembershipFactory(user=second, role="taskforce_admin", task_force=city.task_force)
    tip = submit(city, is_anonymous=False, reporter_name="郑一", reporter_phone="13844445555")
    ins = api(city.market_inspector_a)
    assert (
        ins.post(f"/api/tips/tips/{tip.pk}/route/", {"department": city.housing_a.pk}).json()["department"]
        == city.housing_a.pk
    )
    assert ins.post(f"/api/tips/tips/{tip.pk}/start/").json()["status"] == "verifying"
    r = ins.post(f"/api/tips/tips/{tip.pk}/verify/", {"outcome": "confirmed"}, format="json")
    assert r.status_code == 400 and r.json()["error"]["fields"]
    r = ins.post(
        f"/api/tips/tips/{tip.pk}/verify/",
        {"outcome": "confirmed", "target_type": "premises", "target_id": city.premises_a.pk},
        format="json",
    )
    assert r.status_code == 200 and r.json()["hazard"]
    assert api(city.taskforce_admin).get(f"/api/tips/tips/{tip.pk}/eligibility/").json()["eligible"] is True
    tf = api(city.taskforce_admin)
    r = tf.post(f"/api/tips/tips/{tip.pk}/reward/", {"amount": "300.00"}, format="json")
    assert r.status_code == 201
    reward_id = r.json()["id"]
    r = tf.post(f"/api/tips/rewards/{reward_id}/approve/")
    assert r.status_code == 403 and "提出人" in r.json()["error"]["message"]
    assert api(second).post(f"/api/tips/rewards/{reward_id}/approve/").json()["status"] == "approved"
    today = timezone.localdate()
    pay = f"/api/tips/rewards/{reward_id}/pay/"
    r = tf.post(pay, {"paid_on": str(today - timedelta(days=1)), "reference": "V-9"}, format="json")
    assert r.status_code == 400 and "paid_on" in r.json()["error"]["fields"]  # before the approval
    r = tf.post(pay, {"paid_on": str(today), "reference": "V-9"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "paid"
    assert tf.get("/api/tips/rewards/").json()["count"] == 1


def test_operator_entry_api(city, api):
    r = api(city.inspector_a).post(
        "/api/tips/tips/",
        {
            "channel": "hotline",
            "category": "pipeline",
            "description": "路面燃气味",
            "district": "440305",
            "address": "某路",
        },
        format="json",
    )
    assert r.status_code == 201 and r.json()["channel"] == "hotline"
    r = api(city.leader).post(
        "/api/tips/tips/", {"category": "pipeline", "description": "x", "address": "y"}, format="json"
    )
    assert r.status_code == 403


def test_public_submit_and_status(city, api):
    client = api()
    r = client.post(
        "/api/tips/public/",
        {
            "category": "cylinder",
            "description": "疑似报废气瓶在用",
            "district": "440305",
            "target_name": "某饭店",
            "photos": [jpeg()],
        },
        format="multipart",
    )
    assert r.status_code == 201
    code = r.json()["code"]
    assert Tip.objects.get(code=code).photos.count() == 1
    r = client.get(f"/api/tips/public/status/{code}/")
    assert r.status_code == 200 and r.json()["stage"] == "已受理，待核查"
    assert "description" not in r.json() and "reporter" not in str(r.json())
    r = client.get("/api/tips/public/status/ABCDEFGHJKMN/")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_public_api_bad_input(city, api):
    client = api()
    r = client.post("/api/tips/public/", {"category": "hose", "description": "x"}, format="json")
    assert r.status_code == 400 and "location" in r.json()["error"]["fields"]
    r = client.post(
        "/api/tips/public/",
        {"category": "hose", "description": "x", "address": "y", "photos": [fake_photo(HTML, "a.jpg")]},
        format="multipart",
    )
    assert r.status_code == 400 and "photos" in r.json()["error"]["fields"]
    r = client.post(
        "/api/tips/public/",
        {"category": "hose", "description": "x", "address": "y", "website": "z"},
        format="json",
    )
    assert r.status_code == 400


def test_public_api_rate_limit(city, api, settings):
    settings.GASGUARD_TIP_RATE_PER_MIN = 3
    client = api()
    codes = [
        client.post(
            "/api/tips/public/",
            {"category": "hose", "description": "x", "address": "y"},
            format="json",
            REMOTE_ADDR="192.0.2.5",
        ).status_code
        for _ in range(200)
    ]
    assert codes[:3] == [201] * 3 and set(codes[3:]) == {429}
    assert Tip.objects.count() == 3
