"""Demo city, government users: one login per government role (enterprise users come with the
registry demo). Password: settings.GASGUARD_DEMO_PASSWORD.

Adds to ctx.data: users {username: User}, user_roles {username: (role label, unit name)}.
"""

from django.conf import settings
from django.contrib.auth.hashers import make_password

from gasguard.accounts.choices import MembershipRoleChoices as R
from gasguard.accounts.models import Membership, User

# username, real name, role, unit: ("dept", region_code, kind) or ("tf", region_code)
GOVERNMENT_USERS = [
    ("taskforce", "周专班", R.TASKFORCE_ADMIN, ("tf", "4403")),
    ("leader", "郑领导", R.LEADER, ("tf", "4403")),
    ("monitor", "吴值班", R.MONITOR_OPERATOR, ("dept", "4403", "housing")),
    ("ns_inspector", "李检查", R.INSPECTOR, ("dept", "440305", "housing")),
    ("ns_supervisor", "王主管", R.SUPERVISOR, ("dept", "440305", "housing")),
    ("ns_market", "赵市监", R.INSPECTOR, ("dept", "440305", "market")),
    ("ns_fire", "钱消防", R.INSPECTOR, ("dept", "440305", "fire")),
    ("ns_commerce", "孙商务", R.INSPECTOR, ("dept", "440305", "commerce")),
    ("ns_taskforce", "冯区专班", R.TASKFORCE_ADMIN, ("tf", "440305")),
    ("ba_inspector", "刘检查", R.INSPECTOR, ("dept", "440306", "housing")),
    ("ba_supervisor", "陈主管", R.SUPERVISOR, ("dept", "440306", "housing")),
    ("lh_inspector", "杨检查", R.INSPECTOR, ("dept", "440303", "housing")),
    ("ft_inspector", "黄检查", R.INSPECTOR, ("dept", "440304", "housing")),
    ("lg_inspector", "何检查", R.INSPECTOR, ("dept", "440307", "housing")),
    ("lhua_inspector", "罗检查", R.INSPECTOR, ("dept", "440309", "housing")),
    ("city_market", "高市监", R.SUPERVISOR, ("dept", "4403", "market")),
]


def create_demo_user(ctx, username: str, real_name: str, *, superuser: bool = False) -> User:
    """A demo login; the password is hashed once per demo run (hashing is deliberately slow)."""
    if "password_hash" not in ctx.data:
        ctx.data["password_hash"] = make_password(settings.GASGUARD_DEMO_PASSWORD)
    user = User(username=username, real_name=real_name, is_superuser=superuser, is_staff=superuser)
    user.password = ctx.data["password_hash"]
    user.save()
    ctx.data.setdefault("users", {})[username] = user
    return user


def build(ctx) -> None:
    departments = ctx.data["departments"]
    task_forces = {tf.region_code: tf for tf in [ctx.data["task_force"], *ctx.data["district_task_forces"]]}
    roles = ctx.data.setdefault("user_roles", {})
    create_demo_user(ctx, "admin", "系统管理员", superuser=True)
    roles["admin"] = ("系统管理员", "全部")
    for username, real_name, role, unit in GOVERNMENT_USERS:
        user = create_demo_user(ctx, username, real_name)
        if unit[0] == "tf":
            tf = task_forces[unit[1]]
            Membership.objects.create(user=user, role=role, task_force=tf)
            roles[username] = (role.label, tf.name)
        else:
            dept = departments[(unit[1], unit[2])]
            Membership.objects.create(user=user, role=role, department=dept)
            roles[username] = (role.label, dept.name)
    ctx.log(f"政府用户：{len(GOVERNMENT_USERS) + 1} 个")
