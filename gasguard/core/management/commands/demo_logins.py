"""`gasguard demo_logins`: print the demo accounts, their roles and the password."""

from django.conf import settings
from django.core.management.base import BaseCommand

from gasguard.accounts.models import User


class Command(BaseCommand):
    help = "列出演示账号"

    def handle(self, *args, **options):
        users = (
            User.objects.filter(is_active=True)
            .prefetch_related("memberships__department", "memberships__task_force", "memberships__enterprise")
            .order_by("id")
        )
        if not users:
            self.stdout.write("没有账号。请先运行 gasguard demo。")
            return
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {settings.GASGUARD_DEMO_PASSWORD}）：")
        self.stdout.write(f"  {'用户名':<16}{'角色':<14}单位")
        for user in users:
            memberships = [m for m in user.memberships.all() if m.is_active]
            if user.is_superuser:
                role, unit = "系统管理员", "全部数据"
            elif memberships:
                role = memberships[0].get_role_display()
                unit = str(memberships[0].unit)
            else:
                continue
            self.stdout.write(f"  {user.username:<16}{role:<14}{unit}")
        self.stdout.write("")
        self.stdout.write("打开 http://127.0.0.1:8000 登录；群众举报入口 http://127.0.0.1:8000/report/")
        self.stdout.write("")
