from django.urls import path

from dashboards.views import history, portfolio, release

app_name = "dashboards"

urlpatterns = [
    path("", portfolio.portfolio, name="portfolio"),
    path("healthz", release.healthz, name="healthz"),
    path("releases/<int:release_pk>/dashboard/", release.release_dashboard_page, name="release_dashboard"),
    path("releases/<int:release_pk>/dashboard/risks/", release.heat_map_cell, name="heat_map_cell"),
    path("releases/<int:release_pk>/audit-pack.zip", release.audit_pack, name="audit_pack"),
    path("releases/<int:release_pk>/history/", history.release_history_page, name="release_history"),
]
