"""The role table of DESIGN.md, as a specification every admin URL must meet.

Each role is run against every register's admin pages. "change" is tried on
a record the user is *not* responsible for: a QA officer's own visits and a
commissioning officer's own contracts are tested in test_permission_paths.
"""

import pytest
from django.urls import reverse

from registers import roles
from registers.models import (
    Concern,
    Contract,
    LetterTemplate,
    PlacementCheck,
    Referral,
    SpotFundApplication,
    Visit,
)
from tests.admin_fixtures import one_of_everything
from tests.factories import AuthorityFactory, home_authority
from tests.helpers import change_form_data

pytestmark = pytest.mark.django_db

MODELS = [
    "provider",
    "setting",
    "inspection",
    "framework",
    "lot",
    "contract",
    "visit",
    "actionitem",
    "concern",
    "spotfundapplication",
    "compliancedocumentkind",
    "compliancedocument",
    "regulationreport",
    "placementcheck",
    "referral",
    "enforcement",
    "lettertemplate",
]
SPREADSHEET_MODELS = {"provider", "setting", "inspection", "contract", "visit", "actionitem"}

ALL = {"list", "view", "add", "change", "delete", "history", "export"}
# Each register's own decision pages: approving, deciding, escalating are a manager's.
DECISIONS = {
    "provider": "approval",
    "spotfundapplication": "decide",
    "concern": "escalate",
    "referral": "approve",
}
READ = {"list", "view", "history"}
MAINTAIN = READ | {"add", "change"}

# The role table: what each role may do to any record of each register.
SPEC: dict[str | None, dict[str, set[str]]] = {
    roles.MANAGER: {
        model: (ALL if model in SPREADSHEET_MODELS else ALL - {"export"})
        | ({"decide"} if model in DECISIONS else set())
        for model in MODELS
    },
    roles.BUSINESS_SUPPORT: {
        "provider": MAINTAIN | {"export"},
        "setting": MAINTAIN | {"export"},
        "inspection": MAINTAIN | {"export"},
        "framework": MAINTAIN,
        "lot": MAINTAIN,
        "contract": MAINTAIN | {"export"},
        "visit": READ | {"export"},
        "actionitem": READ | {"export"},
        "concern": READ | {"add"},
        "spotfundapplication": MAINTAIN,
        # Business support keeps compliance documents; managers keep their kinds.
        "compliancedocumentkind": READ,
        "compliancedocument": MAINTAIN,
        "regulationreport": READ,
        "placementcheck": READ,
        # Business support record providers' responses; they see every referral.
        "referral": READ,
        # Ofsted's enforcement, as the setting's dates were; managers write the letters.
        "enforcement": MAINTAIN,
        "lettertemplate": READ,
    },
    roles.QA_OFFICER: {
        model: READ
        | ({"add"} if model in ("visit", "concern") else set())
        # QA officers record children's homes' Regulation 44/45 reports.
        | ({"add", "change"} if model == "regulationreport" else set())
        for model in MODELS
    }
    # Only the awarded placements at settings they visit (none here): the list, empty.
    | {"referral": {"list"}},
    roles.COMMISSIONING_OFFICER: {
        model: READ
        | ({"add"} if model in ("spotfundapplication", "concern", "referral") else set())
        for model in MODELS
    },
    roles.AUDITOR: {
        model: READ | ({"export"} if model in SPREADSHEET_MODELS else set()) for model in MODELS
    },
    # Counts and sums on the regional dashboard; the shared registers only.
    roles.REGIONAL_LEAD: {
        model: READ if model in roles.SHARED_MODELS else set() for model in MODELS
    },
    None: {model: set() for model in MODELS},
}
OWNED = {
    "contract",
    "visit",
    "actionitem",
    "concern",
    "spotfundapplication",
    "placementcheck",
    "referral",
    "lettertemplate",
}
# Across the boundary, another authority's record is out of reach on every
# record path; the register's own pages (list, add, export) stay the user's.
RECORD_PATHS = {"view", "change", "delete", "history", "decide"}


def attempt(client, action: str, model: str, obj) -> bool:
    """Whether the user got through. Refusals are 403, or 404 and a redirect for a
    record the user may not even know exists."""
    prefix = f"admin:registers_{model}"
    if action == "list":
        response = client.get(reverse(f"{prefix}_changelist"))
    elif action == "view":
        response = client.get(reverse(f"{prefix}_change", args=[obj.pk]))
    elif action == "add":
        response = client.get(reverse(f"{prefix}_add"))
    elif action == "change":
        url = reverse(f"{prefix}_change", args=[obj.pk])
        page = client.get(url)
        if page.status_code != 200:
            return False
        response = client.post(url, change_form_data(page))
        assert response.status_code in (302, 403), (model, response.status_code)
        return response.status_code == 302
    elif action == "delete":
        response = client.get(reverse(f"{prefix}_delete", args=[obj.pk]))
    elif action == "history":
        response = client.get(reverse(f"{prefix}_history", args=[obj.pk]))
    elif action == "export":
        if model not in SPREADSHEET_MODELS:
            return False
        response = client.get(reverse(f"{prefix}_export"))
    elif action == "decide":
        if model not in DECISIONS:
            return False
        response = client.get(reverse(f"{prefix}_{DECISIONS[model]}_page", args=[obj.pk]))
    assert response.status_code in (200, 302, 403, 404), (action, model, response.status_code)
    return response.status_code == 200


@pytest.mark.parametrize("role", list(SPEC), ids=lambda r: r or "no role")
def test_role_table(role, make_user, client_for, manager):
    user = make_user(role)
    records = one_of_everything(lead=manager, manager=manager)
    client = client_for(user)
    mismatches = []
    for model in MODELS:
        for action in sorted(ALL | {"decide"}):
            allowed = attempt(client, action, model, records[model])
            expected = action in SPEC[role][model]
            if allowed != expected:
                mismatches.append(f"{model}.{action}: {'allowed' if allowed else 'refused'}")
    assert mismatches == []


@pytest.mark.parametrize("role", list(SPEC), ids=lambda r: r or "no role")
def test_role_table_across_two_authorities(role, make_user, client_for, manager):
    """The same table with every owned record in another authority: nothing of
    it is reachable, whatever the role."""
    ours = home_authority()
    theirs = AuthorityFactory(name="Neighbouring Council")
    user = make_user(role)
    ours.members.add(user)
    records = one_of_everything(lead=manager, manager=manager)
    models = (Contract, Visit, Concern, SpotFundApplication, PlacementCheck, Referral)
    for model in (*models, LetterTemplate):
        model.objects.update(authority=theirs)
    client = client_for(user)
    mismatches = []
    for model in MODELS:
        for action in sorted(ALL | {"decide"}):
            allowed = attempt(client, action, model, records[model])
            expected = action in SPEC[role][model] and not (
                model in OWNED and action in RECORD_PATHS
            )
            if allowed != expected:
                mismatches.append(f"{model}.{action}: {'allowed' if allowed else 'refused'}")
    assert mismatches == []


def test_the_regional_dashboard_is_the_regional_leads(make_user, client_for):
    url = reverse("admin:registers_regional")
    lead = make_user(roles.REGIONAL_LEAD)
    assert client_for(lead).get(url).status_code == 200
    for role in (roles.MANAGER, roles.AUDITOR, None):
        assert client_for(make_user(role)).get(url).status_code == 403, role
