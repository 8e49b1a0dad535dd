"""Authentication with lockout after repeated failures (等保 requirement for login security)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.utils import timezone

from gasguard.accounts.models import User


class LockoutModelBackend(ModelBackend):
    """Refuses a locked account even with the right password; counts consecutive failures."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = User.objects.filter(username=username).first()
        now = timezone.now()
        if user is not None and user.locked_until and user.locked_until > now:
            if request is not None:
                request.gasguard_locked_until = user.locked_until
            return None
        authenticated = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            return None
        if authenticated is None:
            User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
            user.refresh_from_db(fields=["failed_logins"])
            if user.failed_logins >= settings.GASGUARD_LOGIN_MAX_FAILURES:
                until = now + timedelta(minutes=settings.GASGUARD_LOGIN_LOCK_MINUTES)
                User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
                if request is not None:
                    request.gasguard_locked_until = until
            return None
        if user.failed_logins or user.locked_until:
            User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        return authenticated
