from django.urls import path

from gasguard.org import views

app_name = "org"
urlpatterns = [path("regions/", views.region_list, name="region_list")]
