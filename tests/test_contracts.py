"""The contracts register: derived status, recommissioning, extensions, uplifts,
quarterly monitoring, lot admission, spot purchases, the Transparency Code."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from registers.dates import add_months
from registers.models import Contract, ContractVariation, FrameworkKind, SpotFundApplication
from registers.selectors.contracts import contract_status, missing_review_q, with_status
from registers.services.contract_records import (
    contract_variation_record,
    contract_variations_apply_due,
    variation_value,
)
from registers.services.contracts import contract_authorise_spot, contract_extend, contracts_check
from registers.services.recording import check_one
from registers.services.spot_funds import spot_fund_record_outcomes, spot_funds_check
from registers.services.transparency import (
    HEADERS,
    transparency_csv_write,
    transparency_missing_fields,
)
from tests.factories import (
    ContractFactory,
    ContractReviewFactory,
    FrameworkFactory,
    LotFactory,
    ProviderFactory,
    SpotFundFactory,
    today,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 22)


def status_on(contract, day=TODAY) -> str:
    return contract_status(contract=contract, today=day)


class TestDerivedStatus:
    def test_status_follows_the_dates(self):
        cases = {
            "not_started": ContractFactory(start_date=date(2027, 1, 1), end_date=date(2029, 1, 1)),
            "active": ContractFactory(start_date=date(2026, 1, 1), end_date=date(2029, 1, 1)),
            "expiring": ContractFactory(
                start_date=date(2025, 1, 1), end_date=date(2027, 6, 30), notice_period_months=3
            ),
            "expired": ContractFactory(start_date=date(2024, 1, 1), end_date=date(2026, 11, 21)),
            "terminated": ContractFactory(
                start_date=date(2025, 1, 1),
                end_date=date(2029, 1, 1),
                terminated_on=date(2026, 10, 1),
                termination_reason="Provider closed",
            ),
            "awaiting_authorisation": ContractFactory(procurement_route="spot_purchase"),
        }
        extended = ContractFactory(start_date=date(2025, 1, 1), end_date=date(2029, 1, 1))
        Contract.objects.filter(pk=extended.pk).update(extensions_used=1)
        cases["extended"] = extended
        assert {name: status_on(c) for name, c in cases.items()} == {n: n for n in cases}

    def test_expiring_starts_at_end_minus_notice_and_lead_time(self):
        contract = ContractFactory(
            start_date=date(2025, 1, 1),
            end_date=date(2028, 3, 31),
            notice_period_months=3,
            recommissioning_lead_months=9,
        )
        threshold = add_months(date(2028, 3, 31), -12)
        assert status_on(contract, threshold - timedelta(days=1)) == "active"
        assert status_on(contract, threshold) == "expiring"

    def test_status_is_never_typed(self):
        assert "status" not in [f.name for f in Contract._meta.get_fields()]


class TestRecommissioning:
    def test_decision_due_is_end_minus_nine_months_by_default(self):
        contract = ContractFactory(end_date=date(2028, 3, 31))
        annotated = with_status(Contract.objects.filter(pk=contract.pk)).get()
        assert annotated.decision_due_date == date(2027, 6, 30)

    def test_lead_time_can_be_set_per_contract(self):
        contract = ContractFactory(end_date=date(2028, 3, 31), recommissioning_lead_months=18)
        annotated = with_status(Contract.objects.filter(pk=contract.pk)).get()
        assert annotated.decision_due_date == date(2026, 9, 30)

    def test_decisions_due_list(self, officer, client_for):
        due = ContractFactory(reference="DUE", end_date=today() + timedelta(days=250))
        ContractFactory(reference="LATER", end_date=today() + timedelta(days=1000))
        page = client_for(officer).get(
            reverse("admin:registers_contract_changelist"), {"decision": "due"}
        )
        assert [c.pk for c in page.context["cl"].result_list] == [due.pk]

    @pytest.mark.parametrize("months", [3, 6, 9, 12])
    def test_expiring_in_n_months_views(self, months, officer, client_for):
        inside = ContractFactory(end_date=add_months(today(), months) - timedelta(days=1))
        ContractFactory(end_date=add_months(today(), months) + timedelta(days=2))
        page = client_for(officer).get(
            reverse("admin:registers_contract_changelist"), {"expiring": str(months)}
        )
        assert inside.pk in [c.pk for c in page.context["cl"].result_list]
        assert len(page.context["cl"].result_list) == 1


class TestExtensions:
    def test_extend_uses_an_option_and_records_it(self, manager):
        contract = ContractFactory(
            end_date=date(2027, 3, 31), extension_options=1, extension_months=12
        )
        contract_extend(contract=contract, user=manager, reason="Good value", today=TODAY)
        contract.refresh_from_db()
        assert (contract.end_date, contract.extensions_used) == (date(2028, 3, 31), 1)
        assert contract.history.first().history_change_reason == (
            "Extension 1 of 1 used: end date moved from 31/03/2027 to 31/03/2028. "
            "Reason: Good value"
        )

    def test_extend_is_refused_when_no_option_is_left(self, manager):
        contract = ContractFactory(
            end_date=date(2027, 3, 31), extension_options=1, extension_months=12
        )
        contract_extend(contract=contract, user=manager, reason="Good value", today=TODAY)
        with pytest.raises(ValidationError, match="no extension option left"):
            contract_extend(contract=contract, user=manager, reason="Good value", today=TODAY)

    def test_options_need_a_length(self, manager):
        contract = ContractFactory.build(provider=ProviderFactory(), extension_options=2)
        with pytest.raises(ValidationError) as caught:
            check_one(contract, check=contracts_check, user=manager)
        assert "extension_months" in caught.value.message_dict


class TestVariations:
    @pytest.mark.parametrize(
        ("current", "percentage", "expected"),
        [
            ("48000.00", "3.5", "49680.00"),
            ("10000.00", "2.125", "10212.50"),
            ("333.33", "1.5", "338.33"),
            ("100.00", "-2", "98.00"),
        ],
    )
    def test_uplift_arithmetic_rounds_to_the_penny(self, current, percentage, expected):
        value = variation_value(
            current=Decimal(current), kind="uplift", percentage=Decimal(percentage)
        )
        assert value == Decimal(expected)

    def test_a_variation_in_effect_moves_the_value_and_history_keeps_the_old(self, manager):
        contract = ContractFactory(annual_value=Decimal("48000.00"))
        contract_variation_record(
            variation=ContractVariation(
                contract=contract,
                kind="uplift",
                effective_date=TODAY,
                percentage=Decimal("3.5"),
                reason="Annual uplift",
                approved_by="Head of Service",
            ),
            user=manager,
            today=TODAY,
        )
        contract.refresh_from_db()
        assert contract.annual_value == Decimal("49680.00")
        values = list(contract.history.values_list("annual_value", flat=True))
        assert values[:2] == [Decimal("49680.00"), Decimal("48000.00")]

    def test_a_future_variation_waits_for_its_date(self, manager):
        contract = ContractFactory(annual_value=Decimal("1000.00"))
        contract_variation_record(
            variation=ContractVariation(
                contract=contract,
                kind="new_rate",
                effective_date=date(2027, 4, 1),
                new_annual_value=Decimal("1200"),
                reason="New rate",
                approved_by="Director",
            ),
            user=manager,
            today=TODAY,
        )
        assert Contract.objects.get(pk=contract.pk).annual_value == Decimal("1000.00")
        assert contract_variations_apply_due(user=None, today=date(2027, 4, 1)) == 1
        assert Contract.objects.get(pk=contract.pk).annual_value == Decimal("1200.00")
        assert contract_variations_apply_due(user=None, today=date(2027, 4, 2)) == 0


class TestQuarterlyMonitoring:
    def test_a_live_contract_without_last_quarters_review_is_flagged(self):
        # Financial quarters (REPORTING_QUARTERS): 2026Q2 is July to September 2026.
        reviewed = ContractFactory(start_date=date(2025, 1, 1))
        ContractReviewFactory(contract=reviewed, year=2026, quarter=2)
        missing = ContractFactory(start_date=date(2025, 1, 1))
        ContractReviewFactory(contract=missing, year=2026, quarter=1)
        flagged = Contract.objects.filter(missing_review_q(today=TODAY))
        assert list(flagged) == [missing]

    def test_the_contracts_list_filters_and_flags_a_missing_review(self, officer, client_for):
        from registers.dates import last_completed_quarter

        year, quarter = last_completed_quarter(today())
        reviewed = ContractFactory(reference="REVIEWED")
        ContractReviewFactory(contract=reviewed, year=year, quarter=quarter)
        missing = ContractFactory(reference="MISSING")
        ContractFactory(reference="ENDED", start_date=date(2020, 1, 1), end_date=date(2021, 1, 1))
        page = client_for(officer).get(
            reverse("admin:registers_contract_changelist"), {"review": "missing"}
        )
        assert [c.pk for c in page.context["cl"].result_list] == [missing.pk]
        assert b"Review missing" in page.content

    def test_one_review_per_contract_per_quarter(self):
        from django.db import IntegrityError

        review = ContractReviewFactory(year=2026, quarter=3)
        with pytest.raises(IntegrityError):
            ContractReviewFactory(contract=review.contract, year=2026, quarter=3)


class TestLots:
    def test_a_call_off_provider_must_be_admitted_to_the_lot(self, manager):
        lot = LotFactory(framework=FrameworkFactory(kind=FrameworkKind.FPS))
        provider = ProviderFactory(name="Outsider Ltd")
        contract = ContractFactory.build(
            provider=provider, procurement_route="fps_call_off", lot=lot
        )
        with pytest.raises(ValidationError) as caught:
            check_one(contract, check=contracts_check, user=manager)
        assert caught.value.message_dict["provider"][0].startswith(
            "Outsider Ltd is not admitted to"
        )
        lot.providers.add(provider)
        check_one(contract, check=contracts_check, user=manager)

    def test_the_lot_must_belong_to_the_routes_kind(self, manager):
        lot = LotFactory(framework=FrameworkFactory(kind=FrameworkKind.DPS))
        contract = ContractFactory.build(
            provider=ProviderFactory(), lot=lot, procurement_route="framework_call_off"
        )
        with pytest.raises(ValidationError) as caught:
            check_one(contract, check=contracts_check, user=manager)
        assert "dynamic purchasing system" in caught.value.message_dict["lot"][0]

    def test_a_call_off_names_its_lot(self, manager):
        contract = ContractFactory.build(
            provider=ProviderFactory(), procurement_route="dps_call_off"
        )
        with pytest.raises(ValidationError) as caught:
            check_one(contract, check=contracts_check, user=manager)
        assert caught.value.message_dict["lot"] == [
            "A call-off names the framework lot it is called off from."
        ]

    def test_saving_through_the_admin_shows_the_message(self, support, client_for):
        from tests.helpers import change_form_data

        lot = LotFactory()
        contract = ContractFactory()
        client = client_for(support)
        url = reverse("admin:registers_contract_change", args=[contract.pk])
        data = change_form_data(client.get(url))
        data.update({"procurement_route": "framework_call_off", "lot": str(lot.pk)})
        response = client.post(url, data)
        assert response.status_code == 200
        assert "is not admitted to" in response.content.decode()


class TestSpotPurchases:
    def spot(self, requester, justification="No framework provider could take the child."):
        return ContractFactory(
            procurement_route="spot_purchase",
            spot_justification=justification,
            spot_requested_by=requester,
        )

    def test_not_active_until_authorised_in_writing(self, support, manager):
        contract = self.spot(support)
        assert status_on(contract, today()) == "awaiting_authorisation"
        contract_authorise_spot(contract=contract, user=manager, role="head_of_service")
        assert status_on(contract, today()) == "active"
        contract.refresh_from_db()
        assert (contract.spot_authorised_by, contract.spot_authoriser_role) == (
            manager,
            "head_of_service",
        )

    def test_needs_a_written_justification(self, support, manager):
        contract = self.spot(support, justification="")
        with pytest.raises(ValidationError):
            contract_authorise_spot(contract=contract, user=manager, role="director")

    def test_only_a_head_of_service_or_director_authorises(self, support, officer):
        contract = self.spot(support)
        with pytest.raises(PermissionDenied):
            contract_authorise_spot(contract=contract, user=officer, role="director")

    def test_never_their_own_request(self, manager):
        contract = self.spot(manager)
        with pytest.raises(PermissionDenied, match="someone else must authorise"):
            contract_authorise_spot(contract=contract, user=manager, role="director")

    def test_the_admin_records_the_requester(self, support, client_for):
        provider = ProviderFactory()
        response = client_for(support).post(
            reverse("admin:registers_contract_add"),
            {
                "reference": "SP-1",
                "title": "Spot placement",
                "provider": str(provider.pk),
                "procurement_route": "spot_purchase",
                "start_date": "01/12/2026",
                "end_date": "31/05/2027",
                "notice_period_months": "1",
                "extension_options": "0",
                "extension_months": "0",
                "spot_justification": "Urgent: no framework capacity.",
                **{
                    f"{p}-{k}": "0"
                    for p in ("variations", "reviews", "documents")
                    for k in ("TOTAL_FORMS", "INITIAL_FORMS")
                },
            },
        )
        assert response.status_code == 302, response.context["errors"]
        assert Contract.objects.get(reference="SP-1").spot_requested_by == support


class TestSpotFund:
    def test_child_cap_is_cumulative_within_the_financial_year(self, settings, manager):
        SpotFundFactory(case_id="LAN-1", amount=Decimal("2000"), applied_on=date(2026, 5, 1))
        second = SpotFundFactory.build(
            case_id="LAN-1", amount=Decimal("600"), applied_on=date(2026, 9, 1)
        )
        with pytest.raises(ValidationError) as caught:
            check_one(second, check=spot_funds_check, user=manager)
        assert caught.value.message_dict["amount"] == [
            "A child and family is capped at £2,500 a financial year: case LAN-1 has "
            "£2,000.00 already, so £500.00 is left."
        ]
        next_year = SpotFundFactory.build(
            case_id="LAN-1", amount=Decimal("600"), applied_on=date(2027, 4, 1)
        )
        check_one(next_year, check=spot_funds_check, user=manager)

    def test_group_cap(self, manager):
        application = SpotFundFactory.build(
            kind="group",
            case_id="",
            child_initials="",
            group_description="Young parents",
            amount=Decimal("4950.01"),
        )
        with pytest.raises(ValidationError) as caught:
            check_one(application, check=spot_funds_check, user=manager)
        assert caught.value.message_dict["amount"] == ["A group application is capped at £4,950."]

    def test_caps_are_configurable(self, settings, manager):
        settings.SPOT_FUND_CAP_CHILD = 1000
        with pytest.raises(ValidationError, match="£1,000"):
            application = SpotFundFactory.build(amount=Decimal("1001"))
            check_one(application, check=spot_funds_check, user=manager)

    def test_outcomes_complete_an_approved_application(self, manager):
        application = SpotFundFactory(status="approved")
        spot_fund_record_outcomes(
            application=application, user=manager, outcomes_achieved="Attended every session"
        )
        assert SpotFundApplication.objects.get().status == "completed"


class TestTransparency:
    def test_publishable_check_lists_missing_fields(self):
        provider = ProviderFactory(company_number="", charity_number="", is_sme=None)
        contract = ContractFactory(
            provider=provider,
            description="",
            review_date=None,
            vat_not_recoverable=None,
            total_value=Decimal("6000"),
        )
        assert transparency_missing_fields(contract=contract) == [
            "Description",
            "Supplier registration number",
            "Review date",
            "VAT that cannot be recovered",
            "SME status",
        ]

    def test_small_contracts_are_not_checked(self):
        contract = ContractFactory(
            description="", total_value=Decimal("5000"), annual_value=Decimal("5000")
        )
        assert transparency_missing_fields(contract=contract) == []

    def test_export_has_a_row_per_contract_over_5000_live_in_the_quarter(self):
        provider = ProviderFactory(name="=Acme Ltd", is_vcse=True)
        live = ContractFactory(
            reference="IN",
            provider=provider,
            start_date=date(2026, 8, 1),
            end_date=date(2028, 1, 1),
            total_value=Decimal("90000"),
            review_date=date(2027, 2, 1),
        )
        ContractFactory(
            reference="SMALL",
            start_date=date(2026, 1, 1),
            total_value=Decimal("4000"),
            annual_value=Decimal("4000"),
        )
        ContractFactory(reference="ENDED", start_date=date(2025, 1, 1), end_date=date(2026, 6, 30))
        ContractFactory(reference="LATER", start_date=date(2026, 10, 1), end_date=date(2028, 1, 1))
        ContractFactory(
            reference="SPOT", procurement_route="spot_purchase", start_date=date(2026, 1, 1)
        )
        out = StringIO()
        # Financial 2026Q2: July to September 2026.
        assert transparency_csv_write(year=2026, quarter=2, stream=out) == 1
        rows = list(csv.reader(io.StringIO(out.getvalue())))
        assert rows[0] == HEADERS
        row = dict(zip(HEADERS, rows[1], strict=True))
        assert row["Reference"] == live.reference
        assert row["Supplier name"] == "'=Acme Ltd"
        assert (row["Start date"], row["End date"], row["Review date"]) == (
            "01/08/2026",
            "01/01/2028",
            "01/02/2027",
        )
        assert (row["Total value (£)"], row["VCSE"], row["SME"]) == ("90000.00", "Yes", "Yes")
        assert row["Procurement process"] == "Open tender"

    @pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r", "\0"])
    def test_every_formula_prefix_is_escaped(self, prefix):
        from registers.importing.safety import escape_formula

        assert escape_formula(f"{prefix}SUM(A1)") == f"'{prefix}SUM(A1)"
        assert escape_formula("Plain text") == "Plain text"
        assert escape_formula(-5) == -5

    # PostgreSQL cannot store NUL, and forms and imports refuse it, so it is
    # tested above rather than through the database.
    @pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
    def test_export_escapes_formula_prefixes(self, prefix):
        ContractFactory(title=f"{prefix}HYPERLINK()", start_date=date(2026, 7, 1))
        out = StringIO()
        transparency_csv_write(year=2026, quarter=2, stream=out)
        title = list(csv.reader(io.StringIO(out.getvalue())))[1][1]
        assert title == f"'{prefix}HYPERLINK()"

    def test_command_writes_the_quarter_to_stdout(self):
        ContractFactory(reference="Q3", start_date=date(2026, 7, 1))
        out = StringIO()
        call_command("transparency_export", "--quarter", "2026Q2", stdout=out)
        assert out.getvalue().splitlines()[1].startswith("Q3,")

    def test_command_refuses_a_bad_quarter(self):
        from django.core.management import CommandError

        with pytest.raises(CommandError, match="write it as 2026Q3"):
            call_command("transparency_export", "--quarter", "2026-3")

    def test_download_from_the_contracts_list(self, manager, client_for):
        ContractFactory(reference="Q3", start_date=date(2026, 7, 1))
        response = client_for(manager).get(
            reverse("admin:registers_contract_transparency"), {"quarter": "2026Q3"}
        )
        assert response["Content-Disposition"].endswith('2026Q3.csv"')
        assert b"Q3," in response.content
