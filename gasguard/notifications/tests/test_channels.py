"""Outbound channels: DingTalk/WeCom JSON formats against a real local HTTP server, e-mail, retries."""

import base64
import hashlib
import hmac
import urllib.parse
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from gasguard.notifications.channels import (
    ChannelError,
    DingTalkChannel,
    OutboundMessage,
    WeComChannel,
    dingtalk_sign,
)
from gasguard.notifications.models import Delivery, Notification, NotificationChannel
from gasguard.notifications.services import (
    backoff_delay,
    channel_create,
    deliver_due,
    delivery_retry,
    notify,
)

MSG = OutboundMessage(subject="隐患逾期提醒", body="南山川菜馆软管超长，已逾期 3 天", link="http://x/h/1")


def test_dingtalk_markdown_body_and_signature(robot):
    DingTalkChannel(address=robot.url, secret="SECabc").send(MSG)
    req = robot.requests[0]
    assert req["body"]["msgtype"] == "markdown"
    assert req["body"]["markdown"]["title"] == "隐患逾期提醒"
    assert "南山川菜馆" in req["body"]["markdown"]["text"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(req["path"]).query)
    assert query["access_token"] == ["abc"]
    ts = query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(b"SECabc", f"{ts}\nSECabc".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]


def test_dingtalk_sign_is_deterministic_for_a_timestamp():
    ts, sign = dingtalk_sign("s3cret", 1700000000000)
    assert ts == "1700000000000"
    raw = hmac.new(b"s3cret", b"1700000000000\ns3cret", hashlib.sha256).digest()
    assert urllib.parse.unquote_plus(sign) == base64.b64encode(raw).decode()


def test_wecom_markdown_body(robot):
    WeComChannel(address=robot.url).send(MSG)
    body = robot.requests[0]["body"]
    assert body == {"msgtype": "markdown", "markdown": {"content": MSG.markdown()}}
    assert "timestamp=" not in robot.requests[0]["path"]


def test_robot_errcode_is_a_failure(robot):
    robot.answer = {"errcode": 310000, "errmsg": "sign not match"}
    with pytest.raises(ChannelError, match="310000"):
        DingTalkChannel(address=robot.url).send(MSG)


def test_http_error_and_refused_connection_are_failures(robot, dead_url):
    robot.status = 500
    with pytest.raises(ChannelError, match="HTTP 500"):
        WeComChannel(address=robot.url).send(MSG)
    with pytest.raises(ChannelError, match="连接失败"):
        WeComChannel(address=dead_url).send(MSG)


@override_settings(GASGUARD_NOTIFY_BACKOFF_SECONDS=60, GASGUARD_NOTIFY_BACKOFF_MAX_SECONDS=3600)
def test_backoff_doubles_and_is_capped():
    assert [backoff_delay(n).total_seconds() for n in (1, 2, 3, 4, 7, 20)] == [60, 120, 240, 480, 3600, 3600]


def _channel(city, kind, address, **kw):
    return channel_create(
        actor=None, name=f"{kind}渠道", kind=kind, region=city.district_a, address=address, **kw
    )


@pytest.mark.django_db
def test_notify_sends_to_department_robot_after_commit(city, robot, django_capture_on_commit_callbacks):
    _channel(city, "dingtalk", robot.url, department=city.housing_a, secret="SECx")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[city.inspector_a, city.supervisor_a], kind="hazard_overdue", subject="逾期", body="b"
        )
    # two recipients in one department group → one robot message
    assert len(robot.requests) == 1
    d = Delivery.objects.get()
    assert d.status == "sent" and d.attempts == 1 and d.sent_at


@pytest.mark.django_db
def test_channel_matching_by_department_region_and_kind(city, robot, django_capture_on_commit_callbacks):
    _channel(city, "wecom", robot.url, kinds=["tip_routed"])  # region channel of 南山, only tip_routed
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[city.inspector_b], kind="tip_routed", subject="宝安")  # other district
        notify(recipients=[city.inspector_a], kind="other_kind", subject="南山其他")
        notify(recipients=[city.enterprise_user_a], kind="tip_routed", subject="企业")  # not government
        notify(recipients=[city.market_inspector_a], kind="tip_routed", subject="南山举报")
    assert [r["body"]["markdown"]["content"].splitlines()[0] for r in robot.requests] == ["### 南山举报"]


@pytest.mark.django_db
def test_email_channel_to_mailbox_and_to_each_recipient(city, django_capture_on_commit_callbacks):
    city.inspector_a.email = "ins@example.cn"
    city.inspector_a.save()
    _channel(city, "email", "duty@example.cn")
    _channel(city, "email", "")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[city.inspector_a, city.supervisor_a],
            kind="k",
            subject="主题",
            body="正文",
            link="/h/1/",
        )
    recipients = sorted(m.to[0] for m in mail.outbox)
    # mailbox once; personal copy only for the user who has an address
    assert recipients == ["duty@example.cn", "ins@example.cn"]
    assert "/h/1/" in mail.outbox[0].body


@pytest.mark.django_db
@override_settings(GASGUARD_NOTIFY_MAX_ATTEMPTS=3, GASGUARD_NOTIFY_BACKOFF_SECONDS=10)
def test_failing_channel_never_loses_the_action_and_retries_with_backoff(
    city, dead_url, django_capture_on_commit_callbacks
):
    _channel(city, "wecom", dead_url)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[city.inspector_a], kind="k", subject="保留我")
    assert Notification.objects.filter(subject="保留我").exists()  # the inbox row is committed
    d = Delivery.objects.get()
    assert d.status == "pending" and d.attempts == 1 and "连接失败" in d.last_error
    assert timedelta(seconds=0) < d.next_attempt_at - timezone.now() <= timedelta(seconds=10)

    # exact timing with an explicit clock: the first retry waits 10 s after the failed attempt
    t0 = timezone.now()
    Delivery.objects.filter(pk=d.pk).update(attempts=0, next_attempt_at=t0)
    deliver_due(now=t0)
    d.refresh_from_db()
    first_retry = d.next_attempt_at
    assert d.attempts == 1 and first_retry - t0 == timedelta(seconds=10)

    assert deliver_due(now=t0 + timedelta(seconds=5))["sent"] == 0  # not due yet: nothing attempted
    assert Delivery.objects.get().attempts == 1

    deliver_due(now=first_retry + timedelta(seconds=1))
    d.refresh_from_db()
    assert d.attempts == 2 and d.status == "pending"
    assert d.next_attempt_at - (first_retry + timedelta(seconds=1)) == timedelta(seconds=20)

    deliver_due(now=d.next_attempt_at + timedelta(seconds=1))
    d.refresh_from_db()
    assert d.attempts == 3 and d.status == "failed" and d.next_attempt_at is None

    delivery_retry(delivery_id=d.pk)
    d.refresh_from_db()
    assert d.status == "pending" and d.attempts == 0


@pytest.mark.django_db
def test_recovered_channel_delivers_on_retry(city, robot, django_capture_on_commit_callbacks):
    robot.status = 502
    _channel(city, "dingtalk", robot.url)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[city.inspector_a], kind="k", subject="重试")
    d = Delivery.objects.get()
    assert d.status == "pending"
    robot.status = 200
    deliver_due(now=d.next_attempt_at)
    d.refresh_from_db()
    assert d.status == "sent" and d.attempts == 2 and d.last_error == ""


@pytest.mark.django_db
def test_claim_is_race_safe(city, robot):
    ch = _channel(city, "wecom", robot.url)
    d = Delivery.objects.create(channel=ch, kind="k", subject="s", next_attempt_at=timezone.now())
    stale = Delivery.objects.get(pk=d.pk)
    from gasguard.notifications.services import delivery_attempt

    assert delivery_attempt(delivery=d) is True
    assert delivery_attempt(delivery=stale) is False  # the second worker loses the claim
    assert len(robot.requests) == 1


@pytest.mark.django_db
def test_channel_secret_encrypted_at_rest_and_robot_requires_url(city):
    ch = _channel(city, "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=t", secret="SECsecret")
    raw = NotificationChannel.objects.filter(pk=ch.pk).values_list("secret_enc", flat=True).get()
    assert "SECsecret" not in raw and ch.secret == "SECsecret"
    from gasguard.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        _channel(city, "wecom", "not-a-url")
    assert "address" in exc.value.errors


@pytest.mark.django_db
def test_deliver_command(city, robot, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    _channel(city, "wecom", robot.url)
    with (
        override_settings(GASGUARD_NOTIFY_SEND_ON_COMMIT=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify(recipients=[city.inspector_a], kind="k", subject="命令发送")
    assert Delivery.objects.get().status == "pending" and not robot.requests
    out = StringIO()
    call_command("notifications", "deliver", stdout=out)
    assert "sent=1" in out.getvalue()
    assert Delivery.objects.get().status == "sent"
