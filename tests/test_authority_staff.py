"""On an install shared by several councils, a council's contract is managed and
its visits led by its own staff: the forms offer only them, and every path that
names someone else is refused. An install of one council needs no memberships.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from registers import roles
from registers.services.contracts import contract_save
from registers.services.visits import visit_save
from tests.factories import (
    AuthorityFactory,
    ContractFactory,
    SettingFactory,
    VisitFactory,
    home_authority,
)
from tests.helpers import change_form_data

pytestmark = pytest.mark.django_db


class Staff:
    def __init__(self, make_user):
        self.ours = home_authority()
        self.theirs = AuthorityFactory(name="Neighbouring Council", code="E08000015")
        self.manager = make_user(roles.MANAGER, username="t_mgr_ours")
        self.officer = make_user(roles.COMMISSIONING_OFFICER, username="t_off_ours")
        self.qa = make_user(roles.QA_OFFICER, username="t_qa_ours")
        self.their_officer = make_user(roles.COMMISSIONING_OFFICER, username="t_off_theirs")
        self.their_qa = make_user(roles.QA_OFFICER, username="t_qa_theirs")
        self.ours.members.add(self.manager, self.officer, self.qa)
        self.theirs.members.add(self.their_officer, self.their_qa)


@pytest.fixture
def staff(make_user):
    return Staff(make_user)


def test_a_contract_cannot_be_given_to_another_councils_officer(staff):
    contract = ContractFactory(authority=staff.ours, contract_manager=staff.officer)
    contract.contract_manager = staff.their_officer
    with pytest.raises(ValidationError) as refusal:
        contract_save(contract=contract, user=staff.manager, reason="Hand over")
    assert "not a member of" in str(refusal.value.message_dict["contract_manager"])
    contract.refresh_from_db()
    assert contract.contract_manager == staff.officer


def test_a_visit_cannot_be_led_by_another_councils_officer(staff):
    visit = VisitFactory(authority=staff.ours, setting=SettingFactory(), lead_officer=staff.qa)
    visit.lead_officer = staff.their_qa
    with pytest.raises(ValidationError) as refusal:
        visit_save(visit=visit, user=staff.manager, reason="Reassign")
    assert "not a member of" in str(refusal.value.message_dict["lead_officer"])
    visit.refresh_from_db()
    assert visit.lead_officer == staff.qa


def test_our_own_staff_are_accepted(staff):
    contract = ContractFactory(authority=staff.ours, contract_manager=staff.manager)
    contract.contract_manager = staff.officer
    contract_save(contract=contract, user=staff.manager, reason="Hand over")
    contract.refresh_from_db()
    assert contract.contract_manager == staff.officer


def test_the_forms_offer_only_our_staff(staff, client_for):
    client = client_for(staff.manager)
    contract = ContractFactory(authority=staff.ours, contract_manager=staff.officer)
    visit = VisitFactory(authority=staff.ours, setting=SettingFactory(), lead_officer=staff.qa)
    offered = {}
    for name, obj, field in (
        ("contract", contract, "contract_manager"),
        ("visit", visit, "lead_officer"),
    ):
        page = client.get(reverse(f"admin:registers_{name}_change", args=[obj.pk]))
        offered[name] = {
            int(str(value))
            for value, _ in page.context["adminform"].form.fields[field].choices
            if value
        }
    assert offered == {
        "contract": {staff.manager.pk, staff.officer.pk},
        "visit": {staff.manager.pk, staff.qa.pk},
    }


def test_a_forged_post_naming_their_officer_changes_nothing(staff, client_for):
    client = client_for(staff.manager)
    contract = ContractFactory(authority=staff.ours, contract_manager=staff.officer)
    url = reverse("admin:registers_contract_change", args=[contract.pk])
    data = change_form_data(client.get(url))
    data["contract_manager"] = staff.their_officer.pk
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the refusal
    contract.refresh_from_db()
    assert contract.contract_manager == staff.officer


def test_one_council_needs_no_memberships(make_user):
    manager = make_user(roles.MANAGER, username="t_mgr_solo")
    officer = make_user(roles.COMMISSIONING_OFFICER, username="t_off_solo")
    home_authority().members.clear()
    contract = ContractFactory(contract_manager=manager)
    contract.contract_manager = officer
    contract_save(contract=contract, user=manager, reason="Hand over")
    contract.refresh_from_db()
    assert contract.contract_manager == officer
