"""Unknown filter values are an error naming the field: a 400 on the API, the filter form's error
(and no rows, never the unfiltered list) on the pages."""

import pytest
from django.urls import reverse

from gasguard.core.tests.filter_asserts import assert_api_refuses, assert_page_refuses
from gasguard.hazards import services
from gasguard.hazards.tests.factories import make_hazard


@pytest.fixture
def referrals(city):
    """Two hazards of district A referred to 市场监管; the second referral is accepted."""
    made = []
    for title in ("软管老化", "无报警器"):
        hazard = make_hazard(city.inspector_a, city.premises_a, title=title)
        made.append(
            services.hazard_refer(
                actor=city.supervisor_a, hazard_id=hazard.pk, to_kind="market", reason="溯源"
            )
        )
    services.referral_accept(actor=city.market_inspector_a, referral_id=made[1].pk)
    return made


@pytest.mark.django_db
def test_referral_api_refuses_unknown_status_naming_field_and_values(city, referrals, api):
    response = api(city.supervisor_a).get("/api/hazards/referrals/", {"status": "bogus"})
    assert_api_refuses(response, "status", "bogus", "pending", "accepted", "returned")


@pytest.mark.django_db
def test_referral_api_status_still_filters(city, referrals, api):
    client = api(city.supervisor_a)
    assert client.get("/api/hazards/referrals/").json()["count"] == 2
    accepted = client.get("/api/hazards/referrals/", {"status": "accepted"}).json()
    assert [r["id"] for r in accepted["results"]] == [referrals[1].pk]
    assert client.get("/api/hazards/referrals/", {"status": ""}).json()["count"] == 2


@pytest.mark.django_db
def test_referral_page_shows_status_error_and_no_rows(city, referrals, login):
    response = login(city.supervisor_a).get(reverse("hazards:referral_list"), {"status": "bogus"})
    assert_page_refuses(
        response,
        response.context["filter_errors"],
        "status",
        shown=["状态的值“bogus”无效"],
        absent=[referrals[0].hazard.code],
    )


@pytest.mark.django_db
def test_referral_page_valid_status_filters(city, referrals, login):
    response = login(city.supervisor_a).get(reverse("hazards:referral_list"), {"status": "pending"})
    assert [r.pk for r in response.context["page_obj"].object_list] == [referrals[0].pk]
    assert 'data-testid="filter-error"' not in response.content.decode()


@pytest.fixture
def ledger(city):
    return [
        make_hazard(city.inspector_a, city.premises_a, title="软管老化", severity="major"),
        make_hazard(city.inspector_a, city.premises_a, title="无报警器", category="environment"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"severity": "bogus"}, "severity"),
        ({"department": "abc"}, "department"),
        ({"overdue": "maybe"}, "overdue"),
    ],
)
def test_ledger_page_bad_filter_shows_field_error_and_no_rows(city, ledger, login, params, field):
    response = login(city.supervisor_a).get(reverse("hazards:hazard_list"), params)
    assert_page_refuses(
        response,
        response.context["filter"].form.errors,
        field,
        shown=['data-testid="filter-error"', "筛选条件有误"],
        absent=[ledger[0].code, 'data-testid="export"'],
    )
    assert response.context["totals"]["total"] == 0


@pytest.mark.django_db
def test_ledger_page_valid_filter_still_filters(city, ledger, login):
    response = login(city.supervisor_a).get(reverse("hazards:hazard_list"), {"severity": "major"})
    assert [h.pk for h in response.context["page_obj"].object_list] == [ledger[0].pk]
    html = response.content.decode()
    assert 'data-testid="filter-error"' not in html and 'data-testid="export"' in html


@pytest.mark.django_db
def test_ledger_export_with_bad_filter_goes_back_to_the_list(city, ledger, login):
    response = login(city.supervisor_a).get(reverse("hazards:hazard_export"), {"severity": "bogus"})
    assert response.status_code == 302
    assert response["Location"] == reverse("hazards:hazard_list") + "?severity=bogus"


@pytest.mark.django_db
def test_ledger_api_unknown_choice_is_400_naming_field(city, ledger, api):
    assert_api_refuses(api(city.supervisor_a).get("/api/hazards/hazards/", {"severity": "bogus"}), "severity")


# --- enforcement ?kind= and 回头看 ?status= ----------------------------------------------------------


@pytest.fixture
def enforcement(city):
    """A fine and an order to rectify against one hazard of district A."""
    hazard = make_hazard(city.inspector_a, city.premises_a, title="软管老化")
    fine = services.enforcement_record(
        actor=city.inspector_a, hazard_id=hazard.pk, kind="fine", fine_amount="500", decision_number="罚1号"
    )
    order = services.enforcement_record(
        actor=city.inspector_a, hazard_id=hazard.pk, kind="order_rectify", decision_number="责1号"
    )
    return fine, order


@pytest.fixture
def revisits(city):
    """A pending and an ok 回头看 sample of district A."""
    from datetime import timedelta

    from django.utils import timezone

    from gasguard.hazards.models import RevisitSample

    made = []
    for title, status in (("无报警器", "pending"), ("软管过长", "ok")):
        hazard = make_hazard(city.inspector_a, city.premises_a, title=title)
        made.append(
            RevisitSample.objects.create(
                hazard=hazard,
                region_code=hazard.region_code,
                due_on=timezone.localdate() + timedelta(days=30),
                reason="重大隐患",
                status=status,
            )
        )
    return made


@pytest.mark.django_db
def test_enforcement_api_refuses_unknown_kind_naming_field_and_values(city, enforcement, api):
    client = api(city.supervisor_a)
    for url in ("/api/hazards/enforcement/", "/api/hazards/enforcement/totals/"):
        assert_api_refuses(client.get(url, {"kind": "bogus"}), "kind", "bogus", "fine", "order_rectify")


@pytest.mark.django_db
def test_enforcement_api_kind_still_filters(city, enforcement, api):
    client = api(city.supervisor_a)
    fines = client.get("/api/hazards/enforcement/", {"kind": "fine"}).json()
    assert [r["id"] for r in fines["results"]] == [enforcement[0].pk]
    assert client.get("/api/hazards/enforcement/", {"kind": ""}).json()["count"] == 2
    assert client.get("/api/hazards/enforcement/totals/", {"kind": "fine"}).json()["total"] == 1


@pytest.mark.django_db
def test_enforcement_page_shows_kind_error_and_no_rows(city, enforcement, login):
    response = login(city.supervisor_a).get(reverse("hazards:enforcement_list"), {"kind": "bogus"})
    html = assert_page_refuses(
        response,
        response.context["filter_errors"],
        "kind",
        shown=["措施的值“bogus”无效"],
        absent=["罚1号", "责1号"],
    )
    assert "共 0 条" in html


@pytest.mark.django_db
def test_enforcement_page_valid_kind_filters(city, enforcement, login):
    response = login(city.supervisor_a).get(reverse("hazards:enforcement_list"), {"kind": "fine"})
    assert [e.pk for e in response.context["page_obj"].object_list] == [enforcement[0].pk]
    assert 'data-testid="filter-error"' not in response.content.decode()


@pytest.mark.django_db
def test_revisit_api_refuses_unknown_status_naming_field_and_values(city, revisits, api):
    response = api(city.supervisor_a).get("/api/hazards/revisits/", {"status": "bogus"})
    assert_api_refuses(response, "status", "bogus", "pending", "ok", "reappeared")


@pytest.mark.django_db
def test_revisit_api_status_still_filters(city, revisits, api):
    client = api(city.supervisor_a)
    pending = client.get("/api/hazards/revisits/", {"status": "pending"}).json()
    assert [r["id"] for r in pending["results"]] == [revisits[0].pk]
    assert client.get("/api/hazards/revisits/").json()["count"] == 2


@pytest.mark.django_db
def test_revisit_page_shows_status_error_and_no_rows(city, revisits, login):
    response = login(city.supervisor_a).get(reverse("hazards:revisit_list"), {"status": "bogus"})
    assert_page_refuses(
        response,
        response.context["filter_errors"],
        "status",
        shown=["状态的值“bogus”无效"],
        absent=[revisits[0].hazard.code, revisits[1].hazard.code],
    )


@pytest.mark.django_db
def test_revisit_page_valid_status_filters(city, revisits, login):
    response = login(city.supervisor_a).get(reverse("hazards:revisit_list"), {"status": "ok"})
    assert [s.pk for s in response.context["page_obj"].object_list] == [revisits[1].pk]
    assert 'data-testid="filter-error"' not in response.content.decode()
