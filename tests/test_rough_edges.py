"""Issue 15's rough edges a new user hit, each pinned."""

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.forms import modelform_factory
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from registers import roles
from registers.dates import last_completed_quarter, quarter_bounds, quarter_label, quarter_of
from registers.importing.cells import CellError, Context, Money
from registers.models import ApprovalStatus, Contract
from registers.money import MoneyFormField
from registers.selectors.contracts import missing_review_q
from registers.services.contracts import contract_extend, contract_save
from registers.services.transparency import transparency_missing_fields
from tests.factories import (
    ContractFactory,
    ContractReviewFactory,
    ProviderFactory,
    VisitFactory,
    home_authority,
)
from tests.helpers import change_form_data

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


# --- money ------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["£150,000.00", "150,000", "150000", " £150,000 "])
def test_money_fields_accept_pounds_as_people_type_them(typed):
    form_class = modelform_factory(Contract, fields=["annual_value"])
    form = form_class(data={"annual_value": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["annual_value"] == Decimal("150000.00")
    assert 'type="number"' not in str(form["annual_value"])


def test_a_money_field_names_what_it_wants():
    form = modelform_factory(Contract, fields=["annual_value"])(data={"annual_value": "lots"})
    assert not form.is_valid()
    assert "£1,250.00" in form.errors["annual_value"][0]


def test_the_import_reads_money_by_the_same_rule():
    assert Money().parse("£150,000.00", Context()) == Decimal("150000.00")
    with pytest.raises(CellError, match="£1,250.00"):
        Money().parse("lots", Context())


def test_the_contract_form_takes_a_typed_amount(make_user, client_for):
    manager = make_user(roles.MANAGER)
    contract = ContractFactory()
    page = client_for(manager).get(reverse("admin:registers_contract_change", args=[contract.pk]))
    assert isinstance(page.context["adminform"].form.fields["total_value"], MoneyFormField)


# --- procurement route ------------------------------------------------------------


def test_the_procurement_route_has_no_silent_default(make_user, client_for):
    manager = make_user(roles.MANAGER)
    page = client_for(manager).get(reverse("admin:registers_contract_add"))
    field = page.context["adminform"].form.fields["procurement_route"]
    assert field.required
    assert field.choices[0][0] == ""
    html = str(page.context["adminform"].form["procurement_route"])
    assert 'value="" selected' in html


# --- reporting quarters -----------------------------------------------------------


def test_quarters_are_financial_by_default():
    assert quarter_of(date(2026, 4, 1)) == (2026, 1)
    assert quarter_of(date(2027, 3, 31)) == (2026, 4)
    assert quarter_bounds(2026, 1) == (date(2026, 4, 1), date(2026, 6, 30))
    assert quarter_bounds(2026, 4) == (date(2027, 1, 1), date(2027, 3, 31))
    assert last_completed_quarter(date(2026, 5, 10)) == (2025, 4)
    assert quarter_label(2026, 3) == "2026Q3 (October to December 2026)"


def test_calendar_quarters_when_set(settings):
    settings.REPORTING_QUARTERS = "calendar"
    assert quarter_of(date(2026, 4, 1)) == (2026, 2)
    assert quarter_bounds(2026, 1) == (date(2026, 1, 1), date(2026, 3, 31))
    assert last_completed_quarter(date(2026, 2, 10)) == (2025, 4)


def test_a_missing_review_is_of_the_last_financial_quarter(make_user):
    today = timezone.localdate()
    year, quarter = last_completed_quarter(today)
    reviewed = ContractFactory()
    ContractReviewFactory(contract=reviewed, year=year, quarter=quarter)
    missing = ContractFactory()
    found = set(Contract.objects.filter(missing_review_q(today=today)))
    assert missing in found and reviewed not in found


def test_the_transparency_export_takes_financial_quarters():
    # Financial 2026Q1 is April to June 2026: a contract live only in May is in it.
    may = ContractFactory(start_date=date(2026, 5, 1), end_date=date(2026, 5, 31))
    out = StringIO()
    call_command("transparency_export", "--quarter", "2026Q1", stdout=out, stderr=StringIO())
    assert may.reference in out.getvalue()
    out = StringIO()
    call_command("transparency_export", "--quarter", "2026Q2", stdout=out, stderr=StringIO())
    assert may.reference not in out.getvalue()


# --- the Transparency Code export -------------------------------------------------


def _unpublishable_and_publishable():
    # Financial 2026Q2 is July to September 2026.
    good = ContractFactory(reference="GOOD", start_date=date(2026, 7, 1))
    bad = ContractFactory(reference="BAD", start_date=date(2026, 7, 1), description="")
    assert transparency_missing_fields(contract=bad) == ["Description"]
    return good, bad


def test_the_export_leaves_out_unpublishable_contracts_and_says_so_on_stderr():
    _unpublishable_and_publishable()
    out, err = StringIO(), StringIO()
    call_command("transparency_export", "--quarter", "2026Q2", stdout=out, stderr=err)
    assert "GOOD" in out.getvalue() and "BAD" not in out.getvalue()
    assert "Left out 1 contract(s) not publishable" in err.getvalue()
    assert "BAD (missing: Description)" in err.getvalue()


def test_the_export_page_lists_what_it_leaves_out_before_the_download(make_user, client_for):
    good, bad = _unpublishable_and_publishable()
    client = client_for(make_user(roles.MANAGER))
    url = reverse("admin:registers_contract_transparency")
    page = client.get(url, {"quarter": "2026Q2"})
    assert page.status_code == 200 and page.get("Content-Disposition") is None
    body = page.content.decode()
    assert "1 contract left out: not publishable" in body
    assert "BAD" in body and "Description" in body
    assert 'name="confirmed"' in body
    download = client.get(url, {"quarter": "2026Q2", "confirmed": "1"})
    text = download.content.decode()
    assert "GOOD" in text and "BAD" not in text


def test_the_export_downloads_at_once_when_every_contract_is_publishable(make_user, client_for):
    ContractFactory(reference="GOOD", start_date=date(2026, 7, 1))
    client = client_for(make_user(roles.MANAGER))
    response = client.get(reverse("admin:registers_contract_transparency"), {"quarter": "2026Q2"})
    assert response["Content-Disposition"].endswith('2026Q2.csv"')


# --- contracting with a provider that is not approved -----------------------------


def _applicant_contract():
    provider = ProviderFactory(approval_status=ApprovalStatus.APPLICANT, name="New Start Ltd")
    return ContractFactory.build(
        reference="C-APP",
        provider=provider,
        authority=home_authority(),
        total_value=Decimal("120000"),
    )


def test_the_service_refuses_an_unapproved_provider_without_a_reason(manager):
    with pytest.raises(ValidationError) as refused:
        contract_save(contract=_applicant_contract(), user=manager)
    assert "New Start Ltd is applicant, not approved" in str(refused.value.message_dict["provider"])
    assert not Contract.objects.filter(reference="C-APP").exists()


def test_the_service_takes_an_unapproved_provider_with_a_reason_in_the_history(manager):
    contract = contract_save(
        contract=_applicant_contract(), user=manager, reason="Only provider with a bed tonight"
    )
    assert contract.history.latest().history_change_reason == "Only provider with a bed tonight"


def test_the_contract_form_warns_and_asks_a_reason(manager, client_for):
    client = client_for(manager)
    contract = ContractFactory()
    url = reverse("admin:registers_contract_change", args=[contract.pk])
    applicant = ProviderFactory(approval_status=ApprovalStatus.APPLICANT, name="New Start Ltd")
    data = change_form_data(client.get(url))
    data["provider"] = applicant.pk
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "New Start Ltd is applicant, not approved" in refused.content.decode()
    contract.refresh_from_db()
    assert contract.provider != applicant
    data["change_reason"] = "Approved provider has closed"
    assert client.post(url, data).status_code == 302
    contract.refresh_from_db()
    assert contract.provider == applicant
    assert contract.history.latest().history_change_reason == "Approved provider has closed"


def test_an_approved_provider_needs_no_reason(manager):
    contract = ContractFactory.build(reference="C-OK", authority=home_authority())
    contract.provider.save()
    contract.provider_id = contract.provider.pk
    assert contract_save(contract=contract, user=manager).pk


# --- spot purchase authorisation and extension pages ------------------------------


def test_the_authorisation_page_shows_the_justification_it_asks_to_confirm(
    manager, support, client_for
):
    contract = ContractFactory(
        procurement_route="spot_purchase",
        spot_justification="No framework home could take a sibling group of three.",
        spot_requested_by=support,
    )
    page = client_for(manager).get(
        reverse("admin:registers_contract_authorise_page", args=[contract.pk])
    )
    body = page.content.decode()
    assert "Written justification" in body
    assert "No framework home could take a sibling group of three." in body
    assert str(support) in body


def test_the_extension_page_shows_both_end_dates_and_asks_a_reason(manager, client_for):
    contract = ContractFactory(
        end_date=date(2027, 3, 31), extension_options=2, extension_months=12, extensions_used=0
    )
    client = client_for(manager)
    url = reverse("admin:registers_contract_extend_page", args=[contract.pk])
    body = client.get(url).content.decode()
    assert "Current end date" in body and "31/03/2027" in body
    assert "New end date" in body and "31/03/2028" in body
    refused = client.post(url, {"confirm": "on"})
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    contract.refresh_from_db()
    assert contract.end_date == date(2027, 3, 31)
    assert (
        client.post(url, {"confirm": "on", "reason": "Provider performing well"}).status_code == 302
    )
    contract.refresh_from_db()
    assert contract.end_date == date(2028, 3, 31)
    assert "Reason: Provider performing well" in contract.history.latest().history_change_reason


def test_the_extension_service_refuses_without_a_reason(manager):
    contract = ContractFactory(extension_options=1, extension_months=6)
    with pytest.raises(ValidationError, match="reason"):
        contract_extend(contract=contract, user=manager, reason=" ")


# --- actions offered only when they apply -----------------------------------------


def test_close_approval_review_is_offered_only_when_a_review_is_open(manager, client_for):
    client = client_for(manager)
    quiet = ProviderFactory()
    under_review = ProviderFactory(approval_review_required=True, approval_review_reason="RI")
    quiet_page = client.get(reverse("admin:registers_provider_change", args=[quiet.pk]))
    assert "Close approval review" not in quiet_page.content.decode()
    assert "close-review" not in quiet_page.content.decode()
    open_page = client.get(reverse("admin:registers_provider_change", args=[under_review.pk]))
    assert "Close approval review" in open_page.content.decode()
    url = reverse("admin:registers_provider_close_review_page", args=[quiet.pk])
    assert client.get(url).status_code == 403


def test_extend_and_authorise_are_offered_only_when_they_apply(manager, support, client_for):
    client = client_for(manager)
    no_options = ContractFactory(extension_options=0)
    page = client.get(reverse("admin:registers_contract_change", args=[no_options.pk]))
    body = page.content.decode()
    assert "/extend/" not in body and "/authorise/" not in body
    spot = ContractFactory(
        procurement_route="spot_purchase", spot_justification="Need", spot_requested_by=support
    )
    body = client.get(reverse("admin:registers_contract_change", args=[spot.pk])).content.decode()
    assert "/authorise/" in body


# --- a provider page adds a setting -----------------------------------------------


def test_a_provider_page_adds_a_setting_with_the_provider_filled_in(support, client_for):
    client = client_for(support)
    provider = ProviderFactory(name="Hillside Care Ltd")
    page = client.get(reverse("admin:registers_provider_change", args=[provider.pk]))
    start = reverse("admin:registers_provider_add_setting", args=[provider.pk])
    assert start in page.content.decode()
    redirect = client.get(start)
    assert redirect.status_code == 302
    add = client.get(redirect["Location"])
    assert add.context["adminform"].form.initial["provider"] == str(provider.pk)


def test_who_may_not_add_settings_is_not_offered_it(auditor, client_for):
    provider = ProviderFactory()
    page = client_for(auditor).get(reverse("admin:registers_provider_change", args=[provider.pk]))
    assert "add-setting" not in page.content.decode()


# --- typed exports ----------------------------------------------------------------


def _export(client, file_format: str):
    return client.post(
        reverse("admin:registers_contract_export"), {"format": file_format, "resource": "0"}
    )


def test_xlsx_exports_hold_typed_dates_and_numbers(manager, client_for):
    ContractFactory(reference="C-X", start_date=date(2026, 4, 1), annual_value=Decimal("150000.50"))
    response = _export(client_for(manager), "1")
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[1]]
    row = sheet[2]
    start = row[headers.index("Start date")]
    assert isinstance(start.value, datetime) and start.value.date() == date(2026, 4, 1)
    assert start.number_format == "DD/MM/YYYY"
    annual = row[headers.index("Annual value (£)")]
    assert annual.value == 150000.5 and annual.number_format == "#,##0.00"


def test_ods_exports_hold_typed_dates_and_numbers(manager, client_for):
    ContractFactory(reference="C-O", start_date=date(2026, 4, 1))
    response = _export(client_for(manager), "2")
    content = zipfile.ZipFile(io.BytesIO(response.content)).read("content.xml").decode()
    assert 'office:value-type="date" office:date-value="2026-04-01"' in content
    assert 'office:value-type="float"' in content


def test_csv_exports_keep_dates_dd_mm_yyyy(manager, client_for):
    ContractFactory(reference="C-C", start_date=date(2026, 4, 1))
    text = _export(client_for(manager), "0").content.decode("utf-8-sig")
    assert "01/04/2026" in text and "2026-04-01" not in text


# --- the grant page finds a person by name ----------------------------------------


def test_the_grant_page_finds_a_person_by_name(manager, make_user, client_for):
    tom = make_user(roles.QA_OFFICER, username="qa2", first_name="Tom", last_name="Walsh")
    visit = VisitFactory()
    client = client_for(manager)
    url = reverse("admin:registers_visit_permissions", args=[visit.pk])
    page = client.get(url)
    field = page.context["user_form"].fields["user"]
    labels = [label for _, label in field.choices]
    assert "Tom Walsh" in labels and "qa2" not in labels
    assert str(manager) not in labels  # nobody grants to themselves
    response = client.post(url, {"user": tom.pk, "submit_manage_user": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"user-manage/{tom.pk}/")
