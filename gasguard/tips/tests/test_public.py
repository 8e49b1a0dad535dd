"""The public pages: form, bad input, rate limit, honeypot, tracking code status."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from gasguard.tips.models import Tip
from gasguard.tips.services import tip_verify
from gasguard.tips.tests.factories import HTML, SVG, fake_photo, jpeg, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def form_data(city, **overrides):
    data = {
        "category": "hose",
        "description": "后厨软管老化",
        "district": city.district_a.code,
        "street": city.street_a.code,
        "lon": "113.93",
        "lat": "22.53",
        "address": "南头街道某路1号",
        "target_name": "",
        "is_anonymous": "1",
    }
    data.update(overrides)
    return data


def test_form_renders_for_anonymous_visitor_with_district_preselected(client, city):
    r = client.get(reverse("tips:public_report") + f"?district={city.district_a.code}")
    assert r.status_code == 200
    html = r.content.decode()
    assert f'value="{city.district_a.code}" selected' in html
    assert 'name="website"' in html and "<script>" not in html.split("</main>")[0].split("<main")[1]


def test_submit_shows_code_once_then_status_page(client, city):
    r = client.post(reverse("tips:public_report"), form_data(city, photos=jpeg()))
    assert r.status_code == 302 and r.url == reverse("tips:public_done")
    tip = Tip.objects.get()
    r = client.get(r.url)
    assert tip.code[:4] in r.content.decode()
    assert client.get(reverse("tips:public_done")).status_code == 302  # only once
    r = client.post(reverse("tips:public_status"), {"code": tip.code.lower()})
    assert r.status_code == 200 and "已受理，待核查" in r.content.decode()


def test_no_location_and_no_target_error_on_page(client, city):
    r = client.post(
        reverse("tips:public_report"), form_data(city, lon="", lat="", address="", target_name="")
    )
    assert r.status_code == 400
    assert "至少一项" in r.content.decode() and not Tip.objects.exists()


def test_thirty_mb_photo_refused_on_page(client, city):
    big = fake_photo(b"\xff\xd8\xff" + b"0" * (30 * 1024 * 1024))
    r = client.post(reverse("tips:public_report"), form_data(city, photos=big))
    assert r.status_code == 400 and "图片过大" in r.content.decode() and not Tip.objects.exists()


@pytest.mark.parametrize("content", [SVG, HTML])
def test_svg_or_html_as_photo_refused_on_page(client, city, content):
    r = client.post(reverse("tips:public_report"), form_data(city, photos=fake_photo(content)))
    assert r.status_code == 400 and "不是有效的图片" in r.content.decode() and not Tip.objects.exists()


def test_script_in_description_is_escaped_for_staff(client, login, city):
    client.post(
        reverse("tips:public_report"), form_data(city, description='<script>alert("x")</script>有燃气味')
    )
    tip = Tip.objects.get()
    assert tip.description.startswith("<script>")
    html = login(city.market_inspector_a).get(reverse("tips:tip_detail", args=[tip.pk])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;有燃气味" in html
    assert '<script>alert("x")' not in html


def test_two_hundred_submissions_a_minute_are_refused_after_the_limit(client, city, settings):
    settings.GASGUARD_TIP_RATE_PER_MIN = 5
    codes = [
        client.post(reverse("tips:public_report"), form_data(city), REMOTE_ADDR="203.0.113.7").status_code
        for _ in range(200)
    ]
    assert codes[:5] == [302] * 5
    assert set(codes[5:]) == {429}
    assert Tip.objects.count() == 5
    # another address is not affected
    assert (
        client.post(reverse("tips:public_report"), form_data(city), REMOTE_ADDR="203.0.113.8").status_code
        == 302
    )


def test_daily_limit(client, city, settings):
    settings.GASGUARD_TIP_RATE_PER_MIN = 100
    settings.GASGUARD_TIP_RATE_PER_DAY = 3
    codes = [
        client.post(reverse("tips:public_report"), form_data(city), REMOTE_ADDR="198.51.100.1").status_code
        for _ in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]


def test_honeypot_refused(client, city):
    r = client.post(reverse("tips:public_report"), form_data(city, website="http://spam.example"))
    assert r.status_code == 400 and not Tip.objects.exists()


def test_unknown_or_malformed_code_gets_one_generic_message(client, city):
    submit(city)
    for code in ["ABCDEFGHJKMN", "short", "<script>", "0000-0000-0000"]:
        r = client.post(reverse("tips:public_status"), {"code": code})
        assert r.status_code == 404
        assert "未找到该查询码对应的举报" in r.content.decode()


def test_status_page_shows_only_own_report_without_personal_data(client, city):
    mine = submit(
        city, is_anonymous=False, reporter_name="赵六", reporter_phone="13700001111", description="我的描述"
    )
    other = submit(city, description="别人的描述 13899998888", target_name="别人的饭店")
    html = client.post(reverse("tips:public_status"), {"code": mine.code}).content.decode()
    for secret in ("赵六", "13700001111", "别人的", "13899998888", other.code, "我的描述"):
        assert secret not in html


def test_status_lookups_are_rate_limited(client, city, settings):
    settings.GASGUARD_TIP_STATUS_RATE_PER_MIN = 3
    codes = [
        client.post(reverse("tips:public_status"), {"code": "ABCDEFGHJKMN"}).status_code for _ in range(5)
    ]
    assert codes == [404, 404, 404, 429, 429]


def test_status_follows_verification_and_hazard_closure(client, city):
    from gasguard.hazards.services import hazard_close_on_spot

    tip = submit(city)
    tip_verify(
        actor=city.market_inspector_a,
        tip_id=tip.pk,
        outcome="confirmed",
        target_type="premises",
        target_id=city.premises_a.pk,
    )
    html = client.post(reverse("tips:public_status"), {"code": tip.code}).content.decode()
    assert "已查实，隐患整改中" in html
    tip.refresh_from_db()
    hazard_close_on_spot(actor=city.market_inspector_a, hazard_id=tip.hazard_id, evidence_files=[jpeg()])
    html = client.post(reverse("tips:public_status"), {"code": tip.code}).content.decode()
    assert "已整改销号" in html


def test_unfounded_outcome_and_reply(client, city):
    tip = submit(city)
    tip_verify(
        actor=city.market_inspector_a,
        tip_id=tip.pk,
        outcome="unfounded",
        reason="内部：现场无软管",
        public_reply="经现场核查，未发现问题。",
    )
    html = client.get(reverse("tips:public_status") + f"?code={tip.code}").content.decode()
    assert "经现场核查，未发现问题。" in html and "内部：" not in html


def test_oversized_request_refused_before_parsing(client, city, settings):
    settings.GASGUARD_TIP_MAX_PHOTOS = 1
    settings.GASGUARD_TIP_PHOTO_MAX_MB = 1
    big = fake_photo(b"\xff\xd8\xff" + b"0" * (3 * 1024 * 1024))
    r = client.post(reverse("tips:public_report"), form_data(city, photos=big))
    assert r.status_code == 413 and not Tip.objects.exists()
