from django.urls import path

from gasguard.cylinders.api import gate, views

app_name = "cylinders_api"
urlpatterns = [
    path("gate/", gate.gate, name="gate"),  # plain Django view: the hot path (api/gate.py)
    path("cylinders/", views.cylinder_collection, name="cylinder_list"),
    path("cylinders/bulk/", views.cylinder_bulk, name="cylinder_bulk"),
    path("cylinders/import/", views.cylinder_import, name="cylinder_import"),
    path("cylinders/<str:code>/", views.cylinder_detail, name="cylinder_detail"),
    path(
        "cylinders/<str:code>/<str:action>/",
        views.cylinder_action,
        name="cylinder_action",
    ),
    path("fills/", views.fill_collection, name="fill_list"),
    path("attempts/", views.attempt_collection, name="attempt_list"),
    path("violations/", views.violation_collection, name="violation_list"),
    path("gas-batches/", views.gas_batch_collection, name="gas_batch_list"),
    path("gas-batches/<int:pk>/recall/", views.gas_batch_recall, name="gas_batch_recall"),
    path("gas-samples/", views.gas_sample_collection, name="gas_sample_list"),
    path("deliveries/", views.delivery_collection, name="delivery_list"),
    path("deliveries/<int:pk>/check/", views.delivery_check, name="delivery_check"),
    path("epcis/events", views.epcis_events, name="epcis_events"),
    path("epcis/events/", views.epcis_events_slash),
    path("premises/<int:pk>/cylinders/", views.premises_cylinders, name="premises_cylinders"),
    path("trace/<str:code>/", views.trace, name="trace"),
    path("recall/", views.recall, name="recall"),
    path("operators/", views.operators, name="operators"),
]
