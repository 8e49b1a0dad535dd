"""Test helpers for the hazard ledger: hazards registered through the real service, evidence files."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from gasguard.hazards.services import hazard_register


def make_hazard(actor, target, *, severity=None, title="燃气软管老化龟裂", category="hose", **kwargs):
    """A rule-less hazard at a target (premises/enterprise/facility), registered by `actor`."""
    kwargs.setdefault("description", "软管老化龟裂，长度超过2米")
    kwargs.setdefault("lead_department_kind", "housing")
    kwargs.setdefault("source", "inspection")
    return hazard_register(
        actor=actor, target=target, title=title, category=category, severity=severity, **kwargs
    )


def png_upload(name="photo.png", color=(200, 30, 30)):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def pdf_upload(name="report.pdf"):
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


def text_upload(name="fake.jpg"):
    return SimpleUploadedFile(
        name, b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", content_type="image/jpeg"
    )
