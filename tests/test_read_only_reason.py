"""A record the user may see but not change says why, on its page: their role
cannot change that register, or only the person responsible can change this one."""

import pytest
from django.urls import reverse

from registers import roles
from tests.admin_fixtures import one_of_everything

pytestmark = pytest.mark.django_db


def reason(client, model_name: str, obj) -> str | None:
    response = client.get(reverse(f"admin:registers_{model_name}_change", args=[obj.pk]))
    assert response.status_code == 200
    return response.context.get("read_only_reason")


@pytest.fixture
def priya(make_user):
    return make_user(roles.QA_OFFICER, username="priya", first_name="Priya", last_name="Shah")


def test_the_auditor_is_told_their_role_can_view_but_not_change(make_user, client_for, priya):
    records = one_of_everything(lead=priya, manager=priya)
    client = client_for(make_user(roles.AUDITOR))
    assert reason(client, "contract", records["contract"]) == (
        "Read only: your role (Auditor) can view contracts but not change them."
    )
    page = client.get(reverse("admin:registers_visit_change", args=[records["visit"].pk]))
    assert "Read only: your role (Auditor) can view visits but not change them." in (
        page.content.decode()
    )


def test_another_officers_visit_names_its_lead_officer(make_user, client_for, priya):
    records = one_of_everything(lead=priya, manager=priya)
    other = make_user(roles.QA_OFFICER, username="omar")
    one_of_everything(lead=other, manager=other)  # Omar leads visits of his own
    client = client_for(other)
    visit = records["visit"]
    assert reason(client, "visit", visit) == (
        "Read only: only the lead officer, Priya Shah, can change this visit."
    )
    assert reason(client, "actionitem", records["actionitem"]) == (
        "Read only: only the lead officer, Priya Shah, can change the action items of this visit."
    )


def test_a_commissioning_officer_is_told_who_manages_the_contract(make_user, client_for, priya):
    manager = make_user(roles.MANAGER, username="mo", first_name="Mo", last_name="Khan")
    records = one_of_everything(lead=priya, manager=manager)
    officer = make_user(roles.COMMISSIONING_OFFICER, username="cara")
    one_of_everything(lead=priya, manager=officer)  # Cara manages a contract of her own
    client = client_for(officer)
    assert reason(client, "contract", records["contract"]) == (
        "Read only: only the contract manager, Mo Khan, can change this contract."
    )


def test_who_may_change_the_record_sees_no_read_only_notice(make_user, client_for, priya):
    records = one_of_everything(lead=priya, manager=priya)
    assert reason(client_for(priya), "visit", records["visit"]) is None
    assert reason(client_for(make_user(roles.MANAGER)), "contract", records["contract"]) is None


def test_records_the_portal_writes_say_nobody_changes_them(manager, client_for):
    records = one_of_everything(lead=manager, manager=manager)
    text = reason(client_for(manager), "importrun", records["importrun"])
    assert text.startswith("Read only: the portal writes import runs")
