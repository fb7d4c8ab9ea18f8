"""Several authorities on one install: each council sees and changes only its
own contracts, spot-fund applications, visits and concerns, on every path;
providers, settings and inspections are shared.

Every role's user belongs to authority A ("ours"); B is a neighbouring council
on the same install. Each test tries a path across the boundary.
"""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from guardian.shortcuts import assign_perm

from registers import roles
from registers.importing.specs.contracts import ContractSpec
from registers.models import Authority, Contract, ContractDocument, Judgement, Setting, Visit
from registers.permissions import changeable_ids, permitted
from registers.services.imports import import_file
from registers.services.monitoring import monitoring_refresh
from registers.services.spot_funds import spot_fund_save
from tests.factories import (
    ActionItemFactory,
    AuthorityFactory,
    ConcernFactory,
    ContractFactory,
    ContractReviewFactory,
    InspectionFactory,
    ProviderFactory,
    SettingFactory,
    SpotFundFactory,
    VisitFactory,
    home_authority,
    today,
)
from tests.helpers import change_form_data
from tests.spreadsheets import csv_bytes

pytestmark = pytest.mark.django_db

ROLES = ["manager", "support", "qa1", "officer", "auditor"]
OWNED = ["contract", "visit", "actionitem", "concern", "spotfundapplication", "contractreview"]


class Councils:
    """One record of each owned register in each of two authorities, on a shared setting."""

    def __init__(self):
        self.ours = home_authority()
        self.theirs = AuthorityFactory(name="Neighbouring Council", code="E08000015")
        self.provider = ProviderFactory()
        self.setting = SettingFactory(provider=self.provider)
        self.records = {}
        for side, authority in (("ours", self.ours), ("theirs", self.theirs)):
            contract = ContractFactory(
                authority=authority, provider=self.provider, reference=f"C-{side.upper()}"
            )
            visit = VisitFactory(authority=authority, setting=self.setting)
            self.records[side] = {
                "contract": contract,
                "contractreview": ContractReviewFactory(contract=contract),
                "visit": visit,
                "actionitem": ActionItemFactory(visit=visit),
                "concern": ConcernFactory(authority=authority, setting=self.setting),
                "spotfundapplication": SpotFundFactory(authority=authority, provider=self.provider),
            }

    def ours_(self, model):
        return self.records["ours"][model]

    def theirs_(self, model):
        return self.records["theirs"][model]


@pytest.fixture
def councils():
    return Councils()


@pytest.fixture
def member(request, councils):
    """A user of the given role, in our authority only."""

    def make(role):
        user = request.getfixturevalue(role)
        councils.ours.members.add(user)
        return user

    return make


def admin_url(obj, view="change"):
    return reverse(f"admin:registers_{obj._meta.model_name}_{view}", args=[obj.pk])


# --- Reads: the one boundary in permitted() ------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", OWNED)
def test_every_role_reads_only_its_own_authoritys_records(role, model, councils, member):
    user = member(role)
    queryset = type(councils.ours_(model))._default_manager.all()
    visible = set(permitted(user, ("view", "change"), queryset).values_list("pk", flat=True))
    assert councils.theirs_(model).pk not in visible
    if user.has_perm(f"registers.view_{model}"):
        assert councils.ours_(model).pk in visible


@pytest.mark.parametrize("role", ROLES)
def test_every_roles_lists_show_only_their_authority(role, councils, member, client_for):
    client = client_for(member(role))
    for model in ("contract", "visit", "actionitem", "concern", "spotfundapplication"):
        response = client.get(reverse(f"admin:registers_{model}_changelist"))
        assert response.status_code == 200, model
        shown = {obj.pk for obj in response.context["cl"].result_list}
        assert councils.theirs_(model).pk not in shown, (role, model)
        assert councils.ours_(model).pk in shown, (role, model)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_another_authoritys_record_pages_are_not_found(role, view, councils, member, client_for):
    client = client_for(member(role))
    for model in ("contract", "visit", "concern", "spotfundapplication"):
        response = client.get(admin_url(councils.theirs_(model), view))
        # The admin redirects a missing object to the index, or refuses it.
        assert response.status_code in (302, 403, 404), (role, model, view)
        if response.status_code == 302:
            assert "/change/" not in response["Location"]


def test_a_manager_cannot_change_or_delete_another_authoritys_contract(
    councils, member, client_for
):
    manager = member("manager")
    client = client_for(manager)
    theirs = councils.theirs_("contract")
    response = client.post(admin_url(theirs), {"title": "Forged"})
    assert response.status_code in (302, 403, 404)
    response = client.post(admin_url(theirs, "delete"), {"post": "yes"})
    assert Contract.objects.filter(pk=theirs.pk, title=theirs.title).exists()
    assert changeable_ids(manager, Contract, [theirs.pk, councils.ours_("contract").pk]) == {
        councils.ours_("contract").pk
    }


def test_a_forged_action_on_another_authoritys_rows_changes_nothing(councils, member, client_for):
    client = client_for(member("manager"))
    theirs = councils.theirs_("contract")
    client.post(
        reverse("admin:registers_contract_changelist"),
        {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"},
    )
    assert Contract.objects.filter(pk=theirs.pk).exists()


def test_a_grant_on_another_authoritys_record_gives_nothing(councils, make_user, client_for):
    """A per-record grant never reaches across the boundary."""
    user = make_user()
    councils.ours.members.add(user)
    assign_perm("registers.change_contract", user, councils.theirs_("contract"))
    queryset = Contract.objects.all()
    assert not permitted(user, ("view", "change"), queryset).exists()


def test_autocomplete_and_form_choices_offer_only_our_visits(councils, member, client_for):
    client = client_for(member("manager"))
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "registers",
            "model_name": "actionitem",
            "field_name": "visit",
            "term": "",
        },
    )
    assert response.status_code == 200
    ids = {int(row["id"]) for row in response.json()["results"]}
    assert ids == {councils.ours_("visit").pk}
    page = client.get(reverse("admin:registers_actionitem_add"))
    choices = {
        value.value for value, _ in page.context["adminform"].form.fields["visit"].choices if value
    }
    assert choices == {councils.ours_("visit").pk}


def test_export_has_only_our_contracts(councils, member, client_for):
    client = client_for(member("auditor"))
    response = client.post(
        reverse("admin:registers_contract_export"), {"format": "0", "resource": "0"}
    )
    body = response.content.decode("utf-8-sig")
    assert "C-OURS" in body and "C-THEIRS" not in body


@pytest.mark.parametrize("role", ROLES)
def test_a_shared_records_page_lists_only_our_contracts_and_visits(
    role, councils, member, client_for
):
    client = client_for(member(role))
    listed = {}
    for shared, inline in ((councils.provider, "contract"), (councils.setting, "visit")):
        page = client.get(admin_url(shared))
        assert page.status_code == 200
        rows = [
            obj.pk
            for formset in page.context["inline_admin_formsets"]
            if formset.opts.model._meta.model_name == inline
            for obj in formset.formset.queryset
        ]
        listed[inline] = rows
    assert listed == {
        "contract": [councils.ours_("contract").pk],
        "visit": [councils.ours_("visit").pk],
    }


def test_the_provider_list_counts_only_our_live_contracts(councils, member, client_for):
    for contract in (councils.ours_("contract"), councils.theirs_("contract")):
        contract.start_date, contract.end_date = date(2025, 1, 1), date(2099, 1, 1)
        contract.save()
    listing = client_for(member("manager")).get(reverse("admin:registers_provider_changelist"))
    row = next(p for p in listing.context["cl"].result_list if p.pk == councils.provider.pk)
    assert row.live_contract_total == 1


def test_shared_registers_are_seen_by_both(councils, make_user):
    theirs = make_user(roles.MANAGER, username="t_manager_b")
    councils.theirs.members.add(theirs)
    assert (
        permitted(theirs, ("view",), Setting.objects.all()).filter(pk=councils.setting.pk).exists()
    )


def test_the_document_link_of_another_authoritys_contract_is_refused(councils, member, client_for):
    document = ContractDocument(contract=councils.theirs_("contract"), kind="contract", title="x")
    document.file.save("theirs.pdf", ContentFile(b"%PDF-1.4"), save=True)
    client = client_for(member("auditor"))
    response = client.get(reverse("contract_document", args=[document.file.name]))
    assert response.status_code == 403


def test_dashboard_counts_only_our_records(councils, member, client_for):
    councils.theirs_("visit").planned_date = date(2000, 1, 1)
    councils.theirs_("visit").save()
    response = client_for(member("manager")).get(reverse("admin:index"))
    cards = {card["title"]: card["value"] for card in response.context["cards"]}
    assert cards["Planned visits overdue"] == 0
    assert cards["Open provider concerns"] == 1


def test_transparency_file_is_each_councils_own(councils, member, client_for):
    for contract in (councils.ours_("contract"), councils.theirs_("contract")):
        contract.start_date, contract.end_date = date(2025, 1, 1), date(2027, 1, 1)
        contract.save()
    client = client_for(member("manager"))
    response = client.get(reverse("admin:registers_contract_transparency"), {"quarter": "2026Q1"})
    body = response.content.decode("utf-8-sig")
    assert "C-OURS" in body and "C-THEIRS" not in body
    out = StringIO()
    call_command("transparency_export", quarter="2026Q1", authority="E08000015", stdout=out)
    assert "C-THEIRS" in out.getvalue() and "C-OURS" not in out.getvalue()


def test_a_user_in_two_councils_picks_the_one_publishing(councils, member, client_for):
    for contract in (councils.ours_("contract"), councils.theirs_("contract")):
        contract.start_date, contract.end_date = date(2025, 1, 1), date(2027, 1, 1)
        contract.save()
    user = member("manager")
    councils.theirs.members.add(user)
    client = client_for(user)
    url = reverse("admin:registers_contract_transparency")
    unchosen = client.get(url, {"quarter": "2026Q1"})
    assert unchosen["Content-Type"].startswith("text/html")  # the form again
    assert "This field is required" in unchosen.content.decode()
    theirs = client.get(url, {"quarter": "2026Q1", "authority": councils.theirs.pk})
    body = theirs.content.decode("utf-8-sig")
    assert "C-THEIRS" in body and "C-OURS" not in body


# --- Writes: new records take the user's authority --------------------------------------


def test_a_new_contract_takes_the_users_only_authority(councils, member, client_for):
    manager = member("manager")
    client = client_for(manager)
    page = client.get(reverse("admin:registers_contract_add"))
    assert "authority" not in page.context["adminform"].form.fields
    data = change_form_data(page)
    data.update(
        {
            "reference": "C-NEW",
            "title": "New placement",
            "provider": councils.provider.pk,
            "procurement_route": "open_tender",
            "tender_type": "published_tender",
            "start_date": "01/04/2026",
            "end_date": "31/03/2027",
        }
    )
    response = client.post(reverse("admin:registers_contract_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Contract.objects.get(reference="C-NEW").authority == councils.ours


def test_a_user_in_two_authorities_picks_one_of_theirs(councils, member, client_for):
    manager = member("manager")
    councils.theirs.members.add(manager)
    AuthorityFactory(name="Third Council", code="E08000016")
    client = client_for(manager)
    page = client.get(reverse("admin:registers_contract_add"))
    field = page.context["adminform"].form.fields["authority"]
    assert {a.name for a in field.queryset} == {councils.ours.name, councils.theirs.name}
    data = change_form_data(page)
    data.update(
        {
            "reference": "C-PICK",
            "title": "Picked",
            "provider": councils.provider.pk,
            "procurement_route": "open_tender",
            "tender_type": "published_tender",
            "start_date": "01/04/2026",
            "end_date": "31/03/2027",
        }
    )
    data.pop("authority", None)
    response = client.post(reverse("admin:registers_contract_add"), data)
    assert response.status_code == 200
    assert "authority" in response.context["adminform"].form.errors
    data["authority"] = str(Authority.objects.get(code="E08000016").pk)
    response = client.post(reverse("admin:registers_contract_add"), data)
    assert response.status_code == 200  # not one of theirs: not a valid choice
    data["authority"] = str(councils.theirs.pk)
    response = client.post(reverse("admin:registers_contract_add"), data)
    assert response.status_code == 302
    assert Contract.objects.get(reference="C-PICK").authority == councils.theirs
    # Both authorities' contracts in their list, with the authority column and filter.
    listing = client.get(reverse("admin:registers_contract_changelist"))
    assert "authority_name" in listing.context["cl"].list_display
    assert {c.reference for c in listing.context["cl"].result_list} >= {"C-OURS", "C-THEIRS"}


# --- One authority stays simple -----------------------------------------------------------


def test_a_single_authority_install_shows_no_trace(manager, client_for):
    ContractFactory(reference="C-ONLY")
    assert Authority.objects.count() == 1
    client = client_for(manager)  # not even a member: with one authority, everyone is
    listing = client.get(reverse("admin:registers_contract_changelist"))
    assert "authority_name" not in listing.context["cl"].list_display
    assert "uthorit" not in listing.content.decode()
    page = client.get(reverse("admin:registers_contract_add"))
    assert "authority" not in page.context["adminform"].form.fields
    assert [c.reference for c in listing.context["cl"].result_list] == ["C-ONLY"]


def test_the_migration_puts_everything_in_one_authority():
    """0009 makes one authority; the factories' records and users join it."""
    assert Authority.objects.count() <= 1
    contract = ContractFactory()
    assert contract.authority == home_authority()


# --- The RI process per authority ------------------------------------------------------


def test_a_setting_used_by_two_authorities_gives_two_visits_and_two_digests(
    make_user, django_capture_on_commit_callbacks
):
    ours = home_authority()
    theirs = AuthorityFactory(name="Neighbouring Council", code="E08000015")
    manager_a = make_user(roles.MANAGER, username="t_manager_a", email="a@a.gov.uk")
    manager_b = make_user(roles.MANAGER, username="t_manager_b", email="b@b.gov.uk")
    qa_b = make_user(roles.QA_OFFICER, username="t_qa_b")
    ours.members.add(manager_a)
    theirs.members.add(manager_b, qa_b)
    setting = SettingFactory(provider=ProviderFactory(approval_status="applicant"))
    for authority in (ours, theirs):
        ContractFactory(authority=authority, provider=setting.provider, setting=setting)
    # Their last visit was led by their own officer: the risk visit goes to them.
    VisitFactory(
        authority=theirs, setting=setting, lead_officer=qa_b, planned_date=date(2024, 1, 1)
    )
    InspectionFactory(setting=setting, overall=Judgement.INADEQUATE)
    with django_capture_on_commit_callbacks(execute=True):
        monitoring_refresh(user=None)
    risk = Visit.objects.filter(setting=setting, reason="risk")
    assert {v.authority_id for v in risk} == {ours.pk, theirs.pk}
    assert risk.get(authority=theirs).lead_officer == qa_b
    assert risk.get(authority=ours).lead_officer is None
    assert sorted(tuple(m.to) for m in mail.outbox) == [("a@a.gov.uk",), ("b@b.gov.uk",)]
    assert all(setting.urn in m.body for m in mail.outbox)
    # Running again plans nothing more and sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        monitoring_refresh(user=None)
    assert risk.count() == 2 and len(mail.outbox) == 2


def test_a_setting_used_by_one_authority_gives_one_visit_and_one_digest(
    make_user, django_capture_on_commit_callbacks
):
    ours = home_authority()
    theirs = AuthorityFactory(name="Neighbouring Council", code="E08000015")
    manager_a = make_user(roles.MANAGER, username="t_manager_a", email="a@a.gov.uk")
    manager_b = make_user(roles.MANAGER, username="t_manager_b", email="b@b.gov.uk")
    ours.members.add(manager_a)
    theirs.members.add(manager_b)
    setting = SettingFactory(provider=ProviderFactory(approval_status="applicant"))
    ContractFactory(authority=theirs, provider=setting.provider, setting=setting)
    InspectionFactory(setting=setting, overall=Judgement.REQUIRES_IMPROVEMENT)
    with django_capture_on_commit_callbacks(execute=True):
        monitoring_refresh(user=None)
    assert [v.authority_id for v in Visit.objects.filter(reason="risk")] == [theirs.pk]
    assert [tuple(m.to) for m in mail.outbox] == [("b@b.gov.uk",)]


# --- The regional view ----------------------------------------------------------------


def test_the_regional_dashboard_gives_counts_and_sums_only(councils, make_user, client_for):
    lead = make_user(roles.REGIONAL_LEAD, username="t_regional")
    for contract in (councils.ours_("contract"), councils.theirs_("contract")):
        contract.setting = councils.setting
        contract.save()
    InspectionFactory(setting=councils.setting, overall=Judgement.INADEQUATE)
    response = client_for(lead).get(reverse("admin:registers_regional"))
    assert response.status_code == 200
    contracts = {row["authority__name"]: row["contracts"] for row in response.context["contracts"]}
    assert contracts == {councils.ours.name: 1, councils.theirs.name: 1}
    assert [row.authorities for row in response.context["shared"]] == [2]
    assert [row.authorities for row in response.context["concerning"]] == [2]
    body = response.content.decode()
    assert "C-OURS" not in body and "C-THEIRS" not in body
    # No record-level access to any council's contracts.
    listing = client_for(lead).get(reverse("admin:registers_contract_changelist"))
    assert listing.status_code == 403


def test_the_spot_fund_cap_counts_one_councils_applications(councils, member):
    """Case IDs are each council's own: another council's case of the same ID
    does not use up this council's cap, and a new application takes the
    applicant's authority."""
    officer = member("officer")
    SpotFundFactory(
        authority=councils.theirs, case_id="LAN-1", amount=Decimal("2500"), applied_on=today()
    )
    application = SpotFundFactory.build(
        authority=None, case_id="LAN-1", amount=Decimal("2500"), applied_on=today()
    )
    spot_fund_save(application=application, user=officer)
    assert application.authority == councils.ours


# --- Imports -----------------------------------------------------------------------------

IMPORT_HEADER = ["Reference", "Title", "Provider", "Procurement route", "Start date", "End date"]


def import_contract(user, reference, provider):
    row = [reference, "Care", provider.name, "Open tender", "01/04/2025", "31/03/2027"]
    return import_file(
        spec=ContractSpec(),
        data=csv_bytes([IMPORT_HEADER, row]),
        file_name="contracts.csv",
        user=user,
    )


def test_an_import_places_new_contracts_in_the_importers_authority(councils, member):
    manager = member("manager")
    result = import_contract(manager, "C-IMPORTED", councils.provider)
    assert result.ok, result.problems
    assert Contract.objects.get(reference="C-IMPORTED").authority == councils.ours


def test_an_import_cannot_change_another_authoritys_contract(councils, member):
    manager = member("manager")
    result = import_contract(manager, "C-THEIRS", councils.provider)
    assert not result.ok
    assert Contract.objects.get(reference="C-THEIRS").title != "Care"


def test_an_importer_in_two_authorities_is_asked_to_choose(councils, member):
    manager = member("manager")
    councils.theirs.members.add(manager)
    result = import_contract(manager, "C-WHOSE", councils.provider)
    assert not result.ok
    assert "Choose the authority" in str(result.problems[0])
    assert "Row 2" in str(result.problems[0])
    assert not Contract.objects.filter(reference="C-WHOSE").exists()
