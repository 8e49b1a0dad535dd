import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gasguard.audit.models import AuditEvent
from gasguard.audit.services import audit_verify
from gasguard.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from gasguard.hazards.models import Hazard
from gasguard.inspections import services
from gasguard.inspections.choices import SEALED_MESSAGE
from gasguard.inspections.models import Inspection, InspectionTask
from gasguard.inspections.tests.conftest import all_answers, jpeg_upload, png_bytes, signature_data_url

pytestmark = pytest.mark.django_db


def start(city, user=None, premises=None):
    return services.inspection_start(
        actor=user or city.inspector_a,
        target_type="premises",
        target_id=(premises or city.premises_a).pk,
        lon=113.93,
        lat=22.53,
        accuracy=8,
    )


def test_start_records_catalog_version_position_and_audit(city, test_rules):
    inspection = start(city)
    assert inspection.status == "draft"
    assert inspection.catalog_version == test_rules.version
    assert inspection.number.startswith("JC440305")
    assert (inspection.lon, inspection.lat, inspection.accuracy_m) == (113.93, 22.53, 8)
    assert inspection.enterprise_id == city.enterprise_a.pk
    assert inspection.department == city.housing_a
    assert list(inspection.inspectors.all()) == [city.inspector_a]
    assert AuditEvent.objects.filter(event_type="INSPECTION_STARTED", object_id=str(inspection.pk)).exists()


def test_start_outside_scope_is_not_found(city):
    with pytest.raises(NotFound):
        start(city, user=city.inspector_b)


def test_enterprise_user_cannot_start(city):
    with pytest.raises(PermissionDenied):
        start(city, user=city.enterprise_user_a)


def test_swapped_coordinates_refused(city):
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_start(
            actor=city.inspector_a, target_type="premises", target_id=city.premises_a.pk, lon=22.5, lat=113.9
        )
    assert "lon" in exc.value.errors


def test_answer_outside_rule_type_is_refused_naming_the_rule(city):
    inspection = start(city)
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_record_answers(
            actor=city.inspector_a,
            inspection_id=inspection.pk,
            answers=[
                {"rule_id": "zzt_hose_length", "value": "两米半"},
                {"rule_id": "zzt_detector_installed", "value": "maybe"},
                {"rule_id": "zzt_lpg_underground", "value": "屋顶"},
            ],
        )
    assert set(exc.value.errors) == {"zzt_hose_length", "zzt_detector_installed", "zzt_lpg_underground"}
    assert "zzt_hose_length" in exc.value.errors["zzt_hose_length"][0]
    assert not inspection.answers.exists()  # all or nothing


def test_unknown_and_inapplicable_rules_refused(city):
    inspection = start(city)
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_record_answers(
            actor=city.inspector_a,
            inspection_id=inspection.pk,
            answers=[
                {"rule_id": "no_such_rule", "value": True},
                {"rule_id": "reg_unlicensed_role", "value": False},
            ],
        )
    assert "规则库中没有规则 no_such_rule" in exc.value.errors["no_such_rule"][0]
    assert "不适用" in exc.value.errors["reg_unlicensed_role"][0]


def test_fixed_on_spot_only_for_hazards(city):
    inspection = start(city)
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_record_answers(
            actor=city.inspector_a,
            inspection_id=inspection.pk,
            answers=[{"rule_id": "zzt_hose_length", "value": 1.5, "fixed_on_spot": True}],
        )
    assert "zzt_hose_length" in exc.value.errors


def test_photo_not_an_image_or_too_large_refused(city, settings):
    inspection = start(city)
    fake = SimpleUploadedFile(
        "x.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/jpeg"
    )
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_add_photo(actor=city.inspector_a, inspection_id=inspection.pk, upload=fake)
    assert "不是有效的图片" in exc.value.message
    big = SimpleUploadedFile("big.png", png_bytes() + b"\0" * (11 * 1024 * 1024), content_type="image/png")
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_add_photo(actor=city.inspector_a, inspection_id=inspection.pk, upload=big)
    assert "图片过大" in exc.value.message
    photo = services.inspection_add_photo(
        actor=city.inspector_a, inspection_id=inspection.pk, upload=jpeg_upload(), rule_id="zzt_kitchen_photo"
    )
    assert len(photo.sha256) == 64 and photo.content_type == "image/jpeg"


def test_seal_without_signatures_or_answers_is_refused(city):
    inspection = start(city)
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_seal(actor=city.inspector_a, inspection_id=inspection.pk)
    assert "signatures" in exc.value.errors
    assert "zzt_hose_length" in exc.value.errors
    services.inspection_record_answers(
        actor=city.inspector_a, inspection_id=inspection.pk, answers=all_answers(inspection)
    )
    services.inspection_sign(
        actor=city.inspector_a,
        inspection_id=inspection.pk,
        signer_role="inspector",
        image=signature_data_url(),
    )
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_seal(actor=city.inspector_a, inspection_id=inspection.pk)
    assert "代表" in exc.value.errors["signatures"][0]


def test_blank_signature_refused_and_refusal_needs_note(city):
    inspection = start(city)
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_sign(
            actor=city.inspector_a,
            inspection_id=inspection.pk,
            signer_role="inspector",
            image=signature_data_url(ink=False),
        )
    assert "空白" in exc.value.message
    with pytest.raises(ValidationFailed):
        services.inspection_sign(
            actor=city.inspector_a, inspection_id=inspection.pk, signer_role="representative", refused=True
        )
    with pytest.raises(ValidationFailed):
        services.inspection_sign(
            actor=city.inspector_a,
            inspection_id=inspection.pk,
            signer_role="inspector",
            image="data:text/html;base64,PGI+",
        )


def test_no_hazard_record_is_complete_and_sealed(city, sign_both):
    inspection = start(city)
    services.inspection_record_answers(
        actor=city.inspector_a,
        inspection_id=inspection.pk,
        answers=all_answers(inspection),
        summary="未发现隐患",
    )
    sign_both(inspection, city.inspector_a, refused=True)
    sealed = services.inspection_seal(actor=city.inspector_a, inspection_id=inspection.pk)
    assert sealed.status == "sealed" and sealed.no_hazard_found and sealed.hazard_count == 0
    assert len(sealed.seal_hash) == 64
    assert not Hazard.objects.filter(source_ref=f"inspection:{inspection.pk}").exists()
    event = AuditEvent.objects.get(event_type="INSPECTION_SEALED", object_id=str(inspection.pk))
    assert event.payload["seal_hash"] == sealed.seal_hash
    assert event.payload["no_hazard_found"] is True
    assert len(event.payload["signature_hashes"]) == 2
    assert audit_verify().ok


def test_seal_registers_hazards_with_rule_defaults(city, sign_both):
    inspection = start(city)
    services.inspection_record_answers(
        actor=city.inspector_a,
        inspection_id=inspection.pk,
        answers=all_answers(
            inspection, zzt_hose_length={"value": 2.5, "note": "软管约2.5米"}, zzt_lpg_underground="地下"
        ),
    )
    sign_both(inspection, city.inspector_a)
    sealed = services.inspection_seal(actor=city.inspector_a, inspection_id=inspection.pk)
    assert sealed.hazard_count == 2 and not sealed.no_hazard_found
    hazards = {h.rule_id: h for h in Hazard.objects.filter(source_ref=f"inspection:{inspection.pk}")}
    hose = hazards["zzt_hose_length"]
    assert hose.source == "inspection" and hose.category == "hose" and hose.lead_department_kind == "fire"
    assert hose.lead_department == city.depts[("440305", "fire")]
    assert "2.5m" in hose.description and "GB 55009" in hose.legal_basis
    assert hose.deadline == timezone.localdate() + datetime.timedelta(days=15)
    assert hose.premises == city.premises_a
    assert hazards["zzt_lpg_underground"].severity == "major" and hazards["zzt_lpg_underground"].is_supervised
    answer = sealed.answers.get(rule_id="zzt_hose_length")
    assert answer.hazard == hose
    assert audit_verify().ok


def test_fixed_on_spot_needs_photo_and_closes_hazard(city, sign_both):
    inspection = start(city)
    services.inspection_record_answers(
        actor=city.inspector_a,
        inspection_id=inspection.pk,
        answers=all_answers(
            inspection, zzt_hose_length={"value": 3, "fixed_on_spot": True, "note": "已更换1.5米软管"}
        ),
    )
    sign_both(inspection, city.inspector_a)
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_seal(actor=city.inspector_a, inspection_id=inspection.pk)
    assert "照片" in exc.value.errors["zzt_hose_length"][0]
    services.inspection_add_photo(
        actor=city.inspector_a, inspection_id=inspection.pk, upload=jpeg_upload(), rule_id="zzt_hose_length"
    )
    services.inspection_seal(actor=city.inspector_a, inspection_id=inspection.pk)
    hazard = Hazard.objects.get(source_ref=f"inspection:{inspection.pk}")
    assert hazard.status == "closed"
    assert hazard.evidence_count == 1


def test_sealed_inspection_cannot_be_edited(city, sign_both):
    inspection = start(city)
    services.inspection_record_answers(
        actor=city.inspector_a, inspection_id=inspection.pk, answers=all_answers(inspection)
    )
    sign_both(inspection, city.inspector_a)
    services.inspection_seal(actor=city.inspector_a, inspection_id=inspection.pk)
    for call in (
        lambda: services.inspection_record_answers(
            actor=city.inspector_a, inspection_id=inspection.pk, answers=all_answers(inspection)
        ),
        lambda: services.inspection_add_photo(
            actor=city.inspector_a, inspection_id=inspection.pk, upload=jpeg_upload()
        ),
        lambda: services.inspection_sign(
            actor=city.inspector_a,
            inspection_id=inspection.pk,
            signer_role="representative",
            name="x",
            image=signature_data_url(),
        ),
        lambda: services.inspection_seal(actor=city.inspector_a, inspection_id=inspection.pk),
    ):
        with pytest.raises(Conflict) as exc:
            call()
        assert exc.value.message == SEALED_MESSAGE


def test_only_the_inspections_inspectors_may_edit(city):
    inspection = start(city)
    with pytest.raises(PermissionDenied):
        services.inspection_record_answers(
            actor=city.supervisor_a, inspection_id=inspection.pk, answers=all_answers(inspection)
        )


def test_correction_is_a_new_record_linked_to_the_sealed_one(city, sign_both):
    inspection = start(city)
    services.inspection_record_answers(
        actor=city.inspector_a,
        inspection_id=inspection.pk,
        answers=all_answers(inspection, zzt_hose_length=2.6),
    )
    sign_both(inspection, city.inspector_a)
    sealed = services.inspection_seal(actor=city.inspector_a, inspection_id=inspection.pk)
    with pytest.raises(ValidationFailed):
        services.inspection_correct(actor=city.inspector_a, inspection_id=sealed.pk, reason="")
    correction = services.inspection_correct(
        actor=city.inspector_a, inspection_id=sealed.pk, reason="探测器项误录"
    )
    assert correction.corrects == sealed and correction.status == "draft"
    assert correction.answers.count() == sealed.answers.count()
    with pytest.raises(Conflict):
        services.inspection_correct(actor=city.inspector_a, inspection_id=sealed.pk, reason="again")
    services.inspection_record_answers(
        actor=city.inspector_a,
        inspection_id=correction.pk,
        answers=[{"rule_id": "zzt_detector_installed", "value": False}],
    )
    sign_both(correction, city.inspector_a)
    corrected = services.inspection_seal(actor=city.inspector_a, inspection_id=correction.pk)
    assert corrected.hazard_count == 2
    # The hose hazard is inherited, not registered twice; the detector hazard is new.
    assert Hazard.objects.filter(rule_id="zzt_hose_length").count() == 1
    assert Hazard.objects.filter(rule_id="zzt_detector_installed").count() == 1
    sealed.refresh_from_db()
    assert sealed.status == "sealed" and sealed.seal_hash  # the original is untouched
    assert AuditEvent.objects.filter(event_type="INSPECTION_CORRECTED", object_id=str(sealed.pk)).exists()


def test_concurrent_seal_only_one_wins(city, sign_both):
    inspection = start(city)
    services.inspection_record_answers(
        actor=city.inspector_a, inspection_id=inspection.pk, answers=all_answers(inspection)
    )
    sign_both(inspection, city.inspector_a)
    # Simulate the other device sealing between our read and our conditional update.
    Inspection.objects.filter(pk=inspection.pk).update(status="sealed")
    with pytest.raises(Conflict):
        services.inspection_seal(actor=city.inspector_a, inspection_id=inspection.pk)


def test_batch_create_makes_tasks_for_registered_targets(city):
    from gasguard.registry.tests.factories import PremisesFactory

    PremisesFactory(region=city.street_a, name="南山早餐店")
    PremisesFactory(region=city.street_a, name="南山学校食堂", kind="school")
    batch = services.batch_create(
        actor=city.taskforce_admin,
        name="南山区第一轮集中攻坚",
        kind="campaign",
        region_code="440305",
        target_type="premises",
        target_kinds=["restaurant"],
        due_date=timezone.localdate(),
        assignee_ids=[city.inspector_a.pk],
    )
    tasks = InspectionTask.objects.filter(batch=batch)
    assert sorted(t.target_name for t in tasks) == ["南山川菜馆", "南山早餐店"]
    assert all(list(t.assignees.all()) == [city.inspector_a] for t in tasks)
    assert AuditEvent.objects.filter(event_type="INSPECTION_BATCH_CREATED").count() == 1


def test_batch_create_permission_and_validation(city):
    with pytest.raises(PermissionDenied):
        services.batch_create(
            actor=city.inspector_a,
            name="x",
            kind="campaign",
            region_code="440305",
            target_type="premises",
            due_date=timezone.localdate(),
        )
    with pytest.raises(ValidationFailed) as exc:
        services.batch_create(
            actor=city.taskforce_admin,
            name="",
            kind="bad",
            region_code="440305",
            target_type="premises",
            target_kinds=["zoo"],
            due_date=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert {"name", "kind", "target_kinds", "due_date"} <= set(exc.value.errors)
    with pytest.raises(NotFound):
        services.batch_create(
            actor=city.supervisor_a,
            name="宝安",
            kind="campaign",
            region_code="440306",
            target_type="premises",
            due_date=timezone.localdate(),
        )
    with pytest.raises(ValidationFailed):
        services.batch_create(
            actor=city.supervisor_a,
            name="x",
            kind="campaign",
            region_code="440305",
            target_type="premises",
            due_date=timezone.localdate(),
            assignee_ids=[city.inspector_b.pk],
        )


def test_task_flow_start_resume_seal_marks_done(city, sign_both):
    batch = services.batch_create(
        actor=city.taskforce_admin,
        name="南山",
        kind="campaign",
        region_code="440305",
        target_type="premises",
        due_date=timezone.localdate(),
    )
    task = batch.tasks.get()
    with pytest.raises(PermissionDenied):
        services.inspection_start(actor=city.inspector_a, task_id=task.pk)
    services.task_assign(actor=city.supervisor_a, task_ids=[task.pk], assignee_ids=[city.inspector_a.pk])
    first = services.inspection_start(actor=city.inspector_a, task_id=task.pk)
    again = services.inspection_start(actor=city.inspector_a, task_id=task.pk)
    assert first.pk == again.pk  # resumes the open draft
    services.inspection_record_answers(
        actor=city.inspector_a, inspection_id=first.pk, answers=all_answers(first)
    )
    sign_both(first, city.inspector_a)
    services.inspection_seal(actor=city.inspector_a, inspection_id=first.pk)
    task.refresh_from_db()
    assert task.status == "done" and task.completed_at
    with pytest.raises(Conflict):
        services.inspection_start(actor=city.inspector_a, task_id=task.pk)


def test_notice_issued_once_and_only_for_sealed_with_hazards(city, sign_both):
    inspection = start(city)
    services.inspection_record_answers(
        actor=city.inspector_a,
        inspection_id=inspection.pk,
        answers=all_answers(inspection, zzt_hose_length=2.5),
    )
    with pytest.raises(Conflict):
        services.inspection_issue_notice(actor=city.inspector_a, inspection_id=inspection.pk)
    sign_both(inspection, city.inspector_a)
    services.inspection_seal(actor=city.inspector_a, inspection_id=inspection.pk)
    issued = services.inspection_issue_notice(actor=city.inspector_a, inspection_id=inspection.pk)
    assert issued.notice_number.startswith("ZG440305") and issued.notice_issued_by == city.inspector_a
    services.inspection_issue_notice(actor=city.supervisor_a, inspection_id=inspection.pk)
    assert AuditEvent.objects.filter(event_type="INSPECTION_NOTICE_ISSUED").count() == 1
