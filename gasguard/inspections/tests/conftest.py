"""Fixtures of the inspection tests: test rules, images, and a helper that fills a checklist."""

import base64
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gasguard.rules.catalog import get_catalog

TEST_RULES = Path(__file__).resolve().parent / "test_rules.yaml"


@pytest.fixture(autouse=True)
def test_rules(monkeypatch, settings, tmp_path):
    """Load the test-only restaurant rules as a locality override (and reset the cache after)."""
    monkeypatch.setenv("GASGUARD_RULES_OVERRIDE", str(TEST_RULES))
    settings.MEDIA_ROOT = tmp_path / "media"
    get_catalog.cache_clear()
    yield get_catalog()
    get_catalog.cache_clear()


def png_bytes(size=(240, 90), ink=True, color=(0, 0, 0, 255)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", size, (255, 255, 255, 0))
    if ink:
        draw = ImageDraw.Draw(image)
        draw.line([(10, 60), (60, 20), (120, 70), (200, 25)], fill=color, width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def signature_data_url(ink=True) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(ink=ink)).decode()


def jpeg_upload(name="photo.jpg") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def compliant_value(rule):
    """An answer that is not a hazard under the rule (None for photo rules)."""
    a = rule.answer
    if a.type == "bool":
        return not a.hazard_when
    if a.type == "number":
        t = a.effective_threshold()
        low = a.min_value if a.min_value is not None else 0.0
        if a.operator in (">", ">="):
            return max(low, t - 0.5 if t - 0.5 >= low else low)
        return t + 1
    if a.type == "choice":
        return next(c for c in a.choices if c not in a.hazard_choices)
    if a.type == "text":
        return "无"
    return None


def all_answers(inspection, **overrides):
    """Answers for every checklist item: compliant by default, photo items N/A; overrides by rule id."""
    from gasguard.inspections.services import checklist_rules

    rows = []
    for rule in checklist_rules(inspection):
        row = {"rule_id": rule.id, "value": compliant_value(rule)}
        if rule.answer.type == "photo":
            row = {"rule_id": rule.id, "not_applicable": True}
        if rule.id in overrides:
            extra = overrides[rule.id]
            row = {"rule_id": rule.id, **(extra if isinstance(extra, dict) else {"value": extra})}
        rows.append(row)
    return rows


@pytest.fixture
def sign_both():
    """sign_both(inspection, inspector) signs as inspector and as the representative."""
    from gasguard.inspections.services import inspection_sign

    def _sign(inspection, inspector, *, refused=False):
        inspection_sign(
            actor=inspector, inspection_id=inspection.pk, signer_role="inspector", image=signature_data_url()
        )
        if refused:
            inspection_sign(
                actor=inspector,
                inspection_id=inspection.pk,
                signer_role="representative",
                refused=True,
                refusal_note="店主拒绝签字，现场两名检查人员见证",
            )
        else:
            inspection_sign(
                actor=inspector,
                inspection_id=inspection.pk,
                signer_role="representative",
                name="王老板",
                image=signature_data_url(),
            )

    return _sign
