"""The closed loop edge by edge: every action from every status, allowed or refused."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from gasguard.audit.services import audit_verify
from gasguard.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from gasguard.hazards import services
from gasguard.hazards.choices import TRANSITIONS, HazardActionChoices, HazardStatusChoices
from gasguard.hazards.models import Hazard, HazardControlRequest, HazardHistory
from gasguard.hazards.tests.factories import pdf_upload, png_upload, text_upload

S = HazardStatusChoices
A = HazardActionChoices


def force_status(hazard, status, city):
    """Put a hazard into a status directly (test setup), respecting the closure constraint."""
    fields = {"status": status}
    if status == S.AWAITING_VERIFICATION:
        fields.update(evidence_count=1, rectified_by=city.enterprise_user_a, rectified_at=timezone.now())
    if status == S.CLOSED:
        fields.update(evidence_count=1, verified_by=city.supervisor_a, closed_at=timezone.now())
    Hazard.objects.filter(pk=hazard.pk).update(**fields)
    hazard.refresh_from_db()
    return hazard


def run(action, hazard, city):
    if action == A.START:
        return services.hazard_start(actor=city.enterprise_user_a, hazard_id=hazard.pk)
    if action == A.CONTROL:
        services.hazard_control_request(
            actor=city.enterprise_user_a,
            hazard_id=hazard.pk,
            measures="停用该灶具，关闭气源",
            new_deadline=timezone.localdate() + datetime.timedelta(days=20),
        )
        return services.hazard_control_approve(actor=city.supervisor_a, hazard_id=hazard.pk)
    if action == A.SUBMIT:
        return services.hazard_submit_rectification(
            actor=city.enterprise_user_a,
            hazard_id=hazard.pk,
            measures="已更换软管",
            evidence_files=[png_upload()],
        )
    if action == A.VERIFY_PASS:
        return services.hazard_verify(actor=city.supervisor_a, hazard_id=hazard.pk, passed=True)
    if action == A.VERIFY_FAIL:
        return services.hazard_verify(
            actor=city.supervisor_a, hazard_id=hazard.pk, passed=False, reason="软管未更换"
        )
    if action == A.CLOSE_ON_SPOT:
        return services.hazard_close_on_spot(
            actor=city.inspector_a, hazard_id=hazard.pk, evidence_files=[png_upload()], note="现场更换"
        )
    raise AssertionError(action)


EDGES = [(action, status) for action in A.values for status in S.values]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "from_status"), EDGES)
def test_every_edge_of_the_transition_map(city, hazard, action, from_status):
    force_status(hazard, from_status, city)
    allowed_from, to_status = TRANSITIONS[action]
    if from_status in allowed_from:
        result = run(action, hazard, city)
        assert result.status == to_status
        last = HazardHistory.objects.filter(hazard=hazard).last()
        assert (last.from_status, last.to_status) == (from_status, to_status)
    else:
        with pytest.raises(Conflict) as exc:
            run(action, hazard, city)
        assert S(from_status).label in exc.value.message
        hazard.refresh_from_db()
        assert hazard.status == from_status
    assert audit_verify().ok


@pytest.mark.django_db
def test_closing_requires_evidence(city, hazard):
    force_status(hazard, S.AWAITING_VERIFICATION, city)
    Hazard.objects.filter(pk=hazard.pk).update(evidence_count=0)
    with pytest.raises(DomainError, match="佐证"):
        services.hazard_verify(actor=city.supervisor_a, hazard_id=hazard.pk, passed=True)
    assert Hazard.objects.get(pk=hazard.pk).status == S.AWAITING_VERIFICATION


@pytest.mark.django_db
def test_submission_without_evidence_is_refused(city, hazard):
    with pytest.raises(ValidationFailed) as exc:
        services.hazard_submit_rectification(
            actor=city.enterprise_user_a, hazard_id=hazard.pk, measures="已整改"
        )
    assert "evidence" in exc.value.errors


@pytest.mark.django_db
def test_close_on_spot_requires_evidence(city, hazard):
    with pytest.raises(ValidationFailed):
        services.hazard_close_on_spot(actor=city.inspector_a, hazard_id=hazard.pk, evidence_files=[], note="")


@pytest.mark.django_db
def test_database_refuses_a_closed_hazard_without_evidence_or_with_self_verification(city, hazard):
    with pytest.raises(IntegrityError), transaction.atomic():
        Hazard.objects.filter(pk=hazard.pk).update(
            status=S.CLOSED, verified_by=city.supervisor_a, closed_at=timezone.now()
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Hazard.objects.filter(pk=hazard.pk).update(
            status=S.CLOSED,
            evidence_count=1,
            rectified_by=city.supervisor_a,
            verified_by=city.supervisor_a,
            closed_at=timezone.now(),
        )


@pytest.mark.django_db
def test_verifying_ones_own_rectification_is_refused(city, hazard):
    services.hazard_submit_rectification(
        actor=city.inspector_a, hazard_id=hazard.pk, measures="检查员代为整改", evidence_files=[png_upload()]
    )
    with pytest.raises(DomainError, match="不能验收自己"):
        services.hazard_verify(actor=city.inspector_a, hazard_id=hazard.pk, passed=True)
    closed = services.hazard_verify(actor=city.supervisor_a, hazard_id=hazard.pk, passed=True)
    assert closed.status == S.CLOSED and closed.verified_by == city.supervisor_a
    assert closed.rectified_by == city.inspector_a


@pytest.mark.django_db
def test_verify_fail_requires_reason_and_returns_to_rectifying(city, hazard):
    force_status(hazard, S.AWAITING_VERIFICATION, city)
    with pytest.raises(ValidationFailed):
        services.hazard_verify(actor=city.supervisor_a, hazard_id=hazard.pk, passed=False, reason="")
    h = services.hazard_verify(
        actor=city.supervisor_a, hazard_id=hazard.pk, passed=False, reason="照片看不清"
    )
    assert h.status == S.RECTIFYING
    assert HazardHistory.objects.filter(hazard=hazard, action=A.VERIFY_FAIL, reason="照片看不清").exists()


@pytest.mark.django_db
def test_enterprise_user_cannot_verify_and_other_enterprise_cannot_see(city, hazard):
    force_status(hazard, S.AWAITING_VERIFICATION, city)
    with pytest.raises(PermissionDenied):
        services.hazard_verify(actor=city.enterprise_user_a, hazard_id=hazard.pk, passed=True)
    from gasguard.core.errors import NotFound

    with pytest.raises(NotFound):
        services.hazard_start(actor=city.enterprise_user_b, hazard_id=hazard.pk)
    with pytest.raises(NotFound):
        services.hazard_verify(actor=city.inspector_b, hazard_id=hazard.pk, passed=True)


@pytest.mark.django_db
def test_read_only_leader_cannot_act(city, hazard):
    with pytest.raises(PermissionDenied):
        services.hazard_start(actor=city.leader, hazard_id=hazard.pk)


@pytest.mark.django_db
def test_control_request_needs_supervisor_approval(city, hazard):
    new_deadline = timezone.localdate() + datetime.timedelta(days=45)
    req = services.hazard_control_request(
        actor=city.enterprise_user_a,
        hazard_id=hazard.pk,
        measures="关闭阀门，张贴禁用标识",
        new_deadline=new_deadline,
    )
    hazard.refresh_from_db()
    assert hazard.status == S.PENDING  # not 管控中 until approved
    with pytest.raises(Conflict):
        services.hazard_control_request(
            actor=city.enterprise_user_a, hazard_id=hazard.pk, measures="再次申请", new_deadline=new_deadline
        )
    with pytest.raises(PermissionDenied):
        services.hazard_control_approve(actor=city.inspector_a, hazard_id=hazard.pk)
    h = services.hazard_control_approve(actor=city.supervisor_a, hazard_id=hazard.pk, note="同意")
    assert h.status == S.CONTROLLED and h.deadline == new_deadline and "关闭阀门" in h.control_measures
    req.refresh_from_db()
    assert req.status == "approved" and req.decided_by == city.supervisor_a
    with pytest.raises(Conflict):
        services.hazard_control_approve(actor=city.supervisor_a, hazard_id=hazard.pk)


@pytest.mark.django_db
def test_control_request_rejected_keeps_status_and_deadline(city, hazard):
    old = hazard.deadline
    services.hazard_control_request(
        actor=city.enterprise_user_a,
        hazard_id=hazard.pk,
        measures="暂不整改",
        new_deadline=timezone.localdate() + datetime.timedelta(days=90),
    )
    with pytest.raises(ValidationFailed):
        services.hazard_control_reject(actor=city.taskforce_admin, hazard_id=hazard.pk, reason="")
    req = services.hazard_control_reject(actor=city.taskforce_admin, hazard_id=hazard.pk, reason="措施不足")
    hazard.refresh_from_db()
    assert req.status == "rejected" and hazard.status == S.PENDING and hazard.deadline == old
    assert not HazardControlRequest.objects.filter(hazard=hazard, status="pending").exists()


@pytest.mark.django_db
def test_control_request_validates_deadline(city, hazard):
    with pytest.raises(ValidationFailed) as exc:
        services.hazard_control_request(
            actor=city.enterprise_user_a,
            hazard_id=hazard.pk,
            measures="",
            new_deadline=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert {"measures", "new_deadline"} <= set(exc.value.errors)


@pytest.mark.django_db
def test_evidence_must_be_image_or_pdf(city, hazard):
    with pytest.raises(ValidationFailed, match="佐证材料须为照片"):
        services.hazard_submit_rectification(
            actor=city.enterprise_user_a, hazard_id=hazard.pk, measures="x", evidence_files=[text_upload()]
        )
    h = services.hazard_submit_rectification(
        actor=city.enterprise_user_a,
        hazard_id=hazard.pk,
        measures="x",
        evidence_files=[pdf_upload(), png_upload()],
    )
    kinds = sorted(h.evidence.values_list("kind", flat=True))
    assert kinds == ["document", "photo"] and h.evidence_count == 2
    assert all(len(e.sha256) == 64 for e in h.evidence.all())


@pytest.mark.django_db
def test_oversized_photo_is_refused(city, hazard):
    big = png_upload()
    big.size = 30 * 1024 * 1024
    with pytest.raises(ValidationFailed, match="过大"):
        services.hazard_submit_rectification(
            actor=city.enterprise_user_a, hazard_id=hazard.pk, measures="x", evidence_files=[big]
        )


@pytest.mark.django_db
def test_assign_is_audited_with_reason(city, hazard):
    from gasguard.audit.models import AuditEvent

    with pytest.raises(ValidationFailed):
        services.hazard_assign(
            actor=city.supervisor_a, hazard_id=hazard.pk, reason="", responsible_person="李四"
        )
    new_deadline = hazard.deadline + datetime.timedelta(days=10)
    h = services.hazard_assign(
        actor=city.supervisor_a,
        hazard_id=hazard.pk,
        reason="责任人变更",
        responsible_person="李四",
        supervisor=city.inspector_a,
        deadline=new_deadline,
    )
    assert h.responsible_person == "李四" and h.supervisor == city.inspector_a and h.deadline == new_deadline
    event = AuditEvent.objects.filter(event_type="HAZARD_ASSIGNED", object_id=str(hazard.pk)).get()
    assert event.payload["changes"]["deadline"]["new"] == new_deadline.isoformat()
    with pytest.raises(ValidationFailed):
        services.hazard_assign(
            actor=city.supervisor_a, hazard_id=hazard.pk, reason="x", supervisor=city.inspector_b
        )
    with pytest.raises(PermissionDenied):
        services.hazard_assign(
            actor=city.enterprise_user_a, hazard_id=hazard.pk, reason="x", responsible_person="王"
        )


@pytest.mark.django_db
def test_every_action_writes_history_and_audit(city, hazard):
    from gasguard.audit.models import AuditEvent

    services.hazard_start(actor=city.enterprise_user_a, hazard_id=hazard.pk)
    services.hazard_submit_rectification(
        actor=city.enterprise_user_a, hazard_id=hazard.pk, measures="已更换", evidence_files=[png_upload()]
    )
    services.hazard_verify(actor=city.supervisor_a, hazard_id=hazard.pk, passed=True)
    types = list(AuditEvent.objects.filter(object_id=str(hazard.pk)).values_list("event_type", flat=True))
    assert types[:4] == [
        "HAZARD_REGISTERED",
        "HAZARD_STARTED",
        "HAZARD_RECTIFICATION_SUBMITTED",
        "HAZARD_CLOSED",
    ]
    assert HazardHistory.objects.filter(hazard=hazard).count() == 4
    assert audit_verify().ok


@pytest.mark.django_db
def test_allowed_actions_follow_role_and_state(city, hazard):
    assert services.allowed_actions(actor=city.enterprise_user_a, hazard=hazard) >= {"start", "submit"}
    assert "verify" not in services.allowed_actions(actor=city.supervisor_a, hazard=hazard)
    assert services.allowed_actions(actor=city.leader, hazard=hazard) == set()
    force_status(hazard, S.AWAITING_VERIFICATION, city)
    assert "verify" in services.allowed_actions(actor=city.supervisor_a, hazard=hazard)
    assert "verify" not in services.allowed_actions(actor=city.enterprise_user_a, hazard=hazard)
