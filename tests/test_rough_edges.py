"""Issue 15's rough edges a new user hit, each pinned."""

import pytest
from django.urls import reverse

from registers import roles
from tests.factories import ContractFactory, VisitFactory

pytestmark = pytest.mark.django_db


# --- people by full name ----------------------------------------------------------


def test_lead_officer_and_contract_manager_choices_show_full_names(make_user, client_for):
    manager = make_user(roles.MANAGER, first_name="Ann", last_name="Boss")
    tom = make_user(roles.QA_OFFICER, username="qa2", first_name="Tom", last_name="Walsh")
    officer = make_user(
        roles.COMMISSIONING_OFFICER, username="co7", first_name="Rita", last_name="Khan"
    )
    visit = VisitFactory(lead_officer=tom)
    contract = ContractFactory(contract_manager=officer)
    client = client_for(manager)

    visit_page = client.get(reverse("admin:registers_visit_change", args=[visit.pk]))
    form = visit_page.context["adminform"].form
    labels = [label for _, label in form.fields["lead_officer"].choices]
    assert "Tom Walsh" in labels and "qa2" not in labels

    contract_page = client.get(reverse("admin:registers_contract_change", args=[contract.pk]))
    form = contract_page.context["adminform"].form
    labels = [label for _, label in form.fields["contract_manager"].choices]
    assert "Rita Khan" in labels and "co7" not in labels

    visits = client.get(reverse("admin:registers_visit_changelist")).content.decode()
    assert "Tom Walsh" in visits  # the column and the lead officer filter
    contracts = client.get(reverse("admin:registers_contract_changelist")).content.decode()
    assert "Rita Khan" in contracts


def test_a_person_without_a_name_shows_their_username(make_user):
    assert str(make_user(username="noname", first_name="", last_name="")) == "noname"
