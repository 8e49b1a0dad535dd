"""Two devices sealing the same record at once on PostgreSQL: exactly one wins, the chain stays valid."""

import threading

import pytest
from django.db import connection, connections

from gasguard.audit.models import AuditEvent
from gasguard.audit.services import audit_verify
from gasguard.core.errors import Conflict
from gasguard.hazards.models import Hazard
from gasguard.inspections import services
from gasguard.inspections.tests.conftest import all_answers


@pytest.mark.django_db(transaction=True)
def test_concurrent_seal_exactly_one_wins(city, sign_both):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and real concurrency need PostgreSQL")
    inspection = services.inspection_start(
        actor=city.inspector_a, target_type="premises", target_id=city.premises_a.pk
    )
    services.inspection_record_answers(
        actor=city.inspector_a,
        inspection_id=inspection.pk,
        answers=all_answers(inspection, zzt_hose_length=3),
    )
    sign_both(inspection, city.inspector_a)
    barrier = threading.Barrier(2)
    results = []

    def seal():
        try:
            barrier.wait()
            services.inspection_seal(actor=city.inspector_a, inspection_id=inspection.pk)
            results.append("won")
        except Conflict as exc:
            results.append(exc.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=seal) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == sorted(["won", "已签章封存的检查记录不可修改，请创建更正记录"])
    assert Hazard.objects.filter(source_ref=f"inspection:{inspection.pk}").count() == 1
    assert AuditEvent.objects.filter(event_type="INSPECTION_SEALED").count() == 1
    assert audit_verify().ok
