"""Ledger pages: scope per persona, totals that add up, actions through the UI, query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gasguard.hazards import services
from gasguard.hazards.models import Hazard, HazardReferral
from gasguard.hazards.tests.factories import make_hazard, png_upload


@pytest.fixture
def ledger(city):
    today = timezone.localdate()
    hazards = [
        make_hazard(city.inspector_a, city.premises_a, title="软管老化"),
        make_hazard(
            city.inspector_a, city.premises_a, title="无报警器", category="environment", severity="major"
        ),
        make_hazard(
            city.inspector_a, city.premises_a, title="逾期", deadline=today - datetime.timedelta(days=3)
        ),
        make_hazard(city.inspector_b, city.premises_b, title="宝安隐患"),
    ]
    services.hazard_submit_rectification(
        actor=city.enterprise_user_a,
        hazard_id=hazards[0].pk,
        measures="已更换",
        evidence_files=[png_upload()],
    )
    services.hazard_verify(actor=city.supervisor_a, hazard_id=hazards[0].pk, passed=True)
    return hazards


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("inspector_a", 3),
        ("supervisor_a", 3),
        ("inspector_b", 1),
        ("taskforce_admin", 4),
        ("leader", 4),
        ("enterprise_user_a", 3),
        ("enterprise_user_b", 1),
        ("market_inspector_a", 3),
    ],
)
def test_list_scope_per_persona(city, ledger, login, persona, expected):
    response = login(getattr(city, persona)).get(reverse("hazards:hazard_list"))
    assert response.status_code == 200
    assert response.context["totals"]["total"] == expected
    assert len(response.context["page_obj"].object_list) == expected


@pytest.mark.django_db
def test_other_districts_hazard_is_404(city, ledger, login):
    client = login(city.inspector_b)
    assert client.get(reverse("hazards:hazard_detail", args=[ledger[0].pk])).status_code == 404
    assert client.get(reverse("hazards:hazard_detail", args=[ledger[3].pk])).status_code == 200
    response = client.post(reverse("hazards:hazard_action", args=[ledger[1].pk, "start"]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, ledger):
    response = client.get(reverse("hazards:hazard_list"))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


@pytest.mark.django_db
def test_totals_add_up_under_filters(city, ledger, login):
    client = login(city.taskforce_admin)
    for params in (
        {},
        {"region": "440305"},
        {"severity": "major"},
        {"overdue": "1"},
        {"status": ["pending"]},
    ):
        totals = client.get(reverse("hazards:hazard_list"), params).context["totals"]
        assert sum(s["count"] for s in totals["by_status"]) == totals["total"]
        assert sum(s["count"] for s in totals["by_severity"]) == totals["total"]
        assert totals["open"] + totals["closed"] == totals["total"]
        assert totals["overdue"] + totals["not_overdue_open"] == totals["open"]
    totals = client.get(reverse("hazards:hazard_list"), {"region": "440305"}).context["totals"]
    assert totals["total"] == 3 and totals["closed"] == 1 and totals["overdue"] == 1
    assert client.get(reverse("hazards:hazard_list"), {"q": "宝安"}).context["totals"]["total"] == 1


@pytest.mark.django_db
def test_filters(city, ledger, login):
    client = login(city.taskforce_admin)

    def count(**params):
        return client.get(reverse("hazards:hazard_list"), params).context["totals"]["total"]

    assert count(severity="major") == 1
    assert count(category="environment") == 1
    assert count(status="closed") == 1
    assert count(overdue="1") == 1 and count(overdue="0") == 3
    assert count(supervised="1") == 1
    assert count(source="inspection") == 4
    assert count(target_type="premises") == 4
    assert count(department=city.housing_a.pk) == 3
    today = timezone.localdate().isoformat()
    assert count(found_from=today, found_to=today) == 4
    assert count(closed_from=today) == 1
    assert count(deadline_to=(timezone.localdate() - datetime.timedelta(days=1)).isoformat()) == 1


@pytest.mark.django_db
def test_list_page_query_count_is_pinned(city, ledger, login, django_assert_max_num_queries):
    for _ in range(20):
        make_hazard(city.inspector_a, city.premises_a, title="批量")
    client = login(city.supervisor_a)
    client.get(reverse("hazards:hazard_list"))
    with django_assert_max_num_queries(11):
        response = client.get(reverse("hazards:hazard_list"))
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "expected"), [("supervisor_a", 3), ("market_inspector_a", 4)])
def test_list_page_reads_referrals_received_once(city, ledger, login, persona, expected):
    """The list and its totals share one lookup of the hazards referred (移送) to the user's
    department from outside its region — whether the totals come from the cube or the ledger."""
    HazardReferral.objects.create(
        hazard=ledger[3], region_code=ledger[3].region_code, to_kind="market", to_department=city.market_a,
        to_region_code=city.market_a.region.code, reason="溯源",
    )  # fmt: skip
    client = login(getattr(city, persona))
    for params in ({}, {"severity": "general"}, {"category": "hose"}, {"q": "隐患"}, {"overdue": "1"}):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("hazards:hazard_list"), params)
        listed = {h.pk for h in response.context["page_obj"].object_list}
        assert response.context["totals"]["total"] == len(listed), params
        referral_reads = [q for q in queries.captured_queries if "hazards_hazardreferral" in q["sql"]]
        assert len(referral_reads) == 1, params
    assert len(response.context["page_obj"].object_list) == 1  # the overdue one in 南山
    response = client.get(reverse("hazards:hazard_list"))
    assert response.context["totals"]["total"] == expected
    assert (ledger[3].pk in {h.pk for h in response.context["page_obj"].object_list}) == (expected == 4)


@pytest.mark.django_db
def test_detail_page_shows_history_and_actions(city, ledger, login, django_assert_max_num_queries):
    client = login(city.enterprise_user_a)
    url = reverse("hazards:hazard_detail", args=[ledger[1].pk])
    response = client.get(url)
    content = response.content.decode()
    assert "提交验收" in content and "/inspections/timeline/premises/" in content
    assert "验收通过" not in content
    content = (
        login(city.supervisor_a).get(reverse("hazards:hazard_detail", args=[ledger[0].pk])).content.decode()
    )
    assert "HAZARD_CLOSED" in content and "整改佐证（1）" in content


@pytest.mark.django_db
def test_enterprise_uploads_and_supervisor_verifies_through_the_ui(city, ledger, login):
    hazard = ledger[1]
    client = login(city.enterprise_user_a)
    response = client.post(
        reverse("hazards:hazard_action", args=[hazard.pk, "submit"]),
        {"measures": "已安装可燃气体报警器", "evidence": [png_upload()]},
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == "awaiting_verification"
    evidence = hazard.evidence.get()
    assert client.get(reverse("hazards:evidence_file", args=[evidence.pk])).status_code == 200
    client.logout()
    client = login(city.inspector_b)
    assert client.get(reverse("hazards:evidence_file", args=[evidence.pk])).status_code == 404
    client.logout()
    client = login(city.supervisor_a)
    response = client.post(
        reverse("hazards:hazard_action", args=[hazard.pk, "verify_pass"]), {"reason": "合格"}, follow=True
    )
    assert "已销号" in response.content.decode()
    hazard.refresh_from_db()
    assert hazard.status == "closed"


@pytest.mark.django_db
def test_ui_shows_the_conflict_message(city, ledger, login):
    client = login(city.supervisor_a)
    response = client.post(reverse("hazards:hazard_action", args=[ledger[0].pk, "start"]), follow=True)
    assert "不能执行" in response.content.decode()


@pytest.mark.django_db
def test_referral_enforcement_revisit_pages(city, ledger, login, settings):
    settings.GASGUARD_REVISIT_GENERAL_SHARE = 1.0
    client = login(city.inspector_a)
    client.post(
        reverse("hazards:hazard_action", args=[ledger[1].pk, "refer"]),
        {"to_kind": "market", "reason": "溯源"},
    )
    client.post(
        reverse("hazards:hazard_action", args=[ledger[1].pk, "enforcement"]),
        {"kind": "fine", "fine_amount": "2000", "decision_number": "罚1号"},
    )
    assert "2000" in client.get(reverse("hazards:enforcement_list")).content.decode()
    client.logout()
    market = login(city.market_inspector_a)
    page = market.get(reverse("hazards:referral_list")).content.decode()
    assert "接收" in page
    referral = ledger[1].referrals.get()
    market.post(reverse("hazards:referral_decide", args=[referral.pk, "accept"]), {"response": "收到"})
    referral.refresh_from_db()
    assert referral.status == "accepted"
    market.logout()
    h = make_hazard(city.inspector_a, city.premises_a, title="回头看对象")
    services.hazard_close_on_spot(
        actor=city.inspector_a, hazard_id=h.pk, evidence_files=[png_upload()], note=""
    )
    client = login(city.inspector_a)
    assert "回头看对象" in client.get(reverse("hazards:revisit_list")).content.decode()
    sample = h.revisit
    response = client.post(
        reverse("hazards:revisit_record", args=[sample.pk]), {"outcome": "reappeared", "note": "再次出现"}
    )
    new = Hazard.objects.get(reappeared_from=h)
    assert response["Location"] == reverse("hazards:hazard_detail", args=[new.pk])


@pytest.mark.django_db
def test_assign_and_control_through_ui(city, ledger, login):
    client = login(city.supervisor_a)
    new_deadline = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    client.post(
        reverse("hazards:hazard_action", args=[ledger[1].pk, "assign"]),
        {
            "responsible_person": "赵六",
            "deadline": new_deadline,
            "reason": "调整",
            "supervisor": city.inspector_a.pk,
        },
    )
    ledger[1].refresh_from_db()
    assert ledger[1].responsible_person == "赵六" and ledger[1].supervisor == city.inspector_a
    client.logout()
    client = login(city.enterprise_user_a)
    client.post(
        reverse("hazards:hazard_action", args=[ledger[2].pk, "control_request"]),
        {"measures": "停用", "new_deadline": new_deadline},
    )
    client.logout()
    client = login(city.supervisor_a)
    assert "批准管控" in client.get(reverse("hazards:hazard_detail", args=[ledger[2].pk])).content.decode()
    client.post(reverse("hazards:hazard_action", args=[ledger[2].pk, "control_approve"]), {"reason": "同意"})
    ledger[2].refresh_from_db()
    assert ledger[2].status == "controlled"


def test_timeline_link_only_to_a_target_in_scope(city, login):
    """A facility in 南山 of an enterprise registered in 宝安: the 南山 inspector gets no timeline
    link (the enterprise's timeline is 404 for them); a premises in scope is linked."""
    from gasguard.registry.models import Facility
    from gasguard.registry.tests.factories import PremisesFactory

    facility = Facility.objects.create(
        kind="filling_station",
        name="南山站",
        enterprise=city.enterprise_b,
        region=city.street_a,
        region_code=city.street_a.code,
    )
    on_facility = make_hazard(city.inspector_a, facility)
    premises = PremisesFactory(region=city.street_a, enterprise=city.enterprise_b)
    on_premises = make_hazard(city.inspector_a, premises)
    c = login(city.inspector_a)
    page = c.get(reverse("hazards:hazard_detail", args=[on_facility.pk])).content.decode()
    assert "/inspections/timeline/" not in page
    assert c.get(f"/inspections/timeline/enterprise/{city.enterprise_b.pk}/").status_code == 404
    page = c.get(reverse("hazards:hazard_detail", args=[on_premises.pk])).content.decode()
    assert f"/inspections/timeline/premises/{premises.pk}/" in page
    page = (
        login(city.taskforce_admin)
        .get(reverse("hazards:hazard_detail", args=[on_facility.pk]))
        .content.decode()
    )
    assert f"/inspections/timeline/enterprise/{city.enterprise_b.pk}/" in page
