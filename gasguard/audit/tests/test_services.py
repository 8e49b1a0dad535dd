import pytest
from django.db import transaction

from gasguard.audit.models import AuditEvent
from gasguard.audit.services import audit_record, audit_verify


def _record(n, actor=None):
    with transaction.atomic():
        for i in range(n):
            audit_record(
                event_type="THING_CHANGED",
                object_type="thing",
                object_id=i,
                actor=actor,
                payload={"i": i, "名": "值"},
            )


@pytest.mark.django_db
def test_chain_of_events_verifies():
    _record(5)
    result = audit_verify()
    assert result.ok and result.events == 5


@pytest.mark.django_db
def test_tampered_payload_is_named_by_verify():
    _record(5)
    AuditEvent.objects.filter(seq=3).update(payload_json='{"i":99}')
    result = audit_verify()
    assert not result.ok
    assert result.broken_seq == 3


@pytest.mark.django_db
def test_deleted_last_event_is_detected():
    _record(4)
    AuditEvent.objects.filter(seq=4).delete()
    result = audit_verify()
    assert not result.ok and result.broken_seq == 4


@pytest.mark.django_db
def test_deleted_middle_event_is_detected():
    _record(4)
    AuditEvent.objects.filter(seq=2).delete()
    result = audit_verify()
    assert not result.ok and result.broken_seq == 3


@pytest.mark.django_db(transaction=True)
def test_record_outside_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit_record(event_type="X", object_type="thing", object_id=1)
