from django.urls import path

from statuspage import views

app_name = "statuspage"

urlpatterns = [
    path("status/<slug:slug>/", views.status_page, name="page"),
    path("status/<slug:slug>/subscribe/", views.subscribe, name="subscribe"),
    path("status/<slug:slug>/confirm/<str:token>/", views.confirm, name="confirm"),
    path("status/<slug:slug>/unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    path("releases/<int:release_pk>/status-page/", views.page_settings, name="settings"),
]
