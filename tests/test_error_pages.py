"""403, 404 and 500 pages in the portal's own look, with a plain-English reason
and a way back; the 500 page renders with no request and no database."""

import pytest
from django.db import connection
from django.template import loader
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import urls
from registers import roles
from registers.error_views import server_error
from tests.admin_fixtures import one_of_everything

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_errors(settings):
    # With DEBUG on, Django shows its technical pages instead of the portal's.
    settings.DEBUG = False


def test_a_refused_page_is_the_portals_403_with_a_way_home(make_user, client_for):
    client = client_for(make_user(roles.AUDITOR))
    response = client.get(
        reverse("admin:registers_provider_add"), HTTP_REFERER="http://testserver/admin/"
    )
    assert response.status_code == 403
    text = response.content.decode()
    assert "You cannot open this page" in text
    assert "Your role does not let you open this page" in text
    assert 'href="/admin/" id="error-home">Go to the dashboard' in text
    assert 'id="error-back">Back to the page you came from' in text
    assert "unfold/css/styles.css" in text  # the portal's look, not a bare "403 Forbidden"


def test_a_refusal_the_portal_words_is_shown(make_user, client_for, manager):
    contract = one_of_everything(lead=manager, manager=manager)["contract"]
    url = reverse(
        "admin:registers_contract_permissions_manage_user", args=[contract.pk, manager.pk]
    )
    text = client_for(manager).get(url).content.decode()
    assert "You cannot change your own permissions." in text


def test_a_missing_page_is_the_portals_404(manager, client_for):
    response = client_for(manager).get(
        "/admin/no-such-page/", HTTP_REFERER="https://elsewhere.example/"
    )
    assert response.status_code == 404
    text = response.content.decode()
    assert "Page not found" in text and "no page at this address" in text
    assert "Go to the dashboard" in text
    assert "error-back" not in text  # never a link back to another site


def test_a_visitor_who_is_not_signed_in_is_offered_sign_in(client):
    response = client.get("/documents/")
    assert response.status_code == 404
    assert "Sign in to the Commissioning Portal" in response.content.decode()


def test_the_500_page_needs_no_request_and_no_database():
    assert urls.handler500 == "registers.error_views.server_error"
    with CaptureQueriesContext(connection) as queries:
        text = loader.get_template("500.html").render()
        response = server_error(RequestFactory().get("/admin/"))
    assert len(queries) == 0
    assert response.status_code == 500
    assert "Something went wrong" in text
    assert 'href="/" id="error-home">Go to the dashboard' in response.content.decode()
    assert "<main" in text
