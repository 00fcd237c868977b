from django.urls import path

from registers import views

app_name = "registers"

urlpatterns = [
    path("releases/<int:release_pk>/risks/new/", views.RiskCreateView.as_view(), name="risk_create"),
    path("releases/<int:release_pk>/risks/<int:pk>/edit/", views.RiskUpdateView.as_view(), name="risk_edit"),
    path("releases/<int:release_pk>/risks/<int:pk>/close/", views.RiskCloseView.as_view(), name="risk_close"),
    path("releases/<int:release_pk>/defects/new/", views.DefectCreateView.as_view(), name="defect_create"),
    path(
        "releases/<int:release_pk>/defects/<int:pk>/edit/",
        views.DefectUpdateView.as_view(),
        name="defect_edit",
    ),
    path(
        "releases/<int:release_pk>/defects/<int:pk>/resolve/",
        views.DefectResolveView.as_view(),
        name="defect_resolve",
    ),
]
