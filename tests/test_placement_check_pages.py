"""Placement check pages: the form's refusals, the documents panel, the list's
filters and flag, sign-off, and every path for every role and across authorities."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from registers import roles
from registers.models import ComplianceDocumentKind, PlacementCheck, PlacementDecision
from registers.selectors.compliance import DocumentState
from registers.selectors.placement_checks import check_documents
from tests.factories import (
    AuthorityFactory,
    ComplianceDocumentFactory,
    PlacementCheckFactory,
    SettingFactory,
    home_authority,
    today,
)
from tests.helpers import change_form_data

pytestmark = pytest.mark.django_db
User = get_user_model()

LIST = reverse("admin:registers_placementcheck_changelist")
ADD = reverse("admin:registers_placementcheck_add")
ROLES = [
    roles.MANAGER,
    roles.BUSINESS_SUPPORT,
    roles.QA_OFFICER,
    roles.COMMISSIONING_OFFICER,
    roles.AUDITOR,
    roles.REGIONAL_LEAD,
    None,
]
READERS = {roles.BUSINESS_SUPPORT, roles.QA_OFFICER, roles.COMMISSIONING_OFFICER, roles.AUDITOR}


def url(check, view: str) -> str:
    return reverse(f"admin:registers_placementcheck_{view}", args=[check.pk])


def d(value) -> str:
    return value.strftime("%d/%m/%Y")


def form(setting, **kwargs) -> dict:
    data = {
        "case_id": "ICS-55120",
        "child_initials": "TR",
        "setting": setting.pk,
        "placement_type": "ongoing",
        "start_date": d(today()),
        "care_or_support": "support",
        "static_or_mobile": "static",
        "change_reason": "",
    }
    data.update(kwargs)
    return data


def answered(**kwargs) -> dict:
    values = {
        "staffing_arrangements": "Staff on site daily.",
        "host_authority_outcome": "satisfactory",
        "references_outcome": "satisfactory",
        "financial_outcome": "satisfactory",
        "policies_outcome": "satisfactory",
        "needs_met": "Key worker sessions.",
        "risk_management": "Safety plan shared.",
        "visit_frequency_weeks": 2,
        "risk_assessment_review_on": today() + timedelta(days=20),
        "move_on_plan": "Own tenancy.",
        "move_on_by": today() + timedelta(days=60),
    }
    values.update(kwargs)
    return values


# --- the form --------------------------------------------------------------------------


def test_a_manager_records_a_supported_accommodation_check(manager, client_for):
    setting = SettingFactory(urn=None, provision_type="Supported accommodation")
    response = client_for(manager).post(ADD, form(setting, legal_status="Section 20"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    check = PlacementCheck.objects.get()
    assert check.decision == PlacementDecision.UNREGULATED
    assert check.authority == home_authority()
    assert check.history.get().history_user == manager


def test_care_in_an_unregistered_static_setting_is_refused_on_the_form(manager, client_for):
    setting = SettingFactory(urn=None, name="Harbour View", provision_type="Other")
    response = client_for(manager).post(ADD, form(setting, care_or_support="care"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Harbour View is not (it has no Ofsted URN)" in errors["setting"][0]
    assert not PlacementCheck.objects.exists()


def test_a_crisis_placement_past_90_days_is_refused_on_the_form(manager, client_for):
    setting = SettingFactory(urn=None)
    response = client_for(manager).post(
        ADD,
        form(
            setting,
            care_or_support="care",
            static_or_mobile="mobile",
            placement_type="crisis",
            end_date=d(today() + timedelta(days=120)),
        ),
    )
    assert "28 to 90 days" in response.context["adminform"].form.errors["end_date"][0]
    assert not PlacementCheck.objects.exists()


def test_the_form_has_no_name_date_of_birth_or_address(manager, client_for):
    fields = client_for(manager).get(ADD).context["adminform"].form.fields
    assert {"case_id", "child_initials"} <= set(fields)
    assert not {n for n in fields if "name" in n or "birth" in n or "address" in n}


def test_the_check_page_shows_the_settings_documents(auditor, client_for):
    setting = SettingFactory(urn=None)
    gas = ComplianceDocumentKind.objects.get(name="Gas safety certificate")
    expired = today() - timedelta(days=10)
    ComplianceDocumentFactory(
        kind=gas,
        provider=None,
        setting=setting,
        issue_date=expired - timedelta(days=365),
        expiry_date=expired,
    )
    check = PlacementCheckFactory(setting=setting)
    body = client_for(auditor).get(url(check, "change")).content.decode()
    row = body[body.index("Gas safety certificate") :][:600]
    assert "Expired" in row and d(expired) in row
    assert "Statement of purpose" in body and "Missing" in body


# --- the list ---------------------------------------------------------------------------


def test_the_list_flags_and_filters_placements_ending_soon(qa1, client_for):
    now = today()
    soon = PlacementCheckFactory(
        case_id="ICS-SOON",
        placement_type="crisis",
        start_date=now - timedelta(days=30),
        end_date=now + timedelta(days=4),
    )
    later = PlacementCheckFactory(
        case_id="ICS-LATER",
        placement_type="holiday",
        start_date=now,
        end_date=now + timedelta(days=20),
    )
    client = client_for(qa1)
    body = client.get(LIST).content.decode()
    assert "Ending soon" in body
    filtered = client.get(LIST, {"ending": "soon"}).content.decode()
    assert soon.case_id in filtered and later.case_id not in filtered


def test_the_list_filters_by_sign_off_decision_and_type(auditor, client_for):
    signed = PlacementCheckFactory(case_id="ICS-SIGNED", team_manager_signed_on=today())
    waiting = PlacementCheckFactory(case_id="ICS-WAITING")
    regulated = PlacementCheckFactory(case_id="ICS-REG", decision="regulated")
    client = client_for(auditor)

    def listed(query):
        body = client.get(LIST, query).content.decode()
        return {c.case_id for c in (signed, waiting, regulated) if c.case_id in body}

    assert listed({"signed": "awaiting"}) == {"ICS-WAITING", "ICS-REG"}
    assert listed({"signed": "yes"}) == {"ICS-SIGNED"}
    assert listed({"decision__exact": "regulated"}) == {"ICS-REG"}
    assert listed({"placement_type__exact": "crisis"}) == set()
    assert listed({"ending": "x' OR 1=1", "signed": "junk"}) == {
        "ICS-SIGNED",
        "ICS-WAITING",
        "ICS-REG",
    }


# --- sign-off ------------------------------------------------------------------------------


def all_documents(setting):
    for kind in ComplianceDocumentKind.objects.filter(checked_for_placements=True):
        ComplianceDocumentFactory(kind=kind, provider=None, setting=setting)


def test_a_manager_signs_off_from_the_check_page(manager, client_for):
    check = PlacementCheckFactory(**answered())
    all_documents(check.setting)
    client = client_for(manager)
    page = client.get(url(check, "change")).content.decode()
    assert "Social worker sign-off" in page and "Team manager sign-off" not in page
    form_page = client.get(url(check, "social_worker_sign_off_page"))
    assert form_page.status_code == 200 and "Name of the person signing" in form_page.text
    response = client.post(
        url(check, "social_worker_sign_off_page"), {"name": "Amy Clarke", "signed_on": ""}
    )
    assert response.status_code == 302
    response = client.post(
        url(check, "team_manager_sign_off_page"),
        {"name": "Raj Patel", "signed_on": d(today())},
    )
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.social_worker_name == "Amy Clarke" and check.team_manager_signed_on == today()
    # Signed: neither page is offered any more.
    assert client.get(url(check, "team_manager_sign_off_page")).status_code == 403


def test_sign_off_refusals_show_on_the_page(manager, client_for):
    check = PlacementCheckFactory(**answered(references_outcome="awaited"))
    response = client_for(manager).post(
        url(check, "social_worker_sign_off_page"), {"name": "Amy Clarke"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Other references (awaited)" in body
    assert "Documents are expired or missing" in body
    check.refresh_from_db()
    assert check.social_worker_signed_on is None


@pytest.mark.parametrize("role", sorted(READERS) + [roles.REGIONAL_LEAD, None])
def test_only_managers_reach_sign_off_even_by_a_forged_post(role, make_user, client_for):
    check = PlacementCheckFactory(**answered())
    all_documents(check.setting)
    client = client_for(make_user(role))
    target = url(check, "social_worker_sign_off_page")
    assert client.get(target).status_code in (403, 302, 404)
    assert client.post(target, {"name": "Forged"}).status_code in (403, 302, 404)
    check.refresh_from_db()
    assert check.social_worker_signed_on is None


# --- every path, every role ---------------------------------------------------------


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "no role")
def test_every_path_for_every_role(role, make_user, client_for):
    check = PlacementCheckFactory(**answered())
    client = client_for(make_user(role))
    manager = role == roles.MANAGER
    reads = manager or role in READERS

    assert (client.get(LIST).status_code == 200) is reads
    assert (client.get(url(check, "change")).status_code == 200) is reads
    assert (client.get(url(check, "history")).status_code == 200) is reads
    assert (client.get(ADD).status_code == 200) is manager
    assert (client.get(url(check, "delete")).status_code == 200) is manager
    # The form's setting autocomplete offers settings, a shared register every role reads.
    suggest = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "registers", "model_name": "placementcheck", "field_name": "setting"},
    )
    assert (suggest.status_code == 200) is (role is not None)

    page = client.get(url(check, "change"))
    if page.status_code == 200:
        data = change_form_data(page)
        data["legal_status"] = "Care order"
        response = client.post(url(check, "change"), data)
        check.refresh_from_db()
        assert (check.legal_status == "Care order") is manager, response.status_code
    # A forged change and a forged add, without the form.
    if not manager:
        client.post(url(check, "change"), {"case_id": "FORGED", "child_initials": "ZZ"})
        client.post(ADD, form(SettingFactory(urn=None), case_id="FORGED"))
        client.post(
            LIST,
            {"action": "delete_selected", "_selected_action": [check.pk], "post": "yes"},
        )
        assert not PlacementCheck.objects.filter(case_id="FORGED").exists()
        assert PlacementCheck.objects.filter(pk=check.pk).exists()


def test_a_manager_deletes_through_the_list_action(manager, client_for):
    check = PlacementCheckFactory()
    response = client_for(manager).post(
        LIST, {"action": "delete_selected", "_selected_action": [check.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not PlacementCheck.objects.exists()


# --- authorities ------------------------------------------------------------------------------


@pytest.fixture
def two_councils(make_user):
    ours = home_authority()
    theirs = AuthorityFactory(name="Knowsley Council")
    manager_a = make_user(roles.MANAGER, username="manager_a")
    ours.members.add(manager_a)
    manager_b = make_user(roles.MANAGER, username="manager_b")
    theirs.members.add(manager_b)
    check = PlacementCheckFactory(authority=ours, case_id="ICS-OURS", **answered())
    all_documents(check.setting)
    return check, manager_a, manager_b


def test_a_manager_of_another_authority_sees_none_of_our_checks(two_councils, client_for):
    check, _, manager_b = two_councils
    client = client_for(manager_b)
    assert "ICS-OURS" not in client.get(LIST).content.decode()
    assert client.get(url(check, "change")).status_code in (302, 404)
    assert client.get(url(check, "history")).status_code in (302, 403, 404)
    assert client.get(url(check, "delete")).status_code in (302, 403, 404)
    for page in ("social_worker_sign_off_page", "team_manager_sign_off_page"):
        assert client.get(url(check, page)).status_code in (302, 403, 404)
        client.post(url(check, page), {"name": "Forged"})
    client.post(url(check, "change"), form(check.setting, legal_status="Forged"))
    client.post(LIST, {"action": "delete_selected", "_selected_action": [check.pk], "post": "yes"})
    check.refresh_from_db()
    assert check.legal_status != "Forged" and check.social_worker_signed_on is None


def test_a_manager_cannot_add_a_check_to_another_authority(two_councils, client_for):
    """A forged authority is ignored (the form has no such field for a member of one):
    the check is the manager's own council's."""
    check, manager_a, manager_b = two_councils
    theirs = manager_b.authorities.get()
    response = client_for(manager_a).post(
        ADD, form(SettingFactory(urn=None), case_id="ICS-MOVED", authority=theirs.pk)
    )
    assert response.status_code == 302
    assert PlacementCheck.objects.get(case_id="ICS-MOVED").authority == home_authority()


def test_a_manager_in_two_councils_adds_only_to_their_own(two_councils, client_for):
    check, manager_a, manager_b = two_councils
    AuthorityFactory(name="Wirral Council", members=[manager_a])
    theirs = manager_b.authorities.get()
    response = client_for(manager_a).post(
        ADD, form(SettingFactory(urn=None), case_id="ICS-MOVED", authority=theirs.pk)
    )
    assert response.status_code == 200
    assert "authority" in response.context["adminform"].form.errors
    assert not PlacementCheck.objects.filter(case_id="ICS-MOVED").exists()


def test_each_manager_sees_their_own_councils_checks(two_councils, client_for):
    check, manager_a, manager_b = two_councils
    PlacementCheckFactory(authority=manager_b.authorities.get(), case_id="ICS-THEIRS")
    body = client_for(manager_a).get(LIST).content.decode()
    assert "ICS-OURS" in body and "ICS-THEIRS" not in body
    body = client_for(manager_b).get(LIST).content.decode()
    assert "ICS-THEIRS" in body and "ICS-OURS" not in body


# --- the demo ----------------------------------------------------------------------------


def test_seed_demo_shows_placement_checks(settings, client_for):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    checks = {c.placement_type: c for c in PlacementCheck.objects.select_related("setting")}
    now = today()
    crisis, holiday, supported = checks["crisis"], checks["holiday"], checks["ongoing"]
    assert list(PlacementCheck.objects.ending_soon(today=now)) == [crisis]
    assert crisis.team_manager_signed_on and "Boat Safety" in crisis.documents_override_reason
    assert holiday.decision == PlacementDecision.HOLIDAY_EXCEPTION
    assert supported.decision == PlacementDecision.UNREGULATED and supported.setting.urn is None
    gas = {s.kind.name: s.state for s in check_documents(supported, today=now)}
    assert gas["Gas safety certificate"] == DocumentState.EXPIRED
    assert PlacementCheck.history.filter(history_change_reason="Demo data").count() == 3
    manager = User.objects.get(username="manager")
    body = client_for(manager).get(url(supported, "change")).content.decode()
    assert "Expired" in body
