from django.urls import path

from golive.views import communications, redaction, releases

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
    path("releases/<int:release_pk>/outbox/", communications.outbox, name="outbox"),
    path("releases/<int:release_pk>/outbox/new/", communications.communication_new, name="communication_new"),
    path(
        "releases/<int:release_pk>/outbox/<int:pk>/resend/",
        communications.communication_resend,
        name="communication_resend",
    ),
    path(
        "releases/<int:release_pk>/outbox/<int:pk>/",
        communications.communication_detail,
        name="communication_detail",
    ),
    path(
        "releases/<int:release_pk>/recipients/", communications.audience_addresses, name="audience_addresses"
    ),
    path("releases/<int:release_pk>/issues/", communications.issue_list, name="issue_list"),
    path("releases/<int:release_pk>/issues/new/", communications.issue_edit, name="issue_create"),
    path("releases/<int:release_pk>/issues/<int:pk>/", communications.issue_edit, name="issue_edit"),
    path(
        "releases/<int:release_pk>/issues/<int:pk>/notify/", communications.issue_notify, name="issue_notify"
    ),
]
