"""Object permissions follow the responsible user, in the same transaction."""

import pytest
from django.db import transaction
from django.urls import reverse

from registers.services.contracts import contract_save
from registers.services.visits import visit_save
from tests.factories import ActionItemFactory, ContractFactory, ContractReviewFactory, VisitFactory
from tests.helpers import change_form_data

pytestmark = pytest.mark.django_db


def test_the_lead_officer_may_change_their_visit_and_its_actions(qa1, qa2):
    visit = VisitFactory(lead_officer=qa1)
    item = ActionItemFactory(visit=visit)
    assert qa1.has_perm("registers.change_visit", visit)
    assert qa1.has_perm("registers.change_actionitem", item)
    assert not qa2.has_perm("registers.change_visit", visit)
    assert not qa2.has_perm("registers.change_actionitem", item)


def test_changing_the_lead_moves_the_permission(qa1, qa2, manager):
    visit = VisitFactory(lead_officer=qa1)
    visit.lead_officer = qa2
    visit_save(visit=visit, user=manager)
    assert not qa1.has_perm("registers.change_visit", visit)
    assert qa2.has_perm("registers.change_visit", visit)


def test_the_move_is_undone_with_the_change_it_belongs_to(qa1, qa2, manager):
    visit = VisitFactory(lead_officer=qa1)
    with pytest.raises(RuntimeError), transaction.atomic():
        visit.lead_officer = qa2
        visit_save(visit=visit, user=manager)
        raise RuntimeError("the request failed after saving")
    assert qa1.has_perm("registers.change_visit", visit)
    assert not qa2.has_perm("registers.change_visit", visit)


def test_the_contract_manager_may_change_their_contract_and_its_reviews(
    officer, manager, make_user
):
    other = make_user("Commissioning officer")
    contract = ContractFactory(contract_manager=officer)
    review = ContractReviewFactory(contract=contract)
    assert officer.has_perm("registers.change_contract", contract)
    assert officer.has_perm("registers.change_contractreview", review)
    contract.contract_manager = other
    contract_save(contract=contract, user=manager)
    assert not officer.has_perm("registers.change_contract", contract)
    assert other.has_perm("registers.change_contract", contract)


def test_an_inactive_user_has_no_object_permission(qa1):
    visit = VisitFactory(lead_officer=qa1)
    item = ActionItemFactory(visit=visit)
    qa1.is_active = False
    qa1.save()
    assert not qa1.has_perm("registers.change_actionitem", item)


def test_handing_a_contract_to_another_manager_in_the_admin_moves_the_permission(
    officer, make_user, manager, client_for
):
    other = make_user("Commissioning officer")
    contract = ContractFactory(contract_manager=officer)
    client = client_for(manager)
    url = reverse("admin:registers_contract_change", args=[contract.pk])
    data = change_form_data(client.get(url))
    data["contract_manager"] = str(other.pk)
    assert client.post(url, data).status_code == 302
    assert not officer.has_perm("registers.change_contract", contract)
    assert other.has_perm("registers.change_contract", contract)
