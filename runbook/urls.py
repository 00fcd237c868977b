from django.urls import path

from runbook import co_performance_views, views

app_name = "runbook"

urlpatterns = [
    path("releases/<int:release_pk>/runbook/", views.runbook_plan, name="runbook_plan"),
    path("releases/<int:release_pk>/runbook/live/", views.runbook_live, name="runbook_live"),
    path("releases/<int:release_pk>/runbook/mine/", views.my_steps, name="my_steps"),
    path("releases/<int:release_pk>/runbook/steps/new/", views.step_edit, name="step_create"),
    path("releases/<int:release_pk>/runbook/steps/<int:pk>/edit/", views.step_edit, name="step_edit"),
    path("releases/<int:release_pk>/runbook/steps/<int:pk>/delete/", views.step_delete, name="step_delete"),
    path(
        "releases/<int:release_pk>/runbook/steps/<int:pk>/reorder/", views.step_reorder, name="step_reorder"
    ),
    path(
        "releases/<int:release_pk>/runbook/steps/<int:pk>/co-performed/",
        co_performance_views.step_co_performed,
        name="step_co_performed",
    ),
    path(
        "releases/<int:release_pk>/runbook/steps/<int:pk>/<str:action>/",
        views.step_action,
        name="step_action",
    ),
    path("releases/<int:release_pk>/runbook/abort/", views.abort_golive, name="runbook_abort"),
    path("releases/<int:release_pk>/runbook/rollback/", views.rollback_notes, name="rollback_notes"),
    path("releases/<int:release_pk>/runbook/live-now/", views.declare_live, name="declare_live"),
    path("releases/<int:release_pk>/runbook/export.csv", views.runbook_export, name="runbook_export"),
    path("releases/<int:release_pk>/runbook/import/", views.runbook_import, name="runbook_import"),
    path("releases/<int:release_pk>/rehearsals/new/", views.rehearsal_start, name="rehearsal_start"),
    path("releases/<int:release_pk>/rehearsals/<int:pk>/", views.rehearsal_detail, name="rehearsal_detail"),
    path(
        "releases/<int:release_pk>/rehearsals/<int:pk>/<str:action>/",
        views.rehearsal_action,
        name="rehearsal_action",
    ),
]
