from django.urls import path

from gasguard.registry import views

app_name = "registry"
urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/new/", views.enterprise_create, name="enterprise_create"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<int:enterprise_pk>/licences/new/", views.licence_create, name="licence_create"),
    path("enterprises/<int:enterprise_pk>/staff/new/", views.staff_create, name="staff_create"),
    path("licences/", views.licence_list, name="licence_list"),
    path("licences/<int:pk>/edit/", views.licence_edit, name="licence_edit"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("staff/<int:staff_pk>/certificates/new/", views.certificate_create, name="certificate_create"),
    path("premises/", views.premises_list, name="premises_list"),
    path("premises/new/", views.premises_create, name="premises_create"),
    path("premises/map/", views.premises_map, name="premises_map"),
    path("premises/<int:pk>/", views.premises_detail, name="premises_detail"),
    path("premises/<int:pk>/edit/", views.premises_edit, name="premises_edit"),
    path("facilities/", views.facility_list, name="facility_list"),
    path("facilities/new/", views.facility_create, name="facility_create"),
    path("facilities/<int:pk>/", views.facility_detail, name="facility_detail"),
    path("facilities/<int:pk>/edit/", views.facility_edit, name="facility_edit"),
    path("import/", views.import_page, name="import"),
    path("import/template/<str:kind>/", views.import_template, name="import_template"),
    path("import/report/", views.import_report, name="import_report"),
]
