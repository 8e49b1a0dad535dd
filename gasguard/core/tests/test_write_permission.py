"""WriteRolePermission: the read-only leader is refused (403) on every write API before the
payload is looked at — proven here with COMPLETE payloads that a writer gets accepted."""

import pytest
from django.utils import timezone

from gasguard.audit.models import AuditEvent
from gasguard.inspections.models import InspectionBatch
from gasguard.registry.models import Enterprise
from gasguard.registry.uscc import make_uscc


def _enterprise_payload(city):
    return {
        "name": "完整载荷企业",
        "region": city.street_a.code,
        "roles": ["bottled_lpg"],
        "uscc": make_uscc("440305", 77),
    }


def _batch_payload(city):
    return {
        "name": "完整载荷批次",
        "kind": "campaign",
        "region_code": "440305",
        "target_type": "premises",
        "due_date": timezone.localdate().isoformat(),
        "assignee_ids": [city.inspector_a.pk],
    }


CASES = [
    ("/api/registry/enterprises/", _enterprise_payload, Enterprise, "supervisor_a"),
    ("/api/inspections/batches/", _batch_payload, InspectionBatch, "taskforce_admin"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "payload", "model", "writer"), CASES)
def test_leader_is_403_with_a_complete_payload_and_nothing_changes(city, api, url, payload, model, writer):
    data = payload(city)
    rows, events = model.objects.count(), AuditEvent.objects.count()
    response = api(city.leader).post(url, data, format="json")
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "permission_denied"
    assert model.objects.count() == rows and AuditEvent.objects.count() == events
    # The very same payload is complete: a user with a write role gets it accepted.
    accepted = api(getattr(city, writer)).post(url, data, format="json")
    assert accepted.status_code == 201, accepted.content


@pytest.mark.django_db
def test_leader_reads_and_marks_own_notifications(city, api):
    client = api(city.leader)
    assert client.get("/api/registry/enterprises/").status_code == 200
    assert client.get("/api/hazards/hazards/").status_code == 200
    # Marking one's own notifications read is personal, not a data change: allowed.
    assert client.post("/api/notifications/read/", {}, format="json").status_code == 200


@pytest.mark.django_db
def test_anonymous_write_is_401_or_403(client):
    response = client.post("/api/registry/enterprises/", {}, content_type="application/json")
    assert response.status_code in (401, 403)
