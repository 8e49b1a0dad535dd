"""DRF permission classes shared by every app (kept free of rest_framework.views imports so the
REST_FRAMEWORK settings can name them without a circular import)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated


class WriteRolePermission(BasePermission):
    """Authenticated users may read; only users holding a role other than the read-only
    leader may write. Checked before the payload is parsed, so a leader always gets 403.
    Each app's finer rules (which role may do what, in which scope) stay in its services."""

    message = "只读账号（领导）无权修改数据。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        from gasguard.accounts.choices import MembershipRoleChoices
        from gasguard.accounts.selectors import user_scope

        scope = user_scope(user=user)
        return scope.is_global or bool(scope.roles - {MembershipRoleChoices.LEADER})


class PersonalWritePermission(IsAuthenticated):
    """Writes that only touch the caller's own data (e.g. marking own notifications read)."""
