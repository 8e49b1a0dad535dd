from django.urls import path

from gasguard.products import views

app_name = "products"
urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("new/", views.product_create, name="product_create"),
    path("<int:pk>/", views.product_detail, name="product_detail"),
    path("blacklist/", views.blacklist, name="blacklist"),
    path("blacklist/<int:pk>/lift/", views.blacklist_lift, name="blacklist_lift"),
    path("spot-checks/", views.spot_check_list, name="spot_check_list"),
    path("spot-checks/new/", views.spot_check_create, name="spot_check_create"),
    path("recalls/", views.recall_list, name="recall_list"),
    path("recalls/new/", views.recall_create, name="recall_create"),
    path("recalls/<int:pk>/", views.recall_progress, name="recall_progress"),
    path("recalls/<int:pk>/close/", views.recall_close, name="recall_close"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/new/", views.finding_link, name="finding_link"),
]
