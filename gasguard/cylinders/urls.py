from django.urls import path

from gasguard.cylinders import views

app_name = "cylinders"
urlpatterns = [
    path("", views.cylinder_list, name="cylinder_list"),
    path("import/", views.cylinder_import, name="cylinder_import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("labels.pdf", views.labels, name="labels"),
    path("gate/", views.gate, name="gate"),
    path("fills/", views.fill_list, name="fill_list"),
    path("violations/", views.violation_list, name="violation_list"),
    path("deliveries/", views.delivery_list, name="delivery_list"),
    path("deliveries/new/", views.delivery_create, name="delivery_create"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery_detail"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/<int:pk>/recall/", views.batch_recall, name="batch_recall"),
    path("recall/", views.model_recall, name="model_recall"),
    path("trace/", views.trace, name="trace"),
    path("premises/<int:pk>/", views.premises_cylinders, name="premises_cylinders"),
    path("c/<str:code>/", views.cylinder_detail, name="cylinder_detail"),
    path("c/<str:code>/<str:action>/", views.cylinder_action, name="cylinder_action"),
]
