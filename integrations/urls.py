from django.urls import path, register_converter

from golive.models.calendars import CalendarFeedTokenConverter
from integrations.views import calendars
from integrations.views import connections as integration

app_name = "integrations"
register_converter(CalendarFeedTokenConverter, "calendar_feed_token")

urlpatterns = [
    path("profile/", integration.profile, name="profile"),
    path("profile/tokens/<int:pk>/revoke/", integration.token_revoke, name="token_revoke"),
    path("profile/calendar/create/", calendars.calendar_feed_create, name="calendar_feed_create"),
    path("profile/calendar/replace/", calendars.calendar_feed_replace, name="calendar_feed_replace"),
    path("calendar/<calendar_feed_token:token>.ics", calendars.calendar_feed, name="calendar_feed"),
    path("releases/<int:release_pk>/webhooks/", integration.webhooks, name="webhooks"),
    path(
        "releases/<int:release_pk>/webhooks/<int:pk>/toggle/",
        integration.webhook_toggle,
        name="webhook_toggle",
    ),
    path(
        "releases/<int:release_pk>/webhooks/<int:pk>/remove/",
        integration.webhook_remove,
        name="webhook_remove",
    ),
    path("releases/<int:release_pk>/webhooks/<int:pk>/ping/", integration.webhook_ping, name="webhook_ping"),
    path(
        "releases/<int:release_pk>/webhooks/deliveries/<int:pk>/redeliver/",
        integration.delivery_redeliver,
        name="delivery_redeliver",
    ),
]
