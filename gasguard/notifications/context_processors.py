"""Optional context processor: `notifications_unread` for a badge in the navigation bar."""

from gasguard.notifications.selectors import unread_count


def unread(request):
    user = getattr(request, "user", None)
    return {"notifications_unread": unread_count(user=user) if user is not None else 0}
