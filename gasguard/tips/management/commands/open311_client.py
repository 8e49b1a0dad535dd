"""`gasguard open311_client create --name 12345热线 --region 4403`: register a forwarding system."""

from django.core.management.base import BaseCommand, CommandError

from gasguard.org.models import Region
from gasguard.tips.models import Open311Client
from gasguard.tips.services import open311_client_create


class Command(BaseCommand):
    help = "Open311 接入方：create 新建（打印一次性密钥）；list 列出；disable 停用"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "list", "disable"])
        parser.add_argument("--name", default="")
        parser.add_argument("--region", default="", help="默认区划代码（无法定位时归入该区划）")
        parser.add_argument("--channel", default="open311", help="记为渠道：open311 / 12345 / hotline")
        parser.add_argument("--prefix", default="", help="disable 时指定密钥前缀")

    def handle(self, *args, action, name, region, channel, prefix, **options):
        if action == "list":
            for c in Open311Client.objects.select_related("region"):
                state = "启用" if c.is_active else "停用"
                self.stdout.write(f"{c.key_prefix}\t{c.name}\t{c.region.code}\t{c.channel}\t{state}")
            return
        if action == "disable":
            if not Open311Client.objects.filter(key_prefix=prefix).update(is_active=False):
                raise CommandError(f"没有前缀为 {prefix!r} 的接入方")
            self.stdout.write("已停用")
            return
        place = Region.objects.filter(code=region).first()
        if place is None:
            raise CommandError(f"区划代码 {region!r} 不存在（--region）")
        from gasguard.core.errors import ValidationFailed

        try:
            client, key = open311_client_create(actor=None, name=name, region=place, channel=channel)
        except ValidationFailed as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"已创建接入方 {client.name}（前缀 {client.key_prefix}）。API 密钥（只显示这一次）："
        )
        self.stdout.write(key)
