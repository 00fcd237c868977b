from django.urls import path

from golive.views import meetings, records, releases

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
    path("releases/<int:release_pk>/meetings/new/", meetings.meeting_schedule, name="meeting_schedule"),
    path("releases/<int:release_pk>/meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path(
        "releases/<int:release_pk>/meetings/<int:pk>/open/", meetings.meeting_open_voting, name="meeting_open"
    ),
    path("releases/<int:release_pk>/meetings/<int:pk>/vote/", meetings.meeting_vote, name="meeting_vote"),
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
