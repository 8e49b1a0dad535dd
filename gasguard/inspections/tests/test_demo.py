"""The inspections demo: a finished first wave of sealed, signed records; hazards on the ledger."""

import pytest
from django.core.management import call_command

from gasguard.audit.services import audit_verify
from gasguard.hazards.models import Hazard
from gasguard.inspections.models import Inspection, InspectionSignature, InspectionTask


@pytest.fixture(autouse=True)
def test_rules(monkeypatch):
    """The demo uses the real national catalogue, not the test override."""
    from gasguard.rules.catalog import get_catalog

    monkeypatch.delenv("GASGUARD_RULES_OVERRIDE", raising=False)
    get_catalog.cache_clear()
    yield
    get_catalog.cache_clear()


@pytest.mark.django_db
def test_demo_builds_a_finished_first_wave(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo", scale=0.05, only="org,accounts,registry,inspections")
    sealed = Inspection.objects.filter(status="sealed")
    assert sealed.count() == 100
    assert sealed.filter(no_hazard_found=True).count() > sealed.filter(no_hazard_found=False).count()
    with_hazards = sealed.filter(hazard_count__gt=0)
    assert with_hazards.exists()
    assert not with_hazards.filter(notice_number="").exists()
    hazards = Hazard.objects.filter(source="inspection")
    assert hazards.count() == sum(with_hazards.values_list("hazard_count", flat=True))
    assert all(h.source_ref.startswith("inspection:") and h.rule_id for h in hazards)
    assert InspectionSignature.objects.filter(signer_role="inspector").count() == sealed.count()
    assert InspectionSignature.objects.filter(signer_role="representative").count() == sealed.count()
    assert InspectionTask.objects.filter(
        status="pending", batch__kind="revisit", assignees__username="ns_inspector"
    ).exists()
    assert all(len(i.seal_hash) == 64 and i.number for i in sealed)
    assert audit_verify().ok
