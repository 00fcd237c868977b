from csp.decorators import csp_update
from django.contrib.auth.decorators import login_not_required
from django.urls import path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from integrations.api import schema, views  # noqa: F401  (schema registers the token scheme with drf-spectacular)


class IdConverter:
    """Digits that fit a 64-bit primary key; longer ones are not ids and get a plain 404."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")

# Swagger UI, with its start-up script served as a file (the split view) so no inline script is needed;
# it styles its own elements inline, which only this page's policy allows.
api_docs = csp_update({"style-src": ["'unsafe-inline'"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api:schema")
)

app_name = "api"

RELEASE = "v1/releases/<id:release_pk>/"

urlpatterns = [
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", login_not_required(api_docs), name="docs"),
    path("v1/releases/", views.ReleaseListView.as_view(), name="release_list"),
    path(RELEASE, views.ReleaseDetailView.as_view(), name="release_detail"),
    path(RELEASE + "gate", views.GateView.as_view(), name="gate"),
    path(RELEASE + "deployments/", views.DeploymentReportView.as_view(), name="deployment_report"),
    path(RELEASE + "risks/", views.RiskListCreateView.as_view(), name="risk_list"),
    path(RELEASE + "risks/<id:pk>/", views.RiskDetailView.as_view(), name="risk_detail"),
    path(RELEASE + "defects/", views.DefectListCreateView.as_view(), name="defect_list"),
    path(RELEASE + "defects/upsert/", views.DefectUpsertView.as_view(), name="defect_upsert"),
    path(RELEASE + "risks/upsert/", views.RiskUpsertView.as_view(), name="risk_upsert"),
    path(RELEASE + "defects/<id:pk>/", views.DefectDetailView.as_view(), name="defect_detail"),
    path(RELEASE + "smoke-runs/", views.SmokeRunListCreateView.as_view(), name="smoke_run_list"),
    path(RELEASE + "smoke-runs/<id:pk>/", views.SmokeRunDetailView.as_view(), name="smoke_run_detail"),
]
