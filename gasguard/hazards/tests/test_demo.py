"""The hazards demo puts hazards in every state through the real services; the chain verifies."""

import pytest
from django.core.management import call_command

from gasguard.audit.services import audit_verify
from gasguard.hazards.models import EnforcementAction, Hazard, HazardReferral, RevisitSample


@pytest.mark.django_db
def test_demo_reaches_every_state():
    call_command("demo", scale=0.05, only="org,accounts,registry,hazards")
    statuses = set(Hazard.objects.values_list("status", flat=True))
    assert statuses >= {"pending", "rectifying", "controlled", "awaiting_verification", "closed"}
    for h in Hazard.objects.filter(status="closed"):
        assert h.evidence_count > 0 and h.verified_by_id and h.verified_by_id != h.rectified_by_id
    assert Hazard.objects.filter(reappeared_from__isnull=False).exists()
    assert HazardReferral.objects.filter(to_department__kind="market").exists()
    assert EnforcementAction.objects.filter(kind="fine", fine_amount__gt=0).exists()
    assert RevisitSample.objects.exists()
    from django.utils import timezone

    assert Hazard.objects.filter(deadline__lt=timezone.localdate()).exclude(status="closed").exists()
    assert Hazard.objects.filter(enterprise__users__user__username="ent_restaurant").exists()
    assert audit_verify().ok


@pytest.mark.django_db
def test_every_demo_hazard_page_renders(client):
    from gasguard.accounts.models import User

    call_command("demo", scale=0.05, only="org,accounts,registry,hazards")
    for username in ("taskforce", "ns_supervisor", "ent_restaurant", "ns_market"):
        client.force_login(User.objects.get(username=username))
        for url in ("/hazards/", "/hazards/referrals/", "/hazards/enforcement/", "/hazards/revisits/"):
            assert client.get(url).status_code == 200, (username, url)
    client.force_login(User.objects.get(username="taskforce"))
    for pk in Hazard.objects.values_list("pk", flat=True):
        assert client.get(f"/hazards/{pk}/").status_code == 200
    assert client.get("/audit/").status_code == 200
    assert client.get("/hazards/export.xlsx").status_code == 200
