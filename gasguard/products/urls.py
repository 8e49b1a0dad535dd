from django.urls import path

from gasguard.products import views

app_name = "products"
urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("blacklist/", views.blacklist, name="blacklist"),
    path("spot-checks/", views.spot_check_list, name="spot_check_list"),
    path("recalls/", views.recall_list, name="recall_list"),
]
