import pytest
from django.utils import timezone

from gasguard.hazards.models import Hazard
from gasguard.inspections.tests.conftest import all_answers, jpeg_upload, signature_data_url
from gasguard.inspections.tests.test_views import docx_text, pdf_text

pytestmark = pytest.mark.django_db
BASE = "/api/inspections"


def test_full_inspection_through_the_api(city, api):
    client = api(city.inspector_a)
    created = client.post(
        f"{BASE}/inspections/",
        {
            "target_type": "premises",
            "target_id": city.premises_a.pk,
            "lon": 113.93,
            "lat": 22.53,
            "accuracy": 5,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    pk = body["id"]
    assert body["status"] == "draft" and any(r["rule_id"] == "zzt_hose_length" for r in body["checklist"])

    from gasguard.inspections.models import Inspection

    answers = all_answers(Inspection.objects.get(pk=pk), zzt_hose_length={"value": 2.5, "note": "2.5米"})
    bad = client.post(
        f"{BASE}/inspections/{pk}/answers/",
        {"answers": [{"rule_id": "zzt_hose_length", "value": "long"}]},
        format="json",
    )
    assert bad.status_code == 400
    assert "zzt_hose_length" in bad.json()["error"]["fields"]
    ok = client.post(f"{BASE}/inspections/{pk}/answers/", {"answers": answers}, format="json")
    assert ok.status_code == 200, ok.json()

    photo = client.post(
        f"{BASE}/inspections/{pk}/photos/",
        {"file": jpeg_upload(), "rule_id": "zzt_hose_length"},
        format="multipart",
    )
    assert photo.status_code == 201 and len(photo.json()["sha256"]) == 64
    not_image = client.post(
        f"{BASE}/inspections/{pk}/photos/",
        {"file": __import__("io").BytesIO(b"hello"), "rule_id": ""},
        format="multipart",
    )
    assert not_image.status_code == 400

    early = client.post(f"{BASE}/inspections/{pk}/seal/")
    assert early.status_code == 400 and "signatures" in early.json()["error"]["fields"]
    assert (
        client.post(
            f"{BASE}/inspections/{pk}/signatures/",
            {"signer_role": "inspector", "image": signature_data_url()},
            format="json",
        ).status_code
        == 201
    )
    rep = client.post(
        f"{BASE}/inspections/{pk}/signatures/",
        {"signer_role": "representative", "refused": True, "refusal_note": "拒签"},
        format="json",
    )
    assert rep.status_code == 201 and rep.json()["refused"] is True
    sealed = client.post(f"{BASE}/inspections/{pk}/seal/")
    assert sealed.status_code == 200 and sealed.json()["status"] == "sealed"
    assert sealed.json()["hazard_count"] == 1
    hazard = Hazard.objects.get(source_ref=f"inspection:{pk}")
    assert [a for a in sealed.json()["answers"] if a["rule_id"] == "zzt_hose_length"][0][
        "hazard_code"
    ] == hazard.code

    again = client.post(f"{BASE}/inspections/{pk}/answers/", {"answers": answers}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "已签章封存的检查记录不可修改，请创建更正记录"

    pdf = client.get(f"{BASE}/inspections/{pk}/notice/pdf/")
    assert pdf.status_code == 200 and hazard.title in pdf_text(pdf.content)
    docx = client.get(f"{BASE}/inspections/{pk}/notice/docx/")
    assert hazard.title in docx_text(docx.content)

    corr = client.post(f"{BASE}/inspections/{pk}/correct/", {"reason": "软管长度复测为2.4米"}, format="json")
    assert corr.status_code == 201 and corr.json()["corrects"] == pk and corr.json()["status"] == "draft"


def test_scope_and_envelope(city, api):
    created = api(city.inspector_a).post(
        f"{BASE}/inspections/", {"target_type": "premises", "target_id": city.premises_a.pk}, format="json"
    )
    pk = created.json()["id"]
    other = api(city.inspector_b)
    response = other.get(f"{BASE}/inspections/{pk}/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert other.post(f"{BASE}/inspections/{pk}/seal/").status_code == 404
    assert (
        other.post(
            f"{BASE}/inspections/",
            {"target_type": "premises", "target_id": city.premises_a.pk},
            format="json",
        ).status_code
        == 404
    )
    assert api(city.enterprise_user_a).get(f"{BASE}/inspections/").json()["count"] == 0  # draft hidden
    assert (
        api(city.enterprise_user_a)
        .post(
            f"{BASE}/inspections/",
            {"target_type": "premises", "target_id": city.premises_a.pk},
            format="json",
        )
        .status_code
        == 403
    )
    assert api().get(f"{BASE}/inspections/").status_code in (401, 403)
    unknown = api(city.inspector_a).post(
        f"{BASE}/inspections/{pk}/answers/", {"answers": [{"rule_id": "nope", "value": 1}]}, format="json"
    )
    assert unknown.status_code == 400 and "nope" in unknown.json()["error"]["fields"]


def test_batches_tasks_and_coverage(city, api, django_assert_max_num_queries):
    admin = api(city.taskforce_admin)
    created = admin.post(
        f"{BASE}/batches/",
        {
            "name": "南山",
            "kind": "campaign",
            "region_code": "440305",
            "target_type": "premises",
            "due_date": timezone.localdate().isoformat(),
            "assignee_ids": [city.inspector_a.pk],
        },
        format="json",
    )
    assert created.status_code == 201 and created.json()["task_total"] == 1
    bad = admin.post(
        f"{BASE}/batches/",
        {
            "name": "x",
            "kind": "campaign",
            "region_code": "440305",
            "target_type": "premises",
            "due_date": "2020-01-01",
        },
        format="json",
    )
    assert bad.status_code == 400 and "due_date" in bad.json()["error"]["fields"]
    inspector = api(city.inspector_a)
    tasks = inspector.get(f"{BASE}/tasks/?mine=true")
    assert tasks.json()["count"] == 1
    task_id = tasks.json()["results"][0]["id"]
    started = inspector.post(f"{BASE}/tasks/{task_id}/start/", {}, format="json")
    assert started.status_code == 201 and started.json()["task"] == task_id
    assert api(city.inspector_b).get(f"{BASE}/tasks/{task_id}/").status_code == 404
    cov = admin.get(f"{BASE}/coverage/?level=district")
    assert cov.status_code == 200
    premises = cov.json()["premises"]
    assert premises["total"]["registered"] == sum(r["registered"] for r in premises["by_region"]) == 2
    assert api(city.enterprise_user_a).get(f"{BASE}/coverage/").status_code == 403
    with django_assert_max_num_queries(10):
        assert inspector.get(f"{BASE}/inspections/").status_code == 200
    with django_assert_max_num_queries(10):
        assert inspector.get(f"{BASE}/tasks/").status_code == 200
