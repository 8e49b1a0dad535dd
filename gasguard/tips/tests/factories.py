"""Helpers for tips tests: images, report input, a submitted report."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from gasguard.tips.services import TipInput, tip_submit


def jpeg(name: str = "photo.jpg", size=(32, 24)) -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def fake_photo(content: bytes, name="photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def tip_input(city, **overrides) -> TipInput:
    values = {
        "category": "hose",
        "description": "饭店后厨液化气软管老化开裂，有明显燃气味",
        "district_code": city.district_a.code,
        "street_code": city.street_a.code,
        "lon": 113.9301,
        "lat": 22.5301,
        "address": "南山区南头街道某路1号",
        "target_name": "南山川菜馆",
        "is_anonymous": True,
    }
    values.update(overrides)
    return TipInput(**values)


def submit(city, *, channel="web", actor=None, **overrides):
    return tip_submit(data=tip_input(city, **overrides), channel=channel, actor=actor, ip="10.0.0.1")
