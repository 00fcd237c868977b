from django.urls import path

from freezes import views

app_name = "freezes"

urlpatterns = [
    path("freezes/", views.freeze_list, name="freeze_list"),
    path("freezes/new/", views.freeze_edit, name="freeze_create"),
    path("freezes/<int:pk>/edit/", views.freeze_edit, name="freeze_edit"),
    path("freezes/<int:pk>/delete/", views.freeze_delete, name="freeze_delete"),
    path("releases/<int:release_pk>/freeze-override/", views.freeze_override, name="freeze_override"),
]
