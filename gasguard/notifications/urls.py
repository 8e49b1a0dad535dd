from django.urls import path

from gasguard.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.mark_read, name="mark_read"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("unread-badge/", views.unread_badge, name="unread_badge"),
    path("channels/", views.channels, name="channels"),
    path("channels/<int:pk>/toggle/", views.channel_toggle, name="channel_toggle"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry_view, name="delivery_retry"),
]
