"""`gasguard audit verify/export`, the documented standalone verifier, the event list page."""

import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from gasguard.audit.models import AuditEvent
from gasguard.audit.services import audit_record

DOC = Path(__file__).resolve().parents[3] / "docs" / "audit-chain.md"


def _record(n, region="440305", actor=None):
    with transaction.atomic():
        for i in range(n):
            audit_record(
                event_type="THING_CHANGED",
                object_type="thing",
                object_id=i,
                actor=actor,
                region_code=region,
                payload={"i": i, "名称": '南山川菜馆 "引号"', "x": 1.5},
            )


def _verifier_source() -> str:
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "docs/audit-chain.md must contain the standalone verifier"
    return blocks[0]


@pytest.mark.django_db
def test_verify_command_ok_and_broken():
    _record(5)
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().startswith("OK") and "events=5" in out.getvalue()
    AuditEvent.objects.filter(seq=3).update(actor_name="篡改者")
    err = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify", "--chain", "main", stdout=StringIO(), stderr=err)
    assert exc.value.code == 1
    assert "seq=3" in err.getvalue()


@pytest.mark.django_db
def test_export_is_verified_by_the_documented_standalone_verifier(tmp_path):
    _record(7)
    path = tmp_path / "chain.jsonl"
    call_command("audit", "export", "--out", str(path), stdout=StringIO())
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 8 and '"format": "gasguard-audit-chain"' in lines[0]
    script = tmp_path / "verify.py"
    script.write_text(_verifier_source(), encoding="utf-8")
    ok = subprocess.run([sys.executable, str(script), str(path)], capture_output=True, text=True, check=True)
    assert ok.stdout.startswith("OK 7 events")
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text(
        "\n".join([lines[0], *lines[1:4], lines[4].replace("南山川菜馆", "北山川菜馆"), *lines[5:]]) + "\n",
        encoding="utf-8",
    )
    bad = subprocess.run(
        [sys.executable, str(script), str(tampered)], capture_output=True, text=True, check=True
    )
    assert bad.stdout.startswith("BROKEN at seq 4")
    truncated = tmp_path / "truncated.jsonl"
    truncated.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    cut = subprocess.run(
        [sys.executable, str(script), str(truncated)], capture_output=True, text=True, check=True
    )
    assert cut.stdout.startswith("BROKEN")


@pytest.mark.django_db
def test_event_list_is_scoped_and_verify_button_works(city, login):
    _record(2, region="440305")
    _record(3, region="440306")
    client = login(city.taskforce_admin)
    response = client.get(reverse("audit:event_list"))
    assert response.status_code == 200 and len(response.context["page_obj"].object_list) == 5
    response = client.post(reverse("audit:verify"), follow=True)
    assert "校验通过" in response.content.decode()
    AuditEvent.objects.filter(seq=2).update(payload_json="{}")
    response = client.post(reverse("audit:verify"), follow=True)
    assert "第 2 号事件" in response.content.decode()
    client.logout()
    assert login(city.inspector_a).get(reverse("audit:event_list")).status_code == 403


@pytest.mark.django_db
def test_audit_api(city, api):
    _record(2)
    assert api(city.leader).get("/api/audit/events/").json()["count"] == 2
    assert api(city.leader).post("/api/audit/events/verify/", {}, format="json").status_code == 403
    body = api(city.taskforce_admin).post("/api/audit/events/verify/", {}, format="json").json()
    assert body["ok"] and body["events"] == 2
    assert api(city.inspector_a).get("/api/audit/events/").status_code == 403
