from django.urls import path

from gonogo.views import meetings, vote_links

app_name = "gonogo"

urlpatterns = [
    path("releases/<int:release_pk>/meetings/new/", meetings.meeting_schedule, name="meeting_schedule"),
    path("releases/<int:release_pk>/meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path(
        "releases/<int:release_pk>/meetings/<int:pk>/open/", meetings.meeting_open_voting, name="meeting_open"
    ),
    path("releases/<int:release_pk>/meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path(
        "releases/<int:release_pk>/meetings/<int:pk>/cancel/", meetings.meeting_cancel, name="meeting_cancel"
    ),
    path("releases/<int:release_pk>/meetings/<int:pk>/vote/", meetings.meeting_vote, name="meeting_vote"),
    path("vote/<str:token>/", vote_links.vote_link, name="vote_link"),
    path("releases/<int:release_pk>/meetings/<int:pk>/close/", meetings.meeting_close, name="meeting_close"),
    path(
        "releases/<int:release_pk>/meetings/<int:pk>/decision/",
        meetings.decision_detail,
        name="decision_detail",
    ),
    path(
        "releases/<int:release_pk>/meetings/<int:pk>/participants/<int:participant_pk>/",
        meetings.participant_flags,
        name="participant_flags",
    ),
    path(
        "releases/<int:release_pk>/conditions/<int:pk>/done/", meetings.condition_done, name="condition_done"
    ),
]
