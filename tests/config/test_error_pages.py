"""The product's own error pages, never Django's debug pages: the settings' default is DEBUG off."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_a_stranger_asking_for_a_release_gets_the_products_not_found_page(release, stranger, client_for):
    response = client_for(stranger).get(reverse("golive:release_detail", args=[release.pk]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "it belongs to a release you are not a member of" in page
    assert "URLconf" not in page and "urlpatterns" not in page


def test_an_unknown_address_gets_the_products_not_found_page(stranger, client_for):
    response = client_for(stranger).get("/no-such-page/")
    assert response.status_code == 404
    assert "Not found · GoLive Desk" in response.content.decode()


def test_the_server_error_page_renders_without_a_user_or_the_database():
    response = server_error(RequestFactory().get("/releases/1/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
