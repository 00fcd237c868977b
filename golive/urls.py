from django.urls import path

from golive.views import redaction, releases

app_name = "golive"

urlpatterns = [
    path("releases/new/", releases.release_create, name="release_create"),
    path("releases/<int:release_pk>/", releases.release_detail, name="release_detail"),
    path("releases/<int:release_pk>/edit/", releases.release_edit, name="release_edit"),
    path("releases/<int:release_pk>/move/", releases.release_move, name="release_move"),
    path(
        "releases/<int:release_pk>/redact/<int:content_type_id>/<int:object_pk>/",
        redaction.redact_record,
        name="redact",
    ),
    path("releases/<int:release_pk>/members/", releases.release_members, name="release_members"),
    path(
        "releases/<int:release_pk>/members/<int:pk>/remove/",
        releases.release_member_remove,
        name="release_member_remove",
    ),
]
