"""The gate page's phone-camera scan in a real browser.

Chromium is started with a fake camera that plays a Y4M video generated here, whose frames show
the QR code printed on a cylinder label (segno, the same content as `labels.qr_content`). Linux
Chromium has no BarcodeDetector, so this exercises the bundled jsQR fallback: getUserMedia →
video → canvas → jsQR → the gate API. The decision shown must be the one the API gives for the
same code, and holding the cylinder in view must record ONE attempt, not one every few seconds.
"""

import time
import uuid

import pytest
import segno
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from gasguard.cylinders.labels import qr_content
from gasguard.cylinders.models import FillAttempt
from gasguard.cylinders.tests.factories import cylinder, filling_unit

from .conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, sign_in

WIDTH, HEIGHT = 640, 480


def write_qr_y4m(path, text: str, *, frames: int = 5) -> None:
    """A few identical 4:2:0 frames of `text` as a QR code centred on white (Chromium loops them)."""
    buf = path.with_suffix(".png")
    segno.make(text, error="m").save(buf, scale=8, border=4)
    qr = Image.open(buf).convert("L")
    qr.thumbnail((HEIGHT - 40, HEIGHT - 40))
    canvas = Image.new("RGB", (WIDTH, HEIGHT), "white")
    canvas.paste(qr.convert("RGB"), ((WIDTH - qr.width) // 2, (HEIGHT - qr.height) // 2))
    y, u, v = canvas.convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)
    frame = b"FRAME\n" + y.tobytes() + u.resize(half).tobytes() + v.resize(half).tobytes()
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        f.write(frame * frames)


@pytest.fixture
def camera_page(playwright_session, live_server, tmp_path):
    """camera_page(qr_text, username, password) → a signed-in phone page whose camera shows the QR."""
    browsers = []

    def _open(text: str, username: str, password: str):
        video = tmp_path / f"qr{len(browsers)}.y4m"
        write_qr_y4m(video, text)
        browser = playwright_session.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        browsers.append(browser)
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", base_url=live_server.url
        )
        context.grant_permissions(["camera"])
        context.set_default_timeout(20000)
        return sign_in(context.new_page(), username, password)

    yield _open
    for browser in browsers:
        browser.close()


@pytest.mark.parametrize("case", ["own", "foreign_refurbished", "malformed"])
@pytest.mark.django_db(transaction=True)
def test_gate_camera_scan_with_jsqr(case, city, camera_page, api, shots):
    from django.core.cache import cache

    cache.clear()
    unit = filling_unit(city.street_a, name="南山液化气充装站有限公司", username="cam_user")
    if case == "own":
        code = cylinder(unit.enterprise).code
    elif case == "foreign_refurbished":
        other = filling_unit(city.street_b, name="宝安液化气充装有限公司", username="cam_other")
        code = cylinder(other.enterprise, refurbished=True).code
    else:
        code = "GG1-440305-BAD123"

    page = camera_page(qr_content(code), "cam_user", city.password)
    page.goto("/cylinders/gate/")
    assert page.evaluate("'BarcodeDetector' in window") is False  # so jsQR is what runs here
    page.click("#gate-camera")
    expect(page.locator("#gate-video")).to_be_visible()
    result = page.locator("[data-testid=gate-result]")
    expect(result).to_have_attribute("data-decision", "allow" if case == "own" else "deny")
    assert page.evaluate("typeof window.jsQR") == "function"
    expect(page.locator("#gate-code-shown")).to_have_text(code)
    shots(page, f"camera-{case}")

    # The same API for the same code (fresh idempotency key, so a second attempt row).
    answer = (
        api(unit.user)
        .post(
            reverse("cylinders_api:gate"),
            {
                "code": code,
                "station": unit.station.pk,
                "operator": unit.operator.pk,
                "idempotency_key": uuid.uuid4().hex,
                "scanned_at": timezone.now().isoformat(),
            },
            format="json",
        )
        .json()
    )
    reasons = page.locator("#gate-reasons li")
    shown = {reasons.nth(i).get_attribute("data-reason") for i in range(reasons.count())}
    assert shown == {r["code"] for r in answer["reasons"]}
    assert answer["decision"] == result.get_attribute("data-decision")
    if case == "own":
        assert shown == set()
        assert "允许充装" in page.locator("#gate-decision").inner_text()
        expect(page.locator("#fill-form")).to_be_visible()
    elif case == "foreign_refurbished":
        assert shown == {"not_own_cylinder", "refurbished"}
        assert "禁止充装" in page.locator("#gate-decision").inner_text()
    else:
        assert shown == {"malformed_code"}
        expect(page.locator("#gate-reasons")).to_contain_text("气瓶码格式错误")

    # The QR stays in view: a few more seconds of frames must not record further attempts.
    time.sleep(4)
    camera = FillAttempt.objects.filter(station=unit.station).exclude(pk=answer["attempt_id"])
    assert camera.count() == 1
    attempt = camera.get()
    assert attempt.decision == answer["decision"]
    assert attempt.actor == unit.user
    assert {r["code"] for r in attempt.reasons} == shown
    if case == "own":
        expect(page.locator("#fill-form")).to_be_visible()  # not reset by a repeat scan
