"""Intake, routing, verification, duplicates and privacy of public reports."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gasguard.audit.models import AuditEvent
from gasguard.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from gasguard.hazards.models import Hazard
from gasguard.tips.models import Tip
from gasguard.tips.security import CODE_ALPHABET, CODE_LENGTH
from gasguard.tips.selectors import duplicate_candidates, tip_get, tip_list
from gasguard.tips.services import (
    tip_contact_reveal,
    tip_route,
    tip_start_verification,
    tip_verify,
)
from gasguard.tips.tests.factories import HTML, SVG, fake_photo, jpeg, submit

pytestmark = pytest.mark.django_db


def test_submit_creates_routed_report_with_unguessable_code(city):
    tip = submit(city, photos=[jpeg()])
    assert len(tip.code) == CODE_LENGTH and set(tip.code) <= set(CODE_ALPHABET)
    assert tip.region_code == city.street_a.code
    # 问题软管 → 市场监管 of 南山
    assert tip.status == "assigned" and tip.department == city.market_a
    assert tip.photos.count() == 1 and tip.photos.get().content_type == "image/jpeg"
    events = list(
        AuditEvent.objects.filter(object_type="tip", object_id=str(tip.pk)).values_list(
            "event_type", flat=True
        )
    )
    assert events == ["TIP_SUBMITTED", "TIP_ROUTED"]


@pytest.mark.parametrize(
    "category,kind",
    [
        ("cylinder", "market"),
        ("valve", "market"),
        ("hose", "market"),
        ("environment", "fire"),
        ("pipeline", "housing"),
        ("gas", "housing"),
        ("unlicensed", "housing"),
        ("other", "housing"),
    ],
)
def test_routing_by_category_and_place(city, category, kind):
    tip = submit(city, category=category)
    assert tip.department == city.depts[("440305", kind)]
    tip_b = submit(
        city, category=category, district_code=city.district_b.code, street_code="", lon=113.88, lat=22.55
    )
    assert tip_b.department == city.depts[("440306", kind)]


def test_routing_falls_back_to_city_department(city):
    from gasguard.org.models import Department

    Department.objects.filter(region_code="440305", kind="fire").delete()
    tip = submit(city, category="environment")
    assert tip.department == city.depts[("4403", "fire")]


def test_no_location_and_no_target_is_refused(city):
    with pytest.raises(ValidationFailed) as exc:
        submit(city, lon=None, lat=None, address="", target_name="")
    assert "location" in exc.value.errors
    assert Tip.objects.count() == 0
    # any one of point, address or target is enough
    assert submit(city, lon=None, lat=None, address="", target_name="某饭店").pk
    assert submit(city, lon=None, lat=None, address="某路2号", target_name="").pk


def test_thirty_megabyte_photo_is_refused(city):
    big = fake_photo(b"\xff\xd8\xff" + b"0" * (30 * 1024 * 1024))
    with pytest.raises(ValidationFailed) as exc:
        submit(city, photos=[big])
    assert "photos" in exc.value.errors and "过大" in exc.value.errors["photos"][0]
    assert Tip.objects.count() == 0


@pytest.mark.parametrize(
    "content,name", [(SVG, "x.jpg"), (SVG, "x.svg"), (HTML, "x.png"), (b"GIF89a", "x.gif")]
)
def test_svg_or_html_posing_as_photo_is_refused(city, content, name):
    with pytest.raises(ValidationFailed) as exc:
        submit(city, photos=[fake_photo(content, name)])
    assert "第 1 张照片" in exc.value.errors["photos"][0]
    assert Tip.objects.count() == 0


def test_too_many_photos_refused(city, settings):
    settings.GASGUARD_TIP_MAX_PHOTOS = 2
    with pytest.raises(ValidationFailed) as exc:
        submit(city, photos=[jpeg(), jpeg(), jpeg()])
    assert "最多" in exc.value.errors["photos"][0]


def test_script_in_description_is_stored_as_text(city):
    tip = submit(city, description='<script>alert("x")</script> 燃气味')
    assert Tip.objects.get(pk=tip.pk).description == '<script>alert("x")</script> 燃气味'


def test_bad_fields_are_named(city):
    with pytest.raises(ValidationFailed) as exc:
        submit(
            city,
            category="nope",
            description=" ",
            lon=22.53,
            lat=113.93,  # swapped
            is_anonymous=False,
            reporter_name="",
            reporter_phone="12345",
            street_code=city.street_b.code,  # not in district A
        )
    assert {"category", "description", "lon", "reporter_name", "reporter_phone", "street"} <= set(
        exc.value.errors
    )


def test_contact_encrypted_masked_and_revealed_only_to_authorised_roles(city):
    tip = submit(city, is_anonymous=False, reporter_name="张三", reporter_phone="138 0013 8000")
    raw = (
        Tip.objects.filter(pk=tip.pk)
        .values("reporter_name_enc", "reporter_phone_enc", "reporter_phone_masked")
        .get()
    )
    assert "张三" not in raw["reporter_name_enc"] and "13800138000" not in raw["reporter_phone_enc"]
    assert raw["reporter_phone_masked"] == "138****8000"
    assert tip_contact_reveal(actor=city.taskforce_admin, tip_id=tip.pk)["phone"] == "13800138000"
    assert tip_contact_reveal(actor=city.supervisor_a, tip_id=tip.pk)["name"] == "张三"
    assert AuditEvent.objects.filter(event_type="TIP_CONTACT_VIEWED", object_id=str(tip.pk)).count() == 2
    with pytest.raises(PermissionDenied):
        tip_contact_reveal(actor=city.inspector_a, tip_id=tip.pk)
    with pytest.raises(NotFound):
        tip_contact_reveal(actor=city.enterprise_user_a, tip_id=tip.pk)
    with pytest.raises(NotFound):
        tip_contact_reveal(actor=city.inspector_b, tip_id=tip.pk)


def test_enterprise_users_never_see_reports(city):
    tip = submit(city)
    assert not tip_list(user=city.enterprise_user_a).exists()
    with pytest.raises(NotFound):
        tip_get(user=city.enterprise_user_a, pk=tip.pk)
    assert tip_list(user=city.inspector_a).filter(pk=tip.pk).exists()
    assert not tip_list(user=city.inspector_b).filter(pk=tip.pk).exists()
    assert tip_list(user=city.taskforce_admin).filter(pk=tip.pk).exists()


def test_confirm_registers_hazard_without_reporter_data(city):
    tip = submit(city, is_anonymous=False, reporter_name="李四", reporter_phone="13912345678")
    tip_start_verification(actor=city.market_inspector_a, tip_id=tip.pk)
    tip = tip_verify(
        actor=city.market_inspector_a,
        tip_id=tip.pk,
        outcome="confirmed",
        target_type="premises",
        target_id=city.premises_a.pk,
        hazard_description="后厨软管老化开裂",
    )
    hazard = Hazard.objects.get(source_ref=f"tip:{tip.pk}")
    assert tip.hazard == hazard and tip.status == "confirmed" and tip.premises == city.premises_a
    assert hazard.source == "report" and hazard.category == "hose" and hazard.lead_department_kind == "market"
    dump = str(Hazard.objects.filter(pk=hazard.pk).values().get())
    assert "李四" not in dump and "13912345678" not in dump
    with pytest.raises(Conflict):
        tip_verify(actor=city.market_inspector_a, tip_id=tip.pk, outcome="unfounded", reason="x")


def test_verify_requires_reason_target_and_scope(city):
    tip = submit(city)
    with pytest.raises(ValidationFailed):
        tip_verify(actor=city.inspector_a, tip_id=tip.pk, outcome="unfounded")
    with pytest.raises(ValidationFailed):
        tip_verify(actor=city.inspector_a, tip_id=tip.pk, outcome="confirmed")
    with pytest.raises(ValidationFailed):  # target of another district
        tip_verify(
            actor=city.inspector_a,
            tip_id=tip.pk,
            outcome="confirmed",
            target_type="premises",
            target_id=city.premises_b.pk,
        )
    with pytest.raises(NotFound):
        tip_verify(actor=city.inspector_b, tip_id=tip.pk, outcome="unfounded", reason="x")
    with pytest.raises(PermissionDenied):
        tip_verify(actor=city.leader, tip_id=tip.pk, outcome="unfounded", reason="x")
    tip = tip_verify(actor=city.inspector_a, tip_id=tip.pk, outcome="unfounded", reason="现场无此饭店")
    assert tip.status == "unfounded" and tip.public_reply


def test_reroute_within_place_only(city):
    tip = submit(city)
    tip = tip_route(actor=city.taskforce_admin, tip_id=tip.pk, department_id=city.housing_a.pk)
    assert tip.department == city.housing_a
    with pytest.raises(ValidationFailed):
        tip_route(actor=city.taskforce_admin, tip_id=tip.pk, department_id=city.housing_b.pk)


def test_duplicate_candidates_same_premises_or_within_50m_and_30_days(city):
    first = submit(city, lon=113.9300, lat=22.5300, target_name="甲饭店")
    near = submit(city, lon=113.9303, lat=22.5302, target_name="乙饭店")  # ~36 m
    far = submit(city, lon=113.9400, lat=22.5300, target_name="丙饭店")  # ~1 km
    old = submit(city, lon=113.9300, lat=22.5300, target_name="丁饭店")
    Tip.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=45))
    same_premises = submit(city, lon=None, lat=None, address="x", target_name="戊")
    Tip.objects.filter(pk__in=[first.pk, same_premises.pk]).update(premises=city.premises_a)
    first.refresh_from_db()
    found = {c["tip"].pk: c for c in duplicate_candidates(tip=first, user=city.inspector_a)}
    assert near.pk in found and found[near.pk]["distance_m"] < 50
    assert same_premises.pk in found and "同一场所" in found[same_premises.pk]["reasons"]
    assert far.pk not in found and old.pk not in found

    tip = tip_verify(actor=city.inspector_a, tip_id=near.pk, outcome="duplicate", duplicate_of_id=first.pk)
    assert tip.status == "duplicate" and tip.duplicate_of == first
    # a duplicate of a duplicate points at the original
    third = submit(city)
    tip = tip_verify(actor=city.inspector_a, tip_id=third.pk, outcome="duplicate", duplicate_of_id=near.pk)
    assert tip.duplicate_of == first
    with pytest.raises(ValidationFailed):
        tip_verify(actor=city.inspector_a, tip_id=far.pk, outcome="duplicate", duplicate_of_id=far.pk)


def test_operator_entry_for_hotline(city):
    tip = submit(
        city,
        channel="hotline",
        actor=city.inspector_a,
        is_anonymous=False,
        reporter_name="王五",
        reporter_phone="075512345678",
    )
    assert tip.channel == "hotline" and tip.entered_by == city.inspector_a
    with pytest.raises(PermissionDenied):
        submit(city, channel="hotline", actor=city.enterprise_user_a)
    with pytest.raises(ValidationFailed):  # district B is outside inspector_a's scope
        submit(
            city,
            channel="hotline",
            actor=city.inspector_a,
            district_code=city.district_b.code,
            street_code="",
        )


def test_concurrent_verification_has_one_winner(city):
    tip = submit(city)
    stale = Tip.objects.get(pk=tip.pk)
    tip_verify(actor=city.inspector_a, tip_id=tip.pk, outcome="unfounded", reason="无")
    from gasguard.tips.services import _move

    with pytest.raises(Conflict):
        _move(stale, "unfounded")


def test_tip_counts_by_scope_and_region(city):
    from gasguard.tips.selectors import tip_counts

    submit(city)
    t = submit(city)
    submit(city, district_code=city.district_b.code, street_code="", lon=113.88, lat=22.55)
    tip_verify(actor=city.inspector_a, tip_id=t.pk, outcome="unfounded", reason="无")
    assert tip_counts()["received"] == 3
    a = tip_counts(user=city.inspector_a)
    assert a["received"] == 2 and a["by_status"]["unfounded"] == 1 and a["open"] == 1
    assert tip_counts(region_code="440306")["received"] == 1
    assert tip_counts(user=city.enterprise_user_a)["received"] == 0
