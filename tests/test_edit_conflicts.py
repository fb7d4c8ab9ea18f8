"""Edit conflicts: a save made from a page read before someone else's change is
refused, says which fields changed, who changed them and when, and overwrites
nothing; saving again from the refused page applies the user's values knowingly."""

import pytest
from django.test import Client
from django.urls import reverse

from registers import roles
from registers.models import ActionItem, ActionStatus, Contract
from tests.admin_fixtures import one_of_everything
from tests.factories import ActionItemFactory
from tests.helpers import _field_data, change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_managers(make_user):
    first = make_user(roles.MANAGER, username="anna", first_name="Anna", last_name="Shah")
    second = make_user(roles.MANAGER, username="ben", first_name="Ben", last_name="Cole")
    return first, second


def tab(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_two_tabs_on_a_contract_the_second_save_is_refused_not_silently_lost(two_managers):
    anna, ben = two_managers
    records = one_of_everything(lead=anna, manager=anna)
    contract = records["contract"]
    original_title = contract.title
    url = reverse("admin:registers_contract_change", args=[contract.pk])
    anna_tab, ben_tab = tab(anna), tab(ben)
    anna_data = change_form_data(anna_tab.get(url))
    ben_data = change_form_data(ben_tab.get(url))
    assert "read_version" in anna_data

    anna_data["title"] = "Supported accommodation, new title"
    assert anna_tab.post(url, anna_data).status_code == 302

    ben_data["description"] = "A changed description"
    refused = ben_tab.post(url, ben_data)
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "Someone else changed this record after you opened it" in text
    assert "Title by Anna Shah on" in text
    contract.refresh_from_db()
    assert contract.title == "Supported accommodation, new title"
    assert contract.description != "A changed description"
    assert original_title != contract.title

    # Re-apply: the refused page carries the latest version, so saving again is deliberate.
    again = change_form_data(refused)
    again["title"] = "Supported accommodation, new title"
    again["description"] = "A changed description"
    assert ben_tab.post(url, again).status_code == 302
    contract.refresh_from_db()
    assert contract.description == "A changed description"
    assert contract.title == "Supported accommodation, new title"


def test_an_unchanged_form_of_a_since_changed_record_writes_nothing_and_is_not_refused(
    two_managers,
):
    anna, ben = two_managers
    contract = one_of_everything(manager=anna)["contract"]
    url = reverse("admin:registers_contract_change", args=[contract.pk])
    ben_data = change_form_data(tab(ben).get(url))
    anna_data = change_form_data(tab(anna).get(url))
    anna_data["title"] = "Changed by Anna"
    tab(anna).post(url, anna_data)
    # Ben's stale form, unchanged: his title is the old one, so it is a change, refused.
    response = tab(ben).post(url, ben_data)
    assert response.status_code == 200
    assert Contract.objects.get(pk=contract.pk).title == "Changed by Anna"


def test_a_stale_inline_row_is_refused(two_managers):
    anna, ben = two_managers
    records = one_of_everything(lead=anna, manager=anna)
    visit, action = records["visit"], records["actionitem"]
    url = reverse("admin:registers_visit_change", args=[visit.pk])
    anna_tab, ben_tab = tab(anna), tab(ben)
    anna_data = change_form_data(anna_tab.get(url))
    ben_data = change_form_data(ben_tab.get(url))
    prefix = next(key[: -len("-0-id")] for key in ben_data if key.endswith("-0-id"))
    assert f"{prefix}-0-read_version" in ben_data

    anna_data[f"{prefix}-0-description"] = "Anna's wording"
    assert anna_tab.post(url, anna_data).status_code == 302
    ben_data[f"{prefix}-0-owner"] = "Ben's owner"
    refused = ben_tab.post(url, ben_data)
    assert refused.status_code == 200
    assert "Someone else changed this record after you opened it" in refused.content.decode()
    action.refresh_from_db()
    assert action.description == "Anna's wording"
    assert action.owner != "Ben's owner"


def changelist_data(response) -> dict:
    formset = response.context["cl"].formset
    data = {"_save": "Save"}
    management = formset.management_form
    for name in management.fields:
        data[management[name].html_name] = management[name].value()
    for form in formset.forms:
        data.update(_field_data(form))
    return data


def test_a_stale_list_edit_is_refused(two_managers):
    anna, ben = two_managers
    action = ActionItemFactory(status=ActionStatus.OPEN)
    url = reverse("admin:registers_actionitem_changelist")
    ben_page = tab(ben).get(url)
    ben_data = changelist_data(ben_page)
    assert any(key.endswith("-read_version") for key in ben_data)
    assert 'name="form-0-read_version"' in ben_page.content.decode()

    anna_data = changelist_data(tab(anna).get(url))
    anna_data["form-0-status"] = ActionStatus.IN_PROGRESS
    assert tab(anna).post(url, anna_data).status_code == 302

    ben_data["form-0-status"] = ActionStatus.DONE
    refused = tab(ben).post(url, ben_data)
    assert refused.status_code == 200
    assert "Someone else changed this record after you opened it" in refused.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS


def test_a_fresh_list_edit_is_saved(two_managers):
    anna, _ = two_managers
    ActionItemFactory(status=ActionStatus.OPEN)
    url = reverse("admin:registers_actionitem_changelist")
    data = changelist_data(tab(anna).get(url))
    data["form-0-status"] = ActionStatus.DONE
    assert tab(anna).post(url, data).status_code == 302
    assert ActionItem.objects.get().status == ActionStatus.DONE
