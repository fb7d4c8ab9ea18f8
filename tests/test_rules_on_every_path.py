"""Each rule gives the same answer on every path that can reach it.

A rule lives once, in its register's service; the admin's forms and action
pages, list editing, inlines, the spreadsheet import, the Ofsted import and
the daily job all reach it. These tests try each rule through each path.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from guardian.shortcuts import assign_perm

from registers.importing.specs.contracts import ContractSpec
from registers.importing.specs.inspections import InspectionSpec
from registers.importing.specs.ofsted import OfstedSpec
from registers.importing.specs.providers import ProviderSpec
from registers.importing.specs.visits import VisitSpec
from registers.models import Contract, Provider, Setting, Visit
from registers.services.imports import import_file
from registers.services.monitoring import monitoring_refresh
from tests.factories import (
    ComplianceDocumentFactory,
    ComplianceDocumentKindFactory,
    ContractFactory,
    InspectionFactory,
    ProviderFactory,
    SettingFactory,
    SpotFundFactory,
    VisitFactory,
    today,
)
from tests.helpers import change_form_data
from tests.ofsted_files import latest_layout_xlsx, latest_row
from tests.spreadsheets import csv_bytes

CONTRACT_HEADER = [
    "Reference",
    "Title",
    "Provider",
    "Procurement route",
    "Start date",
    "End date",
    "Contract manager",
]

pytestmark = pytest.mark.django_db


def spreadsheet(spec, rows, user, **kwargs):
    return import_file(spec=spec, data=csv_bytes(rows), file_name="f.csv", user=user, **kwargs)


def problems(result) -> list[str]:
    return [str(problem) for problem in result.problems]


# --- approval with compliance gaps --------------------------------------------------


class TestApprovalComplianceOverride:
    """Approving a provider whose settings' documents expired needs a manager's
    override with a reason, on the approval page and in an import alike."""

    def applicant_with_expired_gas(self):
        provider = ProviderFactory(company_number="01234567", approval_status="applicant")
        setting = SettingFactory(provider=provider, name="Oak House")
        ComplianceDocumentFactory(
            kind=ComplianceDocumentKindFactory(name="Gas safety certificate"),
            provider=None,
            setting=setting,
            issue_date=today() - timedelta(days=500),
            expiry_date=today() - timedelta(days=10),
        )
        return provider

    def test_the_approval_page_refuses_without_the_override_and_its_reason(
        self, manager, client_for
    ):
        provider = self.applicant_with_expired_gas()
        url = reverse("admin:registers_provider_approval_page", args=[provider.pk])
        client = client_for(manager)
        response = client.post(url, {"status": "approved", "reason": ""})
        assert response.status_code == 200
        assert "Gas safety certificate (Oak House) expired" in str(response.context["form"].errors)
        response = client.post(url, {"status": "approved", "override": "on", "override_reason": ""})
        assert "Give a reason for overriding" in str(response.context["form"].errors)
        provider.refresh_from_db()
        assert provider.approval_status == "applicant"
        response = client.post(
            url,
            {"status": "approved", "override": "on", "override_reason": "Renewal booked"},
        )
        assert response.status_code == 302
        provider.refresh_from_db()
        assert provider.approval_status == "approved"

    def test_an_import_row_cannot_approve_past_the_check(self, manager):
        provider = self.applicant_with_expired_gas()
        result = spreadsheet(
            ProviderSpec(),
            [["Companies House number", "Approval status"], ["01234567", "Approved"]],
            manager,
        )
        [problem] = problems(result)
        assert problem.startswith("Row 2, column 'Approval status':")
        assert "Gas safety certificate (Oak House) expired" in problem
        provider.refresh_from_db()
        assert provider.approval_status == "applicant"

    def test_the_providers_page_shows_its_compliance_at_a_glance(self, support, client_for):
        provider = self.applicant_with_expired_gas()
        response = client_for(support).get(
            reverse("admin:registers_provider_change", args=[provider.pk])
        )
        assert "Gas safety certificate (Oak House) expired" in response.content.decode()


# --- approval reasons ----------------------------------------------------------------


class TestApprovalReasons:
    """Approved with conditions, Suspended and Removed need a reason, and a new
    status never keeps the old one's."""

    @pytest.mark.parametrize("status", ["suspended", "removed", "approved_with_conditions"])
    def test_the_approval_page_refuses_a_status_without_a_reason(self, status, manager, client_for):
        provider = ProviderFactory(approval_status_reason="Passed due diligence")
        response = client_for(manager).post(
            reverse("admin:registers_provider_approval_page", args=[provider.pk]),
            {"status": status, "reason": ""},
        )
        assert response.status_code == 200  # the form again, not a server error
        assert "Give a reason for" in response.context["form"].errors["reason"][0]
        provider.refresh_from_db()
        assert provider.approval_status == "approved"

    @pytest.mark.parametrize("status", ["Suspended", "Removed", "Approved with conditions"])
    def test_an_import_row_is_refused_the_same_way_naming_row_and_column(self, status, manager):
        provider = ProviderFactory(
            company_number="01234567", approval_status_reason="Passed due diligence"
        )
        result = spreadsheet(
            ProviderSpec(),
            [["Companies House number", "Approval status"], ["01234567", status]],
            manager,
        )
        assert problems(result) == [
            f"Row 2, column 'Reason for status': Give a reason for '{status}'."
        ]
        provider.refresh_from_db()
        assert provider.approval_status == "approved"
        assert provider.approval_status_reason == "Passed due diligence"

    def test_an_import_row_with_a_reason_changes_the_status_and_records_it(self, manager):
        provider = ProviderFactory(company_number="01234567")
        result = spreadsheet(
            ProviderSpec(),
            [
                ["Companies House number", "Approval status", "Reason for status"],
                ["01234567", "Suspended", "Safeguarding enquiry"],
            ],
            manager,
        )
        assert result.written, problems(result)
        provider.refresh_from_db()
        assert (provider.approval_status, provider.approval_status_reason) == (
            "suspended",
            "Safeguarding enquiry",
        )
        assert provider.approval_status_changed_on == today()

    def test_the_old_reason_is_not_kept_when_the_file_repeats_it(self, manager):
        ProviderFactory(company_number="01234567", approval_status_reason="Passed due diligence")
        result = spreadsheet(
            ProviderSpec(),
            [
                ["Companies House number", "Approval status", "Reason for status"],
                ["01234567", "Removed", "Passed due diligence"],
            ],
            manager,
        )
        assert problems(result) == [
            "Row 2, column 'Reason for status': Give a reason for 'Removed'."
        ]

    def test_only_managers_change_approval_on_any_path(self, support, client_for):
        provider = ProviderFactory(company_number="01234567")
        page = reverse("admin:registers_provider_approval_page", args=[provider.pk])
        assert client_for(support).get(page).status_code == 403
        result = spreadsheet(
            ProviderSpec(),
            [
                ["Companies House number", "Approval status", "Reason for status"],
                ["01234567", "Removed", "Closed down"],
            ],
            support,
        )
        assert "Only managers may approve" in problems(result)[0]
        assert Provider.objects.get().approval_status == "approved"


# --- blank cells -------------------------------------------------------------------------


class TestBlankCells:
    def test_a_blank_cell_leaves_the_stored_value_and_the_preview_says_so(self, manager):
        provider = ProviderFactory(company_number="01234567", charity_number="1100017")
        result = spreadsheet(
            ProviderSpec(),
            [
                ["Companies House number", "Charity number", "Town"],
                ["01234567", "", "Preston"],
            ],
            manager,
            dry_run=True,
        )
        assert result.changes[0].kept == ["Charity number"]
        assert [f.column for f in result.changes[0].fields] == ["Town"]
        spreadsheet(
            ProviderSpec(),
            [["Companies House number", "Charity number", "Town"], ["01234567", "", "Preston"]],
            manager,
        )
        provider.refresh_from_db()
        assert (provider.charity_number, provider.town) == ("1100017", "Preston")

    def test_the_clear_marker_empties_a_stored_value(self, manager):
        provider = ProviderFactory(company_number="01234567", charity_number="1100017")
        result = spreadsheet(
            ProviderSpec(),
            [["Companies House number", "Charity number"], ["01234567", "[clear]"]],
            manager,
        )
        assert result.written, problems(result)
        provider.refresh_from_db()
        assert provider.charity_number == ""

    def test_a_required_value_cannot_be_cleared(self, manager):
        ProviderFactory(company_number="01234567", name="Acme Care Ltd")
        result = spreadsheet(
            ProviderSpec(), [["Companies House number", "Name"], ["01234567", "[clear]"]], manager
        )
        assert problems(result) == ["Row 2, column 'Name': cannot be cleared: Name is required"]

    def test_an_ofsted_file_leaves_blank_and_redacted_values_as_they_are(self, manager):
        setting = SettingFactory(urn="SC700001", name="Rose House", places=5)
        row = latest_row("SC700001", "", "Good", name="REDACTED")
        row[17] = ""  # places
        result = import_file(
            spec=OfstedSpec(), data=latest_layout_xlsx([row]), file_name="o.xlsx", user=manager
        )
        assert result.written, problems(result)
        setting.refresh_from_db()
        assert (setting.name, setting.places) == ("Rose House", 5)


# --- a record the importer may not change ----------------------------------------------


class TestHiddenRecords:
    def test_a_visit_id_the_importer_may_not_change_reads_as_no_such_visit(self, qa1, qa2):
        theirs = VisitFactory(lead_officer=qa2)
        header = ["Visit ID", "Planned date"]
        date = today().strftime("%d/%m/%Y")
        hidden = spreadsheet(VisitSpec(), [header, [str(theirs.pk), date]], qa1, dry_run=True)
        missing = spreadsheet(VisitSpec(), [header, ["999999", date]], qa1, dry_run=True)
        assert [p.message for p in hidden.problems] == [p.message for p in missing.problems]
        assert hidden.problems[0].message == "is not a visit you may change"

    def test_a_contract_reference_the_importer_may_not_change_reveals_nothing(
        self, make_user, manager
    ):
        importer = make_user(username="importer")
        for perm in ("import_contract", "add_contract", "view_contract", "view_provider"):
            assign_perm(f"registers.{perm}", importer)
        ProviderFactory(name="Acme Care Ltd")
        hidden = ContractFactory(reference="C-9", title="Secret placement at Rose House")
        result = spreadsheet(
            ContractSpec(),
            [
                [
                    "Reference",
                    "Title",
                    "Provider",
                    "Procurement route",
                    "Start date",
                    "End date",
                ],
                ["C-9", "Care", "Acme Care Ltd", "Open tender", "01/04/2026", "31/03/2027"],
            ],
            importer,
        )
        assert problems(result) == [
            "Row 2, column 'Reference': 'C-9' is not a contract you may change"
        ]
        assert hidden.title not in " ".join(problems(result))
        assert Contract.objects.get().title == "Secret placement at Rose House"


# --- who may lead a visit, who may manage a contract ----------------------------------------


class TestLeadOfficerEligibility:
    def test_the_form_refuses_a_lead_who_is_not_a_qa_officer_or_manager(
        self, manager, officer, client_for
    ):
        setting = SettingFactory()
        response = client_for(manager).post(
            reverse("admin:registers_visit_add"),
            {
                "setting": str(setting.pk),
                "planned_date": today().strftime("%d/%m/%Y"),
                "kind": "announced",
                "reason": "routine",
                "lead_officer": str(officer.pk),
                "status": "planned",
                "action_items-TOTAL_FORMS": "0",
                "action_items-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 200
        assert "lead_officer" in response.context["adminform"].form.errors
        assert not Visit.objects.exists()

    def test_the_import_refuses_the_same_lead(self, manager, officer):
        SettingFactory(urn="SC100001")
        result = spreadsheet(
            VisitSpec(),
            [
                ["Setting URN", "Planned date", "Lead officer"],
                ["SC100001", "01/12/2026", officer.username],
            ],
            manager,
        )
        assert problems(result) == [
            f"Row 2, column 'Lead officer': {officer} is not an active QA officer or manager."
        ]

    def test_a_qa_officer_may_not_hand_a_visit_to_a_colleague_on_any_path(
        self, qa1, qa2, client_for
    ):
        visit = VisitFactory(lead_officer=qa1)
        client = client_for(qa1)
        url = reverse("admin:registers_visit_change", args=[visit.pk])
        data = change_form_data(client.get(url))
        data["lead_officer"] = str(qa2.pk)
        response = client.post(url, data)
        assert response.status_code == 200
        assert Visit.objects.get().lead_officer == qa1
        result = spreadsheet(
            VisitSpec(),
            [["Visit ID", "Lead officer"], [str(visit.pk), qa2.username]],
            qa1,
        )
        assert "Only managers may assign a visit to another officer." in problems(result)[0]


class TestContractManagerEligibility:
    def test_the_form_offers_only_commissioning_officers_and_managers(
        self, manager, officer, qa1, client_for
    ):
        contract = ContractFactory()
        page = client_for(manager).get(
            reverse("admin:registers_contract_change", args=[contract.pk])
        )
        choices = page.context["adminform"].form.fields["contract_manager"].queryset
        assert officer in choices and manager in choices and qa1 not in choices

    def test_the_import_refuses_a_manager_who_is_not_eligible(self, manager, qa1):
        ProviderFactory(name="Acme Care Ltd")
        result = spreadsheet(
            ContractSpec(),
            [
                CONTRACT_HEADER,
                [
                    "C-1",
                    "Care",
                    "Acme Care Ltd",
                    "Open tender",
                    "01/04/2026",
                    "31/03/2027",
                    qa1.username,
                ],
            ],
            manager,
        )
        assert problems(result) == [
            f"Row 2, column 'Contract manager': {qa1} is not an active commissioning officer "
            "or manager."
        ]

    def test_a_contract_manager_cannot_hand_their_contract_on(self, officer, make_user):
        colleague = make_user("Commissioning officer", username="colleague")
        contract = ContractFactory(contract_manager=officer, reference="C-1")
        result = spreadsheet(
            ContractSpec(),
            [
                CONTRACT_HEADER,
                [
                    "C-1",
                    contract.title,
                    contract.provider.name,
                    "Open tender",
                    contract.start_date.strftime("%d/%m/%Y"),
                    contract.end_date.strftime("%d/%m/%Y"),
                    colleague.username,
                ],
            ],
            officer,
        )
        assert "Only managers and business support hand a contract" in " ".join(problems(result))


# --- the RI process: one trigger, emails after commit ----------------------------------


def ri_setting():
    provider = ProviderFactory(approval_status="approved")
    return SettingFactory(provider=provider, urn="SC700001")


def flagged(setting) -> bool:
    return Setting.objects.get(pk=setting.pk).enhanced_monitoring


class TestRiTrigger:
    def test_an_inspection_added_on_the_settings_page_flags_it_once(
        self, manager, client_for, django_capture_on_commit_callbacks
    ):
        setting = ri_setting()
        client = client_for(manager)
        url = reverse("admin:registers_setting_change", args=[setting.pk])
        data = change_form_data(client.get(url))
        data.update(
            {
                "inspections-TOTAL_FORMS": "2",
                "inspections-0-inspection_type": "full",
                "inspections-0-event_number": "1",
                "inspections-0-inspection_date": (today() - timedelta(days=9)).strftime("%d/%m/%Y"),
                "inspections-0-overall": "good",
                "inspections-1-inspection_type": "full",
                "inspections-1-event_number": "2",
                "inspections-1-inspection_date": (today() - timedelta(days=3)).strftime("%d/%m/%Y"),
                "inspections-1-overall": "inadequate",
            }
        )
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            assert client.post(url, data).status_code == 302
        assert flagged(setting)
        assert Visit.objects.filter(setting=setting, reason="risk").count() == 1
        assert len(callbacks) == 1 and len(mail.outbox) == 1  # one check, one digest

    def test_the_spreadsheet_import_triggers_it(self, manager, django_capture_on_commit_callbacks):
        setting = ri_setting()
        with django_capture_on_commit_callbacks(execute=True):
            result = spreadsheet(
                InspectionSpec(),
                [
                    ["URN", "Type", "Inspection date", "Overall judgement"],
                    [setting.urn, "Full", "01/10/2026", "Inadequate"],
                ],
                manager,
            )
        assert result.written and flagged(setting)
        assert result.follow_up and len(mail.outbox) == 1

    def test_the_ofsted_import_triggers_it(self, manager, django_capture_on_commit_callbacks):
        setting = ri_setting()
        with django_capture_on_commit_callbacks(execute=True):
            import_file(
                spec=OfstedSpec(),
                data=latest_layout_xlsx([latest_row(setting.urn, "", "Inadequate")]),
                file_name="o.xlsx",
                user=manager,
            )
        assert flagged(setting) and len(mail.outbox) == 1

    def test_approving_the_provider_triggers_it(
        self, manager, client_for, django_capture_on_commit_callbacks
    ):
        setting = SettingFactory(provider=ProviderFactory(approval_status="applicant"))
        InspectionFactory(setting=setting, overall="requires_improvement")
        with django_capture_on_commit_callbacks(execute=True):
            client_for(manager).post(
                reverse("admin:registers_provider_approval_page", args=[setting.provider.pk]),
                {"status": "approved", "reason": ""},
            )
        assert flagged(setting) and len(mail.outbox) == 1

    def test_a_new_contract_naming_the_setting_triggers_it(self, manager, client_for):
        setting = SettingFactory(provider=ProviderFactory(approval_status="applicant"))
        InspectionFactory(setting=setting, overall="inadequate")
        client = client_for(manager)
        add = client.get(reverse("admin:registers_contract_add"))
        data = change_form_data(add)
        data.update(
            {
                "reference": "C-77",
                "title": "Placement",
                # The provider is an applicant: contracting with it needs a reason.
                "change_reason": "Emergency placement",
                "provider": str(setting.provider.pk),
                "setting": str(setting.pk),
                "procurement_route": "block_contract",
                "start_date": (today() - timedelta(days=10)).strftime("%d/%m/%Y"),
                "end_date": (today() + timedelta(days=300)).strftime("%d/%m/%Y"),
                "notice_period_months": "3",
                "extension_options": "0",
                "extension_months": "0",
            }
        )
        response = client.post(reverse("admin:registers_contract_add"), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert flagged(setting)

    def test_the_daily_job_triggers_it(self, django_capture_on_commit_callbacks, manager):
        setting = ri_setting()
        InspectionFactory(setting=setting, overall="inadequate")
        with django_capture_on_commit_callbacks(execute=True):
            monitoring_refresh(user=None)
        assert flagged(setting) and len(mail.outbox) == 1

    def test_no_email_goes_for_a_change_that_rolls_back(
        self, manager, django_capture_on_commit_callbacks
    ):
        setting = ri_setting()
        InspectionFactory(setting=setting, overall="inadequate")
        with django_capture_on_commit_callbacks(execute=True):
            try:
                with transaction.atomic():
                    monitoring_refresh(user=manager)
                    raise RuntimeError("the request failed afterwards")
            except RuntimeError:
                pass
        assert not flagged(setting) and mail.outbox == []


# --- the two pages that gave a server error, and the roles that contradicted the design ----


class TestDecisionPages:
    def test_authorising_a_spot_purchase_without_a_justification_is_a_form_error(
        self, manager, support, client_for
    ):
        contract = ContractFactory(
            procurement_route="spot_purchase", spot_justification="", spot_requested_by=support
        )
        response = client_for(manager).post(
            reverse("admin:registers_contract_authorise_page", args=[contract.pk]),
            {"role": "head_of_service", "confirm": "on"},
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == [
            "Write why the framework could not meet the need first."
        ]
        contract.refresh_from_db()
        assert contract.spot_authorised_on is None

    def test_only_managers_decide_spot_fund_applications(self, support, officer, client_for):
        application = SpotFundFactory(applicant=officer)
        page = reverse("admin:registers_spotfundapplication_decide_page", args=[application.pk])
        assert client_for(support).post(page, {"decision": "approve"}).status_code == 403
        application.refresh_from_db()
        assert application.status == "submitted"

    @pytest.mark.parametrize("role", ["qa1", "support", "officer"])
    def test_every_role_that_sees_a_setting_may_raise_a_concern(self, role, request, client_for):
        user = request.getfixturevalue(role)
        setting = SettingFactory()
        response = client_for(user).post(
            reverse("admin:registers_concern_add"),
            {
                "setting": str(setting.pk),
                "raised_on": today().strftime("%d/%m/%Y"),
                "category": "quality",
                "description": "Staff rota left gaps at night.",
            },
        )
        assert response.status_code == 302
        concern = setting.concerns.get()
        assert (concern.raised_by, concern.stage) == (user, 1)

    def test_the_auditor_may_not_raise_one(self, auditor, client_for):
        assert client_for(auditor).get(reverse("admin:registers_concern_add")).status_code == 403
