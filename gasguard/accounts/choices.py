"""Roles a membership grants."""

from django.db import models


class MembershipRoleChoices(models.TextChoices):
    """What a member may do; what they may *see* comes from where the membership is."""

    TASKFORCE_ADMIN = "taskforce_admin", "专班管理员"
    SUPERVISOR = "supervisor", "部门监管负责人"
    INSPECTOR = "inspector", "检查人员"
    ENTERPRISE = "enterprise", "企业用户"
    MONITOR_OPERATOR = "monitor_operator", "监测中心值班员"
    LEADER = "leader", "领导(只读)"


ROLE = MembershipRoleChoices
# Roles that may change data in their scope (the read-only leader may not).
WRITE_ROLES = (ROLE.TASKFORCE_ADMIN, ROLE.SUPERVISOR, ROLE.INSPECTOR)
GOVERNMENT_ROLES = (ROLE.TASKFORCE_ADMIN, ROLE.SUPERVISOR, ROLE.INSPECTOR, ROLE.MONITOR_OPERATOR, ROLE.LEADER)
