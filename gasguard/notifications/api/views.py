"""Inbox API: list the caller's messages, unread count, mark read."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from gasguard.core.api import PersonalWritePermission
from gasguard.core.filters import parse_bool
from gasguard.core.schema import query
from gasguard.notifications.api.serializers import MarkReadSerializer, NotificationSerializer
from gasguard.notifications.models import Notification
from gasguard.notifications.selectors import notification_get, notification_list, unread_count
from gasguard.notifications.services import notification_mark_read


class NotificationListView(generics.ListAPIView):
    """GET /api/notifications/ (?unread=true|false|1|0): the caller's inbox, newest first."""

    serializer_class = NotificationSerializer

    @extend_schema(parameters=[query("unread", OpenApiTypes.BOOL)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        unread = parse_bool(self.request.query_params.get("unread"), "unread", label="未读")
        return notification_list(user=self.request.user, unread_only=bool(unread))


@extend_schema(request=None, responses={200: NotificationSerializer}, operation_id="notifications_read_one")
@api_view(["POST"])
@permission_classes([PersonalWritePermission])
def notification_read(request, pk: int):
    """POST /api/notifications/<id>/read/"""
    note = notification_get(user=request.user, pk=pk)
    notification_mark_read(user=request.user, notification_ids=[note.pk])
    note.refresh_from_db()
    return Response(NotificationSerializer(note).data)


@extend_schema(request=MarkReadSerializer, responses={200: dict}, operation_id="notifications_read_many")
@api_view(["POST"])
@permission_classes([PersonalWritePermission])
def notification_read_many(request):
    """POST /api/notifications/read/ {"ids": [..]} (no ids = all)."""
    s = MarkReadSerializer(data=request.data)
    s.is_valid(raise_exception=True)
    count = notification_mark_read(user=request.user, notification_ids=s.validated_data.get("ids"))
    return Response({"marked": count, "unread": unread_count(user=request.user)})


@extend_schema(responses={200: dict})
@api_view(["GET"])
def notification_unread(request):
    """GET /api/notifications/unread/ → {"unread": n}"""
    return Response({"unread": unread_count(user=request.user)})
