from django.urls import path

from forge import views

app_name = "forge"

urlpatterns = [
    path("hooks/github/", views.github_webhook, name="github_webhook"),
    path("hooks/gitlab/", views.gitlab_webhook, name="gitlab_webhook"),
    path("releases/<int:release_pk>/deploy-targets/", views.deployment_targets, name="deployment_targets"),
    path(
        "releases/<int:release_pk>/deploy-targets/<int:pk>/remove/",
        views.deployment_target_remove,
        name="deployment_target_remove",
    ),
]
