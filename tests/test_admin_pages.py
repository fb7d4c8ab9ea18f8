"""Every admin page of every model opens for a superuser and for a Manager."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.admin_fixtures import one_of_everything

pytestmark = pytest.mark.django_db

CUSTOM_PAGES = [
    "admin:index",
    "admin:registers_visit_my",
    "admin:registers_visit_due",
    "admin:registers_visit_calendar",
    "admin:registers_visit_feed",
    "admin:registers_contract_transparency",
    "admin:registers_setting_ofsted_import",
    "admin:my_reminders",
    "admin:reminder_defaults",
]

# Records only the portal writes: nobody adds them by hand.
READ_ONLY = {"importrun", "accessevent", "importjob", "exportjob", "notificationpreference"}


def admin_urls(records, *, include_auth: bool) -> list[str]:
    urls = []
    for model in admin.site._registry:
        opts = model._meta
        # Users, groups and authorities are set up by superusers.
        if (opts.app_label == "auth" or opts.model_name == "authority") and not include_auth:
            continue
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        urls.append(reverse(f"{prefix}_changelist"))
        if opts.model_name not in READ_ONLY:
            urls.append(reverse(f"{prefix}_add"))
        obj = records.get(opts.model_name) or model._default_manager.first()
        if obj is not None:
            urls += [
                reverse(f"{prefix}_change", args=[obj.pk]),
                reverse(f"{prefix}_history", args=[obj.pk]),
            ]
    return urls + [reverse(name) for name in CUSTOM_PAGES]


@pytest.mark.parametrize("who", ["superuser", "manager"])
def test_every_admin_page_opens(who, request, client_for):
    """Managers run the registers; users and groups are set up by superusers."""
    user = request.getfixturevalue(who)
    records = one_of_everything(lead=user, manager=user)
    client = client_for(user)
    failures = []
    for url in admin_urls(records, include_auth=who == "superuser"):
        response = client.get(url)
        if response.status_code != 200:
            failures.append((url, response.status_code))
    assert failures == []


@pytest.mark.parametrize("who", ["superuser", "manager"])
def test_every_changelist_searches_and_filters_without_error(who, request, client_for):
    user = request.getfixturevalue(who)
    one_of_everything(lead=user, manager=user)
    client = client_for(user)
    for model in admin.site._registry:
        opts = model._meta
        if opts.model_name == "authority" and who != "superuser":
            continue  # set up by superusers
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(url, {"q": "a'b\"c%"}).status_code == 200, url
        assert client.get(url, {"o": "-1"}).status_code == 200, url


def test_staff_without_a_role_sees_an_empty_portal(make_user, client_for):
    nobody = make_user()
    response = client_for(nobody).get(reverse("admin:index"))
    assert response.status_code == 200
    assert b"You have no role in the portal yet" in response.content
    assert b"registers/contract/" not in response.content


def test_root_redirects_to_the_admin(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
