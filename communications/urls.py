from django.urls import path

from communications import views

app_name = "communications"

urlpatterns = [
    path("releases/<int:release_pk>/outbox/", views.outbox, name="outbox"),
    path("releases/<int:release_pk>/outbox/new/", views.communication_new, name="communication_new"),
    path(
        "releases/<int:release_pk>/outbox/<int:pk>/resend/",
        views.communication_resend,
        name="communication_resend",
    ),
    path(
        "releases/<int:release_pk>/outbox/<int:pk>/",
        views.communication_detail,
        name="communication_detail",
    ),
    path("releases/<int:release_pk>/recipients/", views.audience_addresses, name="audience_addresses"),
    path("releases/<int:release_pk>/issues/", views.issue_list, name="issue_list"),
    path("releases/<int:release_pk>/issues/new/", views.issue_edit, name="issue_create"),
    path("releases/<int:release_pk>/issues/<int:pk>/", views.issue_edit, name="issue_edit"),
    path("releases/<int:release_pk>/issues/<int:pk>/notify/", views.issue_notify, name="issue_notify"),
    path("releases/<int:release_pk>/issues/<int:pk>/public/", views.issue_publish, name="issue_publish"),
]
