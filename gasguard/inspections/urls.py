"""Inspection pages under /inspections/."""

from django.urls import path

from gasguard.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("new/", views.inspection_new, name="inspection_new"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:pk>/start/", views.task_start, name="task_start"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/export/", views.coverage_export, name="coverage_export"),
    path("timeline/<str:target_type>/<int:pk>/", views.timeline, name="timeline"),
    path("<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("<int:pk>/record/", views.inspection_record, name="inspection_record"),
    path("<int:pk>/sign/", views.inspection_sign, name="inspection_sign"),
    path("<int:pk>/seal/", views.inspection_seal, name="inspection_seal"),
    path("<int:pk>/correct/", views.inspection_correct, name="inspection_correct"),
    path("<int:pk>/notice/", views.notice, name="notice"),
    path("<int:pk>/notice.<str:fmt>", views.notice_file, name="notice_file"),
    path("<int:pk>/<str:kind>/<int:item>/", views.media_file, name="media_file"),
]
