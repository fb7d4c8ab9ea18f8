"""Every change leaves a history entry with who and why, field by field."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from registers.models import ActionItem, Provider, Visit
from tests.factories import LotFactory, ProviderFactory, VisitFactory, today
from tests.helpers import add_inline_form, change_form_data

pytestmark = pytest.mark.django_db


def post_change(client, url, **changes):
    data = change_form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def test_an_admin_change_is_recorded_with_user_reason_and_fields(manager, client_for):
    provider = ProviderFactory(name="Acme Care Ltd", contact_name="Alex Old")
    client = client_for(manager)
    url = reverse("admin:registers_provider_change", args=[provider.pk])
    response = post_change(client, url, contact_name="Sam New", change_reason="New main contact")
    assert response.status_code == 302, response.context and response.context["errors"]

    latest = provider.history.first()
    assert latest.history_user == manager
    assert latest.history_change_reason == "New main contact"
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("contact_name", "Alex Old", "Sam New")
    ]

    page = client.get(reverse("admin:registers_provider_history", args=[provider.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "New main contact" in text
    assert "Alex Old" in text and "Sam New" in text
    assert escape(manager.get_full_name()) in text  # Faker names may hold an apostrophe


def test_a_change_without_a_reason_still_says_who_and_where(manager, client_for):
    provider = ProviderFactory()
    client = client_for(manager)
    url = reverse("admin:registers_provider_change", args=[provider.pk])
    post_change(client, url, trading_name="Acme Homes")
    latest = provider.history.first()
    assert (latest.history_user, latest.history_change_reason) == (manager, "Changed in the portal")


def test_inline_additions_are_recorded_under_the_user(qa1, client_for):
    visit = VisitFactory(lead_officer=qa1)
    client = client_for(qa1)
    url = reverse("admin:registers_visit_change", args=[visit.pk])
    data = change_form_data(client.get(url))
    add_inline_form(
        data,
        "action_items",
        {
            "description": "Update risk assessments",
            "owner": "Manager",
            "due_date": (today() + timedelta(days=14)).strftime("%d/%m/%Y"),
            "status": "open",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302
    item = ActionItem.objects.get(visit=visit)
    assert item.history.first().history_user == qa1


def test_admitting_a_provider_to_a_lot_is_in_the_history(manager, client_for):
    lot = LotFactory()
    provider = ProviderFactory()
    client = client_for(manager)
    url = reverse("admin:registers_lot_change", args=[lot.pk])
    data = change_form_data(client.get(url))
    data["providers"] = [str(provider.pk)]
    assert client.post(url, data).status_code == 302
    latest = lot.history.first()
    assert [p.provider_id for p in latest.providers.all()] == [provider.pk]
    assert latest.history_user == manager


def test_a_manager_can_revert_and_the_revert_is_itself_recorded(manager, client_for):
    provider = ProviderFactory(contact_name="First contact")
    client = client_for(manager)
    change_url = reverse("admin:registers_provider_change", args=[provider.pk])
    post_change(client, change_url, contact_name="Second contact")
    first_version = provider.history.order_by("history_date").first()

    revert_url = reverse(
        "admin:registers_provider_simple_history", args=[provider.pk, first_version.pk]
    )
    page = client.get(revert_url)
    assert 'name="change_reason"' in page.content.decode()  # the version page asks why
    data = change_form_data(page)
    data["change_reason"] = "The second contact was a typing mistake"
    response = client.post(revert_url, data)
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.contact_name == "First contact"
    latest = provider.history.first()
    assert latest.history_user == manager
    assert latest.history_change_reason.startswith("Reverted to the version of")
    assert latest.history_change_reason.endswith(": The second contact was a typing mistake")


def test_a_revert_without_a_reason_changes_nothing(manager, client_for):
    provider = ProviderFactory(contact_name="First contact")
    client = client_for(manager)
    post_change(
        client,
        reverse("admin:registers_provider_change", args=[provider.pk]),
        contact_name="Second contact",
    )
    first_version = provider.history.order_by("history_date").first()
    revert_url = reverse(
        "admin:registers_provider_simple_history", args=[provider.pk, first_version.pk]
    )
    data = change_form_data(client.get(revert_url))
    data["change_reason"] = " "
    response = client.post(revert_url, data, follow=True)
    assert "Give the reason for reverting" in response.content.decode()
    provider.refresh_from_db()
    assert provider.contact_name == "Second contact"


def test_history_reads_as_people_read_it(manager, client_for):
    provider = ProviderFactory(contact_name="", sector="private", is_sme=True)
    client = client_for(manager)
    post_change(
        client,
        reverse("admin:registers_provider_change", args=[provider.pk]),
        contact_name="Jo Bloggs",
        sector="voluntary",
        is_sme="false",
    )
    page = client.get(reverse("admin:registers_provider_history", args=[provider.pk]))
    body = page.content.decode()
    assert "Main contact" in body or "Contact name" in body  # the field's label
    assert "Private &rarr; Voluntary" in body or "Private → Voluntary" in body
    assert "Yes &rarr; No" in body or "Yes → No" in body
    assert "— &rarr; Jo Bloggs" in body or "— → Jo Bloggs" in body
    assert "None" not in body
    # Two entries in the same minute are told apart: seconds and a version number.
    for row in provider.history.all():
        assert f"Version {row.history_id}" in body
        assert timezone.localtime(row.history_date).strftime("%d/%m/%Y %H:%M:%S") in body


def test_deleting_keeps_the_history_with_who_deleted(manager, client_for):
    provider = ProviderFactory()
    client = client_for(manager)
    url = reverse("admin:registers_provider_delete", args=[provider.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Provider.objects.filter(pk=provider.pk).exists()
    deletion = Provider.history.filter(id=provider.pk).first()
    assert (deletion.history_type, deletion.history_user) == ("-", manager)


def test_history_of_every_model_records_the_user(manager):
    """Services pass the user explicitly (imports, jobs): the middleware is not needed."""
    from registers.services.visits import visit_plan
    from tests.factories import SettingFactory

    visit = visit_plan(user=manager, planned_date=today(), setting=SettingFactory())
    assert Visit.history.get(id=visit.pk).history_user == manager
