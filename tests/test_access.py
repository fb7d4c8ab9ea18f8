"""Object permissions follow the responsible user, in the same transaction."""

import pytest
from django.db import transaction

from registers.services.access import sync_contract_manager, sync_visit_lead
from registers.services.visits import save_visit
from tests.factories import ActionItemFactory, ContractFactory, ContractReviewFactory, VisitFactory

pytestmark = pytest.mark.django_db


def test_the_lead_officer_may_change_their_visit_and_its_actions(qa1, qa2):
    visit = VisitFactory(lead_officer=qa1)
    sync_visit_lead(visit=visit)
    item = ActionItemFactory(visit=visit)
    assert qa1.has_perm("registers.change_visit", visit)
    assert qa1.has_perm("registers.change_actionitem", item)
    assert not qa2.has_perm("registers.change_visit", visit)
    assert not qa2.has_perm("registers.change_actionitem", item)


def test_changing_the_lead_moves_the_permission(qa1, qa2, manager):
    visit = VisitFactory(lead_officer=qa1)
    sync_visit_lead(visit=visit)
    visit.lead_officer = qa2
    save_visit(visit=visit, user=manager, previous_lead=qa1)
    assert not qa1.has_perm("registers.change_visit", visit)
    assert qa2.has_perm("registers.change_visit", visit)


def test_the_move_is_undone_with_the_change_it_belongs_to(qa1, qa2, manager):
    visit = VisitFactory(lead_officer=qa1)
    sync_visit_lead(visit=visit)
    with pytest.raises(RuntimeError), transaction.atomic():
        visit.lead_officer = qa2
        save_visit(visit=visit, user=manager, previous_lead=qa1)
        raise RuntimeError("the request failed after saving")
    assert qa1.has_perm("registers.change_visit", visit)
    assert not qa2.has_perm("registers.change_visit", visit)


def test_the_contract_manager_may_change_their_contract_and_its_reviews(officer, make_user):
    other = make_user("Commissioning officer")
    contract = ContractFactory(contract_manager=officer)
    sync_contract_manager(contract=contract)
    review = ContractReviewFactory(contract=contract)
    assert officer.has_perm("registers.change_contract", contract)
    assert officer.has_perm("registers.change_contractreview", review)
    contract.contract_manager = other
    sync_contract_manager(contract=contract, previous_manager=officer)
    assert not officer.has_perm("registers.change_contract", contract)
    assert other.has_perm("registers.change_contract", contract)


def test_an_inactive_user_has_no_object_permission(qa1):
    visit = VisitFactory(lead_officer=qa1)
    sync_visit_lead(visit=visit)
    item = ActionItemFactory(visit=visit)
    qa1.is_active = False
    qa1.save()
    assert not qa1.has_perm("registers.change_actionitem", item)
