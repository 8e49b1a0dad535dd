from django.urls import path

from gasguard.products.api import views

app_name = "products_api"
urlpatterns = [
    path("models/", views.product_models, name="model_list"),
    path("spot-checks/", views.spot_checks, name="spot_check_list"),
    path("blacklist/", views.blacklist, name="blacklist"),
    path("blacklist/<int:pk>/lift/", views.blacklist_lift, name="blacklist_lift"),
    path("recalls/", views.recalls, name="recall_list"),
    path("recalls/<int:pk>/progress/", views.recall_progress, name="recall_progress"),
    path("recalls/<int:pk>/close/", views.recall_close, name="recall_close"),
    path("findings/", views.findings, name="finding_list"),
]
