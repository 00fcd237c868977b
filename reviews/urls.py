from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("releases/<int:release_pk>/review/", views.review, name="review"),
    path("releases/<int:release_pk>/review/draft/", views.review_draft, name="review_draft"),
    path("releases/<int:release_pk>/review/redraft/", views.review_redraft, name="review_redraft"),
    path("releases/<int:release_pk>/review/publish/", views.review_publish, name="review_publish"),
    path("releases/<int:release_pk>/review/findings/new/", views.finding_create, name="finding_create"),
    path("releases/<int:release_pk>/review/findings/<int:pk>/", views.finding_edit, name="finding_edit"),
    path(
        "releases/<int:release_pk>/review/findings/<int:pk>/remove/",
        views.finding_remove,
        name="finding_remove",
    ),
    path("releases/<int:release_pk>/review/actions/new/", views.action_create, name="action_create"),
    path("releases/<int:release_pk>/review/actions/<int:pk>/", views.action_edit, name="action_edit"),
    path("releases/<int:release_pk>/review/actions/<int:pk>/done/", views.action_done, name="action_done"),
    path("releases/<int:release_pk>/track-record/", views.track_record_page, name="track_record"),
]
