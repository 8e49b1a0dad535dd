"""Staff pages: list (masked contact, filters, scope), detail actions, privacy, poster."""

import pytest
from django.urls import reverse
from django.utils import timezone

from gasguard.accounts.tests.factories import MembershipFactory, UserFactory
from gasguard.audit.models import AuditEvent
from gasguard.tips.models import Tip
from gasguard.tips.tests.factories import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def tips(city):
    a = submit(city, is_anonymous=False, reporter_name="钱七", reporter_phone="13812341234")
    b = submit(
        city, district_code=city.district_b.code, street_code="", lon=113.88, lat=22.55, category="pipeline"
    )
    return a, b


def test_list_is_scoped_and_masks_contact(city, login, tips, django_assert_max_num_queries):
    a, b = tips
    c = login(city.inspector_a)
    with django_assert_max_num_queries(12):
        r = c.get(reverse("tips:tip_list"))
    html = r.content.decode()
    assert f"#{a.pk}" in html and f"#{b.pk}<" not in html
    assert "138****1234" in html and "13812341234" not in html and "钱七" not in html
    r = login(city.taskforce_admin).get(reverse("tips:tip_list") + "?category=pipeline")
    assert f"#{b.pk}<" in r.content.decode() and f"#{a.pk}<" not in r.content.decode()


def test_enterprise_user_never_sees_reports(city, login, tips):
    a, _ = tips
    c = login(city.enterprise_user_a)
    assert c.get(reverse("tips:tip_list")).status_code == 403
    assert c.get(reverse("tips:tip_detail", args=[a.pk])).status_code == 403
    assert c.post(reverse("tips:tip_contact", args=[a.pk])).status_code == 403


def test_other_district_detail_is_404(city, login, tips):
    a, _ = tips
    assert login(city.inspector_b).get(reverse("tips:tip_detail", args=[a.pk])).status_code == 404


def test_contact_revealed_only_on_request_and_audited(city, login, tips):
    a, _ = tips
    c = login(city.supervisor_a)
    html = c.get(reverse("tips:tip_detail", args=[a.pk])).content.decode()
    assert "13812341234" not in html and "查看联系方式" in html
    html = c.post(reverse("tips:tip_contact", args=[a.pk])).content.decode()
    assert "钱七 13812341234" in html
    assert AuditEvent.objects.filter(event_type="TIP_CONTACT_VIEWED", object_id=str(a.pk)).count() == 1
    c = login(city.inspector_a)
    assert "查看联系方式" not in c.get(reverse("tips:tip_detail", args=[a.pk])).content.decode()
    assert c.post(reverse("tips:tip_contact", args=[a.pk])).status_code == 403


def test_operator_enters_hotline_report(city, login):
    c = login(city.inspector_a)
    assert c.get(reverse("tips:tip_create")).status_code == 200
    r = c.post(
        reverse("tips:tip_create"),
        {
            "channel": "12345",
            "external_ref": "GD2023001",
            "category": "gas",
            "description": "来电反映液化气疑似掺二甲醚",
            "district": city.district_a.code,
            "street": "",
            "address": "某路3号",
            "is_anonymous": "0",
            "reporter_name": "来电人",
            "reporter_phone": "13600001234",
        },
    )
    tip = Tip.objects.get()
    assert r.status_code == 302 and tip.channel == "12345" and tip.external_ref == "GD2023001"
    assert tip.department == city.housing_a and tip.entered_by == city.inspector_a


def test_verify_confirm_then_reward_flow_through_pages(city, login):
    second = UserFactory(username="tf2")
    MembershipFactory(user=second, role="taskforce_admin", task_force=city.task_force)
    tip = submit(city, is_anonymous=False, reporter_name="孙八", reporter_phone="13511112222")
    c = login(city.market_inspector_a)
    html = c.get(reverse("tips:tip_detail", args=[tip.pk])).content.decode()
    assert "南山川菜馆" in html  # target suggestion near the point / same name
    c.post(reverse("tips:tip_start", args=[tip.pk]))
    r = c.post(
        reverse("tips:tip_verify", args=[tip.pk]),
        {
            "outcome": "confirmed",
            "target_type": "premises",
            "target_id": city.premises_a.pk,
            "hazard_description": "软管老化",
        },
    )
    assert r.status_code == 302
    tip.refresh_from_db()
    assert tip.status == "confirmed" and tip.hazard_id
    c = login(city.taskforce_admin)
    c.post(reverse("tips:reward_propose", args=[tip.pk]), {"amount": "300"})
    reward = tip.reward
    r = c.post(reverse("tips:reward_approve", args=[reward.pk]), follow=True)
    assert "审批人不能是奖励提出人" in r.content.decode()
    c2 = login(second)
    c2.post(reverse("tips:reward_approve", args=[reward.pk]))
    c2.post(
        reverse("tips:reward_pay", args=[reward.pk]),
        {"paid_on": timezone.localdate().isoformat(), "reference": "PAY-1"},
    )
    reward.refresh_from_db()
    assert reward.status == "paid" and reward.payment_reference == "PAY-1"
    assert login(second).get(reverse("tips:reward_list")).status_code == 200


def test_verify_errors_are_shown(city, login):
    tip = submit(city)
    r = login(city.market_inspector_a).post(
        reverse("tips:tip_verify", args=[tip.pk]), {"outcome": "unfounded"}, follow=True
    )
    assert "请填写核查说明" in r.content.decode()


def test_duplicate_candidates_shown_on_detail(city, login):
    first = submit(city, lon=113.9300, lat=22.5300)
    second = submit(city, lon=113.9302, lat=22.5301)
    html = login(city.market_inspector_a).get(reverse("tips:tip_detail", args=[second.pk])).content.decode()
    assert 'data-testid="dedupe-candidates"' in html and f"#{first.pk}" in html


def test_poster_page_and_png(city, login):
    c = login(city.taskforce_admin)
    r = c.get(reverse("tips:poster") + f"?district={city.district_a.code}")
    html = r.content.decode()
    assert r.status_code == 200 and "<svg" in html and f"/report/?district={city.district_a.code}" in html
    r = c.get(reverse("tips:poster_png", args=[city.district_a.code]))
    assert r.status_code == 200 and r.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert (
        login(city.inspector_b).get(reverse("tips:poster_png", args=[city.district_a.code])).status_code
        == 404
    )


def test_photo_served_only_in_scope(city, login):
    from gasguard.tips.tests.factories import jpeg

    tip = submit(city, photos=[jpeg()])
    photo = tip.photos.get()
    r = login(city.inspector_a).get(reverse("tips:tip_photo", args=[photo.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    assert login(city.inspector_b).get(reverse("tips:tip_photo", args=[photo.pk])).status_code == 404
    assert login(city.enterprise_user_a).get(reverse("tips:tip_photo", args=[photo.pk])).status_code == 403


def test_reward_rules_page(city, login):
    c = login(city.taskforce_admin)
    assert c.get(reverse("tips:reward_rules")).status_code == 200
    r = c.post(
        reverse("tips:reward_rules"),
        {
            "region": city.district_a.code,
            "general_amount": "500",
            "major_amount": "5000",
            "min_amount": "200",
            "max_amount": "50000",
            "requires_real_name": "on",
            "note": "区规定",
        },
    )
    assert r.status_code == 302
    from gasguard.tips.models import RewardRule

    assert RewardRule.objects.get().general_amount == 500
    r = login(city.inspector_a).post(
        reverse("tips:reward_rules"),
        {
            "region": city.district_a.code,
            "general_amount": "1",
            "major_amount": "1",
            "min_amount": "1",
            "max_amount": "1",
        },
        follow=True,
    )
    assert "专班管理员" in r.content.decode()


def test_readonly_users_see_no_create_link_or_rule_form(city, login):
    """The leader and the monitor may read reports but not enter them: no 录入 link, no rule form."""
    create = reverse("tips:tip_create")
    for user in (city.leader, city.monitor_operator):
        c = login(user)
        r = c.get(reverse("tips:tip_list"))
        assert r.status_code == 200 and create not in r.content.decode()
        assert c.get(create).status_code == 403
        rules = c.get(reverse("tips:reward_rules")).content.decode()
        assert "设置规则" not in rules and 'name="general_amount"' not in rules
    assert create in login(city.inspector_a).get(reverse("tips:tip_list")).content.decode()
    assert (
        'name="general_amount"'
        in login(city.taskforce_admin).get(reverse("tips:reward_rules")).content.decode()
    )
