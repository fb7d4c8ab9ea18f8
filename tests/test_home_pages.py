"""Each role's home page: its own figures, each equal to the count of the list it
links to (the same rule, the same rows), of the user's own authorities only."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from registers import roles
from registers.models import (
    ActionStatus,
    ConcernStage,
    Contract,
    ProcurementRoute,
    VisitStatus,
)
from registers.services.security import access_event_record
from tests.factories import (
    ActionItemFactory,
    AuthorityFactory,
    ComplianceDocumentFactory,
    ConcernFactory,
    ContractFactory,
    InspectionFactory,
    ProviderFactory,
    SettingFactory,
    VisitFactory,
    home_authority,
    today,
)

pytestmark = pytest.mark.django_db


def some_of_everything(*, officer, qa, authority=None):
    """Records for every figure, some the user's own, some not."""
    authority = authority or home_authority()
    day = today()
    provider = ProviderFactory(approval_status="approved")
    provider.approval_review_required = True
    provider.save()
    setting = SettingFactory(provider=provider)
    InspectionFactory(setting=setting, overall="inadequate")
    SettingFactory(provider=None)
    for manager in (officer, None):
        ContractFactory(
            authority=authority,
            provider=provider,
            contract_manager=manager,
            end_date=day + timedelta(days=60),
        )
        ContractFactory(
            authority=authority,
            provider=provider,
            contract_manager=manager,
            procurement_route=ProcurementRoute.SPOT_PURCHASE,
            spot_justification="No framework place",
        )
        ContractFactory(authority=authority, contract_manager=manager, description="")
        ContractFactory(
            authority=authority,
            contract_manager=manager,
            start_date=day - timedelta(days=900),
            end_date=day - timedelta(days=30),
        )
    for lead in (qa, None):
        VisitFactory(authority=authority, setting=setting, lead_officer=lead, planned_date=day)
        overdue = VisitFactory(
            authority=authority, setting=setting, lead_officer=lead, planned_date=day - timedelta(5)
        )
        ActionItemFactory(visit=overdue, due_date=day - timedelta(days=3))
        ActionItemFactory(visit=overdue, due_date=day - timedelta(days=3), status=ActionStatus.DONE)
        VisitFactory(
            authority=authority,
            setting=setting,
            lead_officer=lead,
            planned_date=day - timedelta(days=10),
            status=VisitStatus.COMPLETED,
            actual_date=day - timedelta(days=10),
        )
    ConcernFactory(authority=authority, setting=setting)
    ConcernFactory(authority=authority, setting=setting, stage=ConcernStage.FORMAL_LETTER)
    ComplianceDocumentFactory(provider=provider, expiry_date=day + timedelta(days=10))


@pytest.fixture
def everything(officer, qa1):
    some_of_everything(officer=officer, qa=qa1)


def linked_count(client, link: str) -> int:
    response = client.get(link)
    assert response.status_code == 200, link
    assert "cl" in response.context, f"{link} is not a list"
    return response.context["cl"].result_count


def figures_and_cells(home) -> list[tuple[str, int, str]]:
    found = [
        (figure["title"], figure["value"], figure["link"])
        for panel in home["panels"]
        for figure in panel["figures"]
    ]
    for chart in home.get("charts", []):
        for row in chart["rows"]:
            for cell in row[1:]:
                found.append((f"{chart['title']}: {row[0]['text']}", cell["count"], cell["link"]))
    return found


HOME_TITLES = {
    "manager": {
        "Settings under enhanced monitoring",
        "Approval reviews open",
        "Spot purchases awaiting authorisation",
        "Contracts missing their quarterly review",
        "Recommissioning decisions due",
        "Planned visits overdue",
        "Open provider concerns",
    },
    "qa1": {"My visits this week", "My visits overdue", "Reports to issue"},
    "officer": {
        "My contracts ending",
        "Recommissioning decisions due",
        "Quarterly reviews missing",
        "Spot purchases awaiting authorisation",
    },
    "support": {"Settings to match", "Contracts not publishable", "Documents expiring"},
    "auditor": set(),
}


@pytest.mark.parametrize("role", list(HOME_TITLES))
def test_each_role_sees_its_own_home_page(role, request, everything, client_for):
    user = request.getfixturevalue(role)
    response = client_for(user).get(reverse("admin:index"))
    titles = {card["title"] for card in response.context["cards"]}
    assert HOME_TITLES[role] <= titles
    assert b"Authentication and Authorization" not in response.content


@pytest.mark.parametrize("role", ["manager", "qa1", "officer", "support"])
def test_every_figure_is_the_count_of_the_list_it_links_to(role, request, everything, client_for):
    user = request.getfixturevalue(role)
    client = client_for(user)
    home = client.get(reverse("admin:index")).context["home"]
    checked = figures_and_cells(home)
    assert checked
    differ = {
        title: (value, linked_count(client, link))
        for title, value, link in checked
        if value != linked_count(client, link)
    }
    assert not differ, differ
    assert any(value for _, value, _ in checked), "the data gives every home some figure"


def test_the_officers_figures_are_their_own_contracts(officer, qa1, everything, client_for):
    cards = client_for(officer).get(reverse("admin:index")).context["cards"]
    values = {card["title"]: card["value"] for card in cards}
    assert values["My contracts ending"] == 1
    assert values["Spot purchases awaiting authorisation"] == 1


def test_the_qa_officers_overdue_actions_are_by_provider(qa1, officer, everything, client_for):
    home = client_for(qa1).get(reverse("admin:index")).context["home"]
    panel = next(p for p in home["panels"] if p["title"] == "Overdue actions by provider")
    assert [figure["value"] for figure in panel["figures"]] == [1]


def test_the_manager_sees_four_charts_each_with_a_table(manager, everything, client_for):
    response = client_for(manager).get(reverse("admin:index"))
    page = response.content.decode()
    assert page.count('class="chart"') == 4
    assert page.count("<caption") == 4
    assert "Figures as a table" in page


def test_the_auditor_sees_recent_changes_and_access_changes(auditor, manager, client_for):
    contract = ContractFactory(reference="C-AUDIT")
    access_event_record(
        kind="group_joined", actor=manager, subject=auditor, reason="Joined the audit team"
    )
    home = client_for(auditor).get(reverse("admin:index")).context["home"]
    changes, access = home["trails"]
    assert any("C-AUDIT" in row["what"] for row in changes["rows"])
    assert urlsplit(changes["rows"][0]["link"]).path.endswith(f"/{contract.pk}/history/")
    assert any(row["why"] == "Joined the audit team" for row in access["rows"])


def figures(client) -> dict[str, int]:
    return {c["title"]: c["value"] for c in client.get(reverse("admin:index")).context["cards"]}


def test_every_role_counts_only_its_own_authoritys_records(make_user, client_for):
    ours = home_authority()
    theirs = AuthorityFactory(name="Their Council", code="E08000099")
    users = {
        name: make_user(role, username=f"h_{name}")
        for name, role in {
            "manager": roles.MANAGER,
            "qa": roles.QA_OFFICER,
            "officer": roles.COMMISSIONING_OFFICER,
            "support": roles.BUSINESS_SUPPORT,
        }.items()
    }
    for user in users.values():
        ours.members.add(user)
    some_of_everything(officer=users["officer"], qa=users["qa"], authority=ours)
    before = {}
    for name, user in users.items():
        before[name] = {
            c["title"]: c["value"] for c in client_for(user).get("/admin/").context["cards"]
        }
    # The same again in the other council, even with our users as managers and leads.
    some_of_everything(officer=users["officer"], qa=users["qa"], authority=theirs)
    for name, user in users.items():
        after = figures(client_for(user))
        shared = {"Settings to match", "Approval reviews open", "Documents expiring"}
        owned = {title: value for title, value in after.items() if title not in shared}
        assert owned == {t: v for t, v in before[name].items() if t not in shared}, name


def test_the_contract_list_shows_live_contracts_first(manager, client_for):
    day = today()
    ended = ContractFactory(
        reference="C-ENDED", start_date=day - timedelta(900), end_date=day - timedelta(400)
    )
    live = ContractFactory(reference="C-LIVE", end_date=day + timedelta(days=500))
    response = client_for(manager).get(reverse("admin:registers_contract_changelist"))
    rows = list(response.context["cl"].result_list)
    assert [c.pk for c in rows][:2] == [live.pk, ended.pk]


def test_contracts_not_publishable_match_the_transparency_check(support, client_for):
    ContractFactory(description="", total_value=Decimal("90000"))
    ContractFactory(description="Fine")
    client = client_for(support)
    listed = client.get(reverse("admin:registers_contract_changelist"), {"publishable": "no"})
    assert [c.description for c in listed.context["cl"].result_list] == [""]
    assert Contract.objects.count() == 2


def test_the_auditors_recent_changes_are_of_their_own_authority(make_user, client_for):
    ours = home_authority()
    theirs = AuthorityFactory(name="Their Council", code="E08000099")
    auditor = make_user(roles.AUDITOR, username="h_auditor")
    ours.members.add(auditor)
    ContractFactory(reference="C-OURS", authority=ours)
    ContractFactory(reference="C-THEIRS", authority=theirs)
    home = client_for(auditor).get(reverse("admin:index")).context["home"]
    changed = " ".join(row["what"] for row in home["trails"][0]["rows"])
    assert "C-OURS" in changed and "C-THEIRS" not in changed
