from django.urls import path

from golive.views import records, releases

app_name = "golive"

urlpatterns = [
    path("", releases.portfolio, name="portfolio"),
    path("releases/new/", releases.release_create, name="release_create"),
    path("releases/<int:release_pk>/", releases.release_detail, name="release_detail"),
    path("releases/<int:release_pk>/edit/", releases.release_edit, name="release_edit"),
    path("releases/<int:release_pk>/move/", releases.release_move, name="release_move"),
    path("releases/<int:release_pk>/members/", releases.release_members, name="release_members"),
    path(
        "releases/<int:release_pk>/members/<int:pk>/remove/",
        releases.release_member_remove,
        name="release_member_remove",
    ),
    path("releases/<int:release_pk>/risks/new/", records.RiskCreateView.as_view(), name="risk_create"),
    path(
        "releases/<int:release_pk>/risks/<int:pk>/edit/", records.RiskUpdateView.as_view(), name="risk_edit"
    ),
    path(
        "releases/<int:release_pk>/risks/<int:pk>/close/", records.RiskCloseView.as_view(), name="risk_close"
    ),
    path("releases/<int:release_pk>/defects/new/", records.DefectCreateView.as_view(), name="defect_create"),
    path(
        "releases/<int:release_pk>/defects/<int:pk>/edit/",
        records.DefectUpdateView.as_view(),
        name="defect_edit",
    ),
    path(
        "releases/<int:release_pk>/defects/<int:pk>/resolve/",
        records.DefectResolveView.as_view(),
        name="defect_resolve",
    ),
]
