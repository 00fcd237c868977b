from django.urls import path

from smoketests import views

app_name = "smoketests"

urlpatterns = [
    path("releases/<int:release_pk>/smoke/", views.check_list, name="check_list"),
    path("releases/<int:release_pk>/smoke/checks/new/", views.check_create, name="check_create"),
    path("releases/<int:release_pk>/smoke/checks/<int:pk>/edit/", views.check_edit, name="check_edit"),
    path("releases/<int:release_pk>/smoke/checks/<int:pk>/delete/", views.check_delete, name="check_delete"),
    path("releases/<int:release_pk>/smoke/runs/start/", views.run_start, name="run_start"),
    path("releases/<int:release_pk>/smoke/runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("releases/<int:release_pk>/smoke/monitors/new/", views.monitor_create, name="monitor_create"),
    path("releases/<int:release_pk>/smoke/monitors/<int:pk>/", views.monitor_detail, name="monitor_detail"),
    path("releases/<int:release_pk>/smoke/monitors/<int:pk>/edit/", views.monitor_edit, name="monitor_edit"),
]
