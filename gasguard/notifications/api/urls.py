from django.urls import path

from gasguard.notifications.api import views

app_name = "notifications_api"
urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("unread/", views.notification_unread, name="unread"),
    path("read/", views.notification_read_many, name="read_many"),
    path("<int:pk>/read/", views.notification_read, name="read"),
]
