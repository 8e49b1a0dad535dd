import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from gasguard.hazards.models import Hazard
from gasguard.inspections import services
from gasguard.inspections.models import Inspection, InspectionTask
from gasguard.inspections.tests.conftest import all_answers, jpeg_upload, signature_data_url

pytestmark = pytest.mark.django_db


def sealed_with_hazard(city, sign_both, hose=2.5, premises=None, user=None):
    user = user or city.inspector_a
    inspection = services.inspection_start(
        actor=user, target_type="premises", target_id=(premises or city.premises_a).pk
    )
    services.inspection_record_answers(
        actor=user, inspection_id=inspection.pk, answers=all_answers(inspection, zzt_hose_length=hose)
    )
    sign_both(inspection, user)
    return services.inspection_seal(actor=user, inspection_id=inspection.pk)


def form_data(inspection, **overrides) -> dict:
    """POST data of the checklist form answering every item compliantly (photo items N/A)."""
    data = {}
    for row in all_answers(inspection, **overrides):
        rid = row["rule_id"]
        if row.get("not_applicable"):
            data[f"na_{rid}"] = "on"
        else:
            value = row["value"]
            data[f"v_{rid}"] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return data


def test_inspector_b_cannot_open_district_a_inspection(city, login, sign_both):
    inspection = sealed_with_hazard(city, sign_both)
    client = login(city.inspector_b)
    for name in ("inspection_detail", "inspection_record", "inspection_sign", "notice"):
        assert client.get(reverse(f"inspections:{name}", args=[inspection.pk])).status_code == 404
    assert client.get(reverse("inspections:notice_file", args=[inspection.pk, "pdf"])).status_code == 404
    assert (
        client.get(reverse("inspections:timeline", args=["premises", city.premises_a.pk])).status_code == 404
    )


def test_enterprise_user_sees_own_sealed_inspections_read_only(city, login, sign_both):
    inspection = sealed_with_hazard(city, sign_both)
    draft = services.inspection_start(
        actor=city.inspector_a, target_type="premises", target_id=city.premises_a.pk
    )
    client = login(city.enterprise_user_a)
    page = client.get(reverse("inspections:inspection_list"))
    assert inspection.number in page.content.decode()
    assert draft.number not in page.content.decode()  # drafts are not shown to the inspected party
    detail = client.get(reverse("inspections:inspection_detail", args=[inspection.pk]))
    assert detail.status_code == 200
    assert "继续填写" not in detail.content.decode() and "创建更正记录" not in detail.content.decode()
    assert client.get(reverse("inspections:inspection_detail", args=[draft.pk])).status_code == 404
    # The enterprise may open its own timeline but not the coverage page (government only).
    assert (
        client.get(reverse("inspections:timeline", args=["enterprise", city.enterprise_a.pk])).status_code
        == 200
    )
    assert client.get(reverse("inspections:coverage")).status_code == 403
    other = login(city.enterprise_user_b)
    assert other.get(reverse("inspections:inspection_detail", args=[inspection.pk])).status_code == 404


def test_checklist_form_round_trip_with_per_item_errors(city, login):
    inspection = services.inspection_start(
        actor=city.inspector_a, target_type="premises", target_id=city.premises_a.pk
    )
    client = login(city.inspector_a)
    url = reverse("inspections:inspection_record", args=[inspection.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'capture="environment"' in html and 'name="v_zzt_hose_length"' in html and "GB 55009" in html
    bad = client.post(
        url, {"v_zzt_hose_length": "abc", "v_zzt_detector_installed": "true", "lon": "113.9", "lat": "22.5"}
    )
    assert bad.status_code == 200
    assert "不是数值" in bad.content.decode()
    assert not inspection.answers.exists()
    data = form_data(inspection)
    data.update(
        {
            "v_zzt_hose_length": "2.5",
            "note_zzt_hose_length": "约2.5米",
            "next": "sign",
            "lon": "113.93",
            "lat": "22.53",
            "accuracy": "12",
            "photo_zzt_hose_length": jpeg_upload(),
        }
    )
    ok = client.post(url, data)
    assert ok.status_code == 302 and ok.url == reverse("inspections:inspection_sign", args=[inspection.pk])
    inspection.refresh_from_db()
    assert inspection.lon == 113.93 and inspection.accuracy_m == 12
    assert inspection.answers.get(rule_id="zzt_hose_length").is_hazard
    assert inspection.photos.filter(rule_id="zzt_hose_length").count() == 1


def test_sign_and_seal_through_pages(city, login):
    inspection = services.inspection_start(
        actor=city.inspector_a, target_type="premises", target_id=city.premises_a.pk
    )
    services.inspection_record_answers(
        actor=city.inspector_a,
        inspection_id=inspection.pk,
        answers=all_answers(inspection, zzt_hose_length=2.5),
    )
    client = login(city.inspector_a)
    url = reverse("inspections:inspection_sign", args=[inspection.pk])
    assert client.get(url).status_code == 200
    seal_url = reverse("inspections:inspection_seal", args=[inspection.pk])
    refused = client.post(seal_url)
    assert refused.status_code == 302 and refused.url == url  # not signed yet → back to the sign page
    client.post(url, {"signer_role": "inspector", "image": signature_data_url()})
    client.post(url, {"signer_role": "representative", "refused": "on", "refusal_note": "拒签", "name": ""})
    done = client.post(seal_url)
    assert done.url == reverse("inspections:inspection_detail", args=[inspection.pk])
    inspection.refresh_from_db()
    assert inspection.status == "sealed"
    assert Hazard.objects.filter(source_ref=f"inspection:{inspection.pk}", rule_id="zzt_hose_length").exists()
    # After sealing the form redirects to the read-only detail page.
    assert client.get(reverse("inspections:inspection_record", args=[inspection.pk])).status_code == 302


def test_notice_pdf_and_docx_contain_hazard_titles(city, login, sign_both):
    inspection = sealed_with_hazard(city, sign_both)
    hazard = Hazard.objects.get(source_ref=f"inspection:{inspection.pk}")
    client = login(city.inspector_a)
    page = client.get(reverse("inspections:notice", args=[inspection.pk]))
    assert "下达整改通知书" in page.content.decode()
    pdf = client.get(reverse("inspections:notice_file", args=[inspection.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert hazard.title in pdf_text(pdf.content)
    docx = client.get(reverse("inspections:notice_file", args=[inspection.pk, "docx"]))
    text = docx_text(docx.content)
    assert hazard.title in text and hazard.code in text and "王老板" in text
    inspection.refresh_from_db()
    assert inspection.notice_number and inspection.notice_issued_by == city.inspector_a
    # The enterprise can download the issued notice; the leader too, read-only.
    assert (
        login(city.enterprise_user_a)
        .get(reverse("inspections:notice_file", args=[inspection.pk, "pdf"]))
        .status_code
        == 200
    )


def test_notice_refused_for_drafts(city, login):
    inspection = services.inspection_start(
        actor=city.inspector_a, target_type="premises", target_id=city.premises_a.pk
    )
    response = login(city.inspector_a).get(reverse("inspections:notice_file", args=[inspection.pk, "pdf"]))
    assert response.status_code == 302


def pdf_text(data: bytes) -> str:
    """Text drawn with the CID font: decompress the page streams and decode the UTF-16 strings."""
    import base64
    import re
    import zlib

    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = match.group(1).strip()
        if raw.endswith(b"~>"):
            raw = base64.a85decode(raw[:-2])
        try:
            raw = zlib.decompress(raw)
        except zlib.error:
            pass
        for literal in re.finditer(rb"\((.*?)(?<!\\)\)\s*Tj", raw, re.S):
            out.append(_unescape(literal.group(1)).decode("utf-16-be", errors="ignore"))
        for hexstr in re.finditer(rb"<([0-9A-Fa-f]+)>\s*Tj", raw):
            out.append(bytes.fromhex(hexstr.group(1).decode()).decode("utf-16-be", errors="ignore"))
    return "".join(out)


def _unescape(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(raw):
        c = raw[i]
        if c == 0x5C and i + 1 < len(raw):
            nxt = raw[i + 1]
            if 0x30 <= nxt <= 0x37:
                j = i + 1
                digits = b""
                while j < len(raw) and len(digits) < 3 and 0x30 <= raw[j] <= 0x37:
                    digits += bytes([raw[j]])
                    j += 1
                out.append(int(digits, 8))
                i = j
                continue
            out.append({ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    assert zipfile.is_zipfile(io.BytesIO(data))
    return "\n".join(parts)


def test_batch_pages_and_assignment(city, login):
    client = login(city.taskforce_admin)
    assert client.get(reverse("inspections:batch_create")).status_code == 200
    response = client.post(
        reverse("inspections:batch_create"),
        {
            "name": "南山集中攻坚",
            "kind": "campaign",
            "region": "440305",
            "target_type": "premises",
            "target_kinds": ["premises:restaurant"],
            "due_date": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    batch_url = response.url
    page = client.get(batch_url)
    assert "南山川菜馆" in page.content.decode()
    task = InspectionTask.objects.get()
    assigned = client.post(batch_url, {"tasks": [task.pk], "assignees": [city.inspector_a.pk]})
    assert assigned.status_code == 302
    assert list(task.assignees.all()) == [city.inspector_a]
    mine = login(city.inspector_a).get(reverse("inspections:task_list"))
    assert "南山川菜馆" in mine.content.decode()
    assert login(city.inspector_a).get(reverse("inspections:batch_create")).status_code == 403
    assert login(city.inspector_b).get(batch_url).status_code == 404


def test_task_start_from_list_opens_checklist(city, login):
    batch = services.batch_create(
        actor=city.taskforce_admin,
        name="b",
        kind="campaign",
        region_code="440305",
        target_type="premises",
        due_date=timezone.localdate(),
        assignee_ids=[city.inspector_a.pk],
    )
    task = batch.tasks.get()
    client = login(city.inspector_a)
    response = client.post(reverse("inspections:task_start", args=[task.pk]), {"lon": "", "lat": ""})
    assert response.status_code == 302 and "/record/" in response.url


def test_coverage_numbers_add_up_and_export(city, login, sign_both):
    from gasguard.registry.tests.factories import PremisesFactory

    PremisesFactory(region=city.grid_a, name="南山第二餐馆")
    PremisesFactory(region=city.street_a, name="南山学校", kind="school")
    sealed_with_hazard(city, sign_both)
    client = login(city.taskforce_admin)
    page = client.get(reverse("inspections:coverage"), {"level": "street"})
    assert page.status_code == 200
    cov = page.context["coverage"]
    assert cov.premises_total.registered == 4 and cov.premises_total.inspected == 1
    assert sum(r.registered for r in cov.premises_by_region) == cov.premises_total.registered
    assert sum(r.inspected for r in cov.premises_by_region) == cov.premises_total.inspected
    assert sum(r.registered for r in cov.premises_by_kind) == cov.premises_total.registered
    assert page.context["page_obj"].paginator.count == 3
    export = client.get(reverse("inspections:coverage_export"))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    names = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    assert sorted(n for n in names if n) == sorted(["南山第二餐馆", "南山学校", "宝安粤菜馆"])
    # District A's supervisor sees only district A.
    cov_a = login(city.supervisor_a).get(reverse("inspections:coverage")).context["coverage"]
    assert cov_a.premises_total.registered == 3


def test_timeline_shows_inspections_signers_hazards_and_audit(city, login, sign_both):
    inspection = sealed_with_hazard(city, sign_both)
    page = login(city.supervisor_a).get(
        reverse("inspections:timeline", args=["premises", city.premises_a.pk])
    )
    html = page.content.decode()
    assert inspection.number in html
    assert "王老板" in html and "签字确认" in html
    assert "测试：连接软管长度超过2米" in html
    assert "INSPECTION_SEALED" in html and "HAZARD_REGISTERED" in html


def test_list_query_count_is_pinned(city, login, sign_both, django_assert_max_num_queries):
    for _ in range(3):
        sealed_with_hazard(city, sign_both)
    client = login(city.supervisor_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("inspections:inspection_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("inspections:task_list") + "?all=1").status_code == 200


def test_photos_are_served_only_in_scope(city, login):
    inspection = services.inspection_start(
        actor=city.inspector_a, target_type="premises", target_id=city.premises_a.pk
    )
    photo = services.inspection_add_photo(
        actor=city.inspector_a, inspection_id=inspection.pk, upload=jpeg_upload()
    )
    url = reverse("inspections:media_file", args=[inspection.pk, "photo", photo.pk])
    assert login(city.inspector_a).get(url).status_code == 200
    assert login(city.inspector_b).get(url).status_code == 404


def test_detail_record_sign_and_coverage_query_counts(city, login, sign_both, django_assert_max_num_queries):
    sealed = sealed_with_hazard(city, sign_both)
    draft = services.inspection_start(
        actor=city.inspector_a, target_type="premises", target_id=city.premises_a.pk
    )
    services.inspection_record_answers(
        actor=city.inspector_a, inspection_id=draft.pk, answers=all_answers(draft)
    )
    for _ in range(3):
        services.inspection_add_photo(
            actor=city.inspector_a, inspection_id=draft.pk, upload=jpeg_upload(), rule_id="zzt_kitchen_photo"
        )
    client = login(city.inspector_a)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("inspections:inspection_detail", args=[sealed.pk])).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("inspections:inspection_record", args=[draft.pk])).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("inspections:inspection_sign", args=[draft.pk])).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("inspections:notice", args=[sealed.pk])).status_code == 200
    admin = login(city.taskforce_admin)
    with django_assert_max_num_queries(20):
        assert admin.get(reverse("inspections:coverage")).status_code == 200


def test_ad_hoc_inspection_by_name_search(city, login):
    client = login(city.inspector_a)
    page = client.get(reverse("inspections:inspection_new"), {"q": "菜馆"})
    html = page.content.decode()
    assert "南山川菜馆" in html and "宝安粤菜馆" not in html  # only in scope
    response = client.post(
        reverse("inspections:inspection_new"),
        {"target_type": "premises", "target_id": city.premises_a.pk, "lon": "", "lat": ""},
    )
    assert response.status_code == 302 and "/record/" in response.url
    outside = client.post(
        reverse("inspections:inspection_new"), {"target_type": "premises", "target_id": city.premises_b.pk}
    )
    assert outside.status_code == 200 and "不在您的数据权限范围内" in outside.content.decode()
    assert not Inspection.objects.filter(premises=city.premises_b).exists()


def test_correction_through_the_pages(city, login, sign_both):
    sealed = sealed_with_hazard(city, sign_both)
    client = login(city.inspector_a)
    # Posting answers to the sealed record is refused: it is read-only now.
    response = client.post(
        reverse("inspections:inspection_record", args=[sealed.pk]), {"v_zzt_hose_length": "1"}
    )
    assert response.status_code == 302 and response.url == reverse(
        "inspections:inspection_detail", args=[sealed.pk]
    )
    assert sealed.answers.get(rule_id="zzt_hose_length").value == 2.5
    detail = client.get(reverse("inspections:inspection_detail", args=[sealed.pk])).content.decode()
    assert "创建更正记录" in detail
    created = client.post(
        reverse("inspections:inspection_correct", args=[sealed.pk]), {"reason": "复测软管长度"}
    )
    correction = Inspection.objects.get(corrects=sealed)
    assert created.url == reverse("inspections:inspection_record", args=[correction.pk])
    page = client.get(created.url).content.decode()
    assert "复测软管长度" in page and 'value="2.5"' in page
    assert (
        "本记录已被更正"
        in client.get(reverse("inspections:inspection_detail", args=[sealed.pk])).content.decode()
    )
