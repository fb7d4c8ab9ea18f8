"""A list offers only the bulk actions the user may use: the auditor, who reads
everything and changes nothing, is offered none (once offered "Mark the selected
actions done", which then gave a bare 403)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from registers import roles
from registers.models import ActionItem, ActionStatus, Visit
from tests.admin_fixtures import one_of_everything

pytestmark = pytest.mark.django_db

REGISTERS = [
    model
    for model in admin.site._registry
    if model._meta.app_label == "registers" and not model._meta.model_name.startswith("historical")
]


def offered(client, model) -> list[str] | None:
    """The action names the list offers; None when the user may not see the list."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client.get(url)
    if response.status_code != 200:
        return None
    form = response.context["action_form"]
    if form is None:
        assert 'name="action"' not in response.content.decode()
        return []
    return [name for name, _ in form.fields["action"].choices if name]


def expected(user, model) -> list[str]:
    """Every action the register has whose permissions the user's role holds."""
    model_admin = admin.site._registry[model]
    names = []
    for func, name, _ in model_admin._get_base_actions():
        needs = getattr(func, "allowed_permissions", ())
        if all(user.has_perm(f"registers.{perm}_{model._meta.model_name}") for perm in needs):
            names.append(name)
    return names


@pytest.mark.parametrize("role", roles.ROLES)
def test_each_role_is_offered_only_the_actions_it_may_use_on_each_register(
    role, make_user, client_for, manager
):
    one_of_everything(lead=manager, manager=manager)
    user = make_user(role)
    client = client_for(user)
    seen = 0
    for model in REGISTERS:
        names = offered(client, model)
        if names is None:
            continue
        seen += 1
        assert sorted(names) == sorted(expected(user, model)), model._meta.model_name
        if role == roles.AUDITOR:
            assert names == [], model._meta.model_name
    assert seen


def test_the_auditor_is_offered_no_bulk_action_and_a_forged_one_changes_nothing(
    make_user, client_for, manager
):
    records = one_of_everything(lead=manager, manager=manager)
    item = records["actionitem"]
    auditor = make_user(roles.AUDITOR)
    client = client_for(auditor)
    url = reverse("admin:registers_actionitem_changelist")
    page = client.get(url).content.decode()
    assert "Mark the selected actions done" not in page
    response = client.post(
        url, {"action": "mark_done", "_selected_action": [item.pk], "index": 0}, follow=True
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status != ActionStatus.DONE


def test_a_lead_officer_is_offered_the_actions_on_their_own_records(make_user, client_for):
    officer = make_user(roles.QA_OFFICER)
    one_of_everything(lead=officer, manager=officer)
    client = client_for(officer)
    assert "mark_done" in offered(client, ActionItem)
    assert "issue_reports" in offered(client, Visit)
