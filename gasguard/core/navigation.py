"""The product's navigation. Apps register their menu items here, in one place.

Each item is (label, url name, required roles or None for any signed-in user). The third
element may instead be the dotted path of a predicate `f(user) -> bool` (the same function the
view uses to refuse), for pages whose access is not a matter of role alone. Items whose URL does
not exist yet (an app not yet built) are skipped, so the menu never links to a 404.
"""

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

# Government roles (everyone but enterprise users); see accounts.choices.GOVERNMENT_ROLES.
GOV = ("taskforce_admin", "supervisor", "inspector", "monitor_operator", "leader")

MENU: list[tuple[str, list[tuple[str, str, tuple[str, ...] | str | None]]]] = [
    ("总览", [("首页", "core:home", None), ("统计看板", "dashboard:index", None)]),
    (
        "基础台账",
        [
            ("企业", "registry:enterprise_list", None),
            ("用气场所", "registry:premises_list", None),
            ("场所地图", "registry:premises_map", None),
            ("燃气设施", "registry:facility_list", None),
            ("证照", "registry:licence_list", None),
            ("从业人员", "registry:staff_list", None),
            ("组织机构", "org:region_list", None),
        ],
    ),
    (
        "排查整治",
        [
            ("排查任务", "inspections:task_list", ("taskforce_admin", "supervisor", "inspector", "leader")),
            ("检查批次", "inspections:batch_list", ("taskforce_admin", "supervisor", "leader")),
            ("检查记录", "inspections:inspection_list", None),
            ("覆盖率", "inspections:coverage", ("taskforce_admin", "supervisor", "inspector", "leader")),
            ("隐患台账", "hazards:hazard_list", None),
            ("移送", "hazards:referral_list", None),
            ("执法记录", "hazards:enforcement_list", None),
            ("回头看", "hazards:revisit_list", None),
            ("检查规则库", "rules:rule_list", None),
        ],
    ),
    (
        "专项整治",
        [
            ("群众举报", "tips:tip_list", GOV),
            ("工作阶段", "campaigns:campaign_list", None),
            ("月度报告", "campaigns:report_list", None),
            ("督办通报", "campaigns:supervision", GOV),
        ],
    ),
    (
        "一瓶一码",
        [
            ("气瓶", "cylinders:cylinder_list", None),
            ("充装核验", "cylinders:gate", None),
            ("充装记录", "cylinders:fill_list", None),
            ("违规充装", "cylinders:violation_list", "gasguard.cylinders.permissions.can_view_violations"),
            ("配送", "cylinders:delivery_list", None),
            ("产品质量", "products:product_list", None),
            ("送气人员与车辆", "fleet:vehicle_list", None),
        ],
    ),
    (
        "城市生命线",
        [
            ("监测中心", "monitoring:centre", None),
            ("监测设备", "monitoring:device_list", None),
            ("报警", "monitoring:alarm_list", None),
        ],
    ),
    (
        "系统",
        [
            ("消息", "notifications:inbox", None),
            ("审计链", "audit:event_list", "gasguard.audit.selectors.can_view_audit"),
            ("接口文档", "api-docs", None),
        ],
    ),
]


def navigation_for(user) -> list[dict]:
    from gasguard.accounts.selectors import user_scope

    scope = user_scope(user=user)
    sections = []
    for title, items in MENU:
        links = []
        for label, url_name, roles in items:
            if isinstance(roles, str):
                if not (user.is_superuser or import_string(roles)(user)):
                    continue
            elif roles and not scope.has_role(*roles):
                continue
            try:
                links.append({"label": label, "url": reverse(url_name)})
            except NoReverseMatch:
                continue
        if links:
            sections.append({"title": title, "links": links})
    return sections
