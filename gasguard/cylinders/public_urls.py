from django.urls import path

from gasguard.cylinders import public_views

app_name = "cylinders_public"
urlpatterns = [path("c/<str:code>", public_views.scan, name="scan"), path("c/<str:code>/", public_views.scan)]
