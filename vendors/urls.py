from django.urls import path

from vendors import views

app_name = "vendors"

urlpatterns = [
    path("releases/<int:release_pk>/vendors/", views.VendorListView.as_view(), name="vendor_list"),
    path("releases/<int:release_pk>/vendors/new/", views.VendorCreateView.as_view(), name="vendor_create"),
    path(
        "releases/<int:release_pk>/vendors/<int:pk>/edit/",
        views.VendorUpdateView.as_view(),
        name="vendor_edit",
    ),
    path(
        "releases/<int:release_pk>/vendors/<int:pk>/acknowledge/",
        views.VendorAcknowledgeView.as_view(),
        name="vendor_acknowledge",
    ),
    path(
        "releases/<int:release_pk>/vendors/<int:pk>/remove/",
        views.VendorRemoveView.as_view(),
        name="vendor_remove",
    ),
]
