"""Compliance documents: expiry defaults, the lists, the approval override and
the daily digest to each authority."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from registers import roles
from registers.models import ApprovalStatus, ComplianceDocument, ReminderLog
from registers.selectors.compliance import (
    expired_documents,
    expiring_documents,
    provider_compliance_gaps,
    settings_missing_documents,
)
from registers.services.compliance import compliance_digest_send, compliance_document_save
from registers.services.daily import daily_jobs_run
from registers.services.providers import provider_change_approval
from tests.factories import (
    AuthorityFactory,
    ComplianceDocumentFactory,
    ComplianceDocumentKindFactory,
    ProviderFactory,
    SettingFactory,
    home_authority,
    today,
)

pytestmark = pytest.mark.django_db


def kind(name="Gas safety certificate", months=12, required=False):
    made = ComplianceDocumentKindFactory(name=name, default_validity_months=months)
    made.required_for_settings_in_use = required
    made.save()
    return made


class TestExpiryDefaults:
    @pytest.mark.parametrize(
        ("name", "months", "issued", "expires"),
        [
            ("Gas safety certificate", 12, date(2026, 3, 14), date(2027, 3, 14)),
            ("Electrical installation condition report", 60, date(2024, 2, 29), date(2029, 2, 28)),
            ("Annual accounts", 12, date(2025, 7, 31), date(2026, 7, 31)),
        ],
    )
    def test_a_blank_expiry_takes_the_kinds_validity_from_the_issue_date(
        self, support, name, months, issued, expires
    ):
        provider = ProviderFactory()
        document = compliance_document_save(
            document=ComplianceDocument(
                kind=kind(name, months), provider=provider, issue_date=issued
            ),
            user=support,
        )
        assert ComplianceDocument.objects.get(pk=document.pk).expiry_date == expires

    def test_the_kinds_seeded_by_the_migration_carry_the_issues_defaults(self):
        from registers.models import ComplianceDocumentKind

        months = dict(ComplianceDocumentKind.objects.values_list("name", "default_validity_months"))
        assert months["Gas safety certificate"] == 12
        assert months["Electrical installation condition report"] == 60
        assert months["Annual accounts"] == 12
        assert "Employer's liability insurance" in months

    def test_a_given_expiry_is_kept(self, support):
        document = compliance_document_save(
            document=ComplianceDocument(
                kind=kind(),
                provider=ProviderFactory(),
                issue_date=date(2026, 1, 1),
                expiry_date=date(2026, 6, 30),
            ),
            user=support,
        )
        assert document.expiry_date == date(2026, 6, 30)

    def test_a_kind_without_validity_and_no_date_never_expires(self, support):
        document = compliance_document_save(
            document=ComplianceDocument(
                kind=kind("Registration certificate", None),
                provider=ProviderFactory(),
                issue_date=date(2020, 1, 1),
            ),
            user=support,
        )
        assert document.expiry_date is None

    def test_expiry_before_issue_is_refused_and_nothing_saved(self, support):
        with pytest.raises(ValidationError) as refused:
            compliance_document_save(
                document=ComplianceDocument(
                    kind=kind(),
                    provider=ProviderFactory(),
                    issue_date=date(2026, 5, 1),
                    expiry_date=date(2026, 4, 1),
                ),
                user=support,
            )
        assert "expiry_date" in refused.value.message_dict
        assert not ComplianceDocument.objects.exists()

    def test_a_document_names_a_provider_or_a_setting_not_both(self, support):
        setting = SettingFactory()
        with pytest.raises(ValidationError):
            compliance_document_save(
                document=ComplianceDocument(
                    kind=kind(), provider=setting.provider, setting=setting
                ),
                user=support,
            )
        with pytest.raises(ValidationError):
            compliance_document_save(document=ComplianceDocument(kind=kind()), user=support)

    def test_recording_a_check_date_records_who_checked(self, support):
        document = compliance_document_save(
            document=ComplianceDocument(kind=kind(), provider=ProviderFactory()), user=support
        )
        assert document.checked_by is None
        document.checked_on = today()
        compliance_document_save(document=document, user=support)
        assert ComplianceDocument.objects.get(pk=document.pk).checked_by == support

    @pytest.mark.parametrize(
        "role", [roles.QA_OFFICER, roles.COMMISSIONING_OFFICER, roles.AUDITOR, None]
    )
    def test_only_business_support_and_managers_keep_documents(self, make_user, role):
        with pytest.raises(ValidationError, match="may not add compliance documents"):
            compliance_document_save(
                document=ComplianceDocument(kind=kind(), provider=ProviderFactory()),
                user=make_user(role),
            )

    def test_every_change_leaves_history_with_who_and_why(self, support):
        document = compliance_document_save(
            document=ComplianceDocument(kind=kind(), provider=ProviderFactory()),
            user=support,
            reason="Certificate received by email",
        )
        entry = document.history.get()
        assert (entry.history_user, entry.history_change_reason) == (
            support,
            "Certificate received by email",
        )


class TestLists:
    def test_expiring_within_30_60_90_days_and_expired(self):
        now = today()
        soon = ComplianceDocumentFactory(expiry_date=now + timedelta(days=10))
        later = ComplianceDocumentFactory(expiry_date=now + timedelta(days=50))
        latest = ComplianceDocumentFactory(expiry_date=now + timedelta(days=80))
        far = ComplianceDocumentFactory(expiry_date=now + timedelta(days=200))
        gone = ComplianceDocumentFactory(
            issue_date=now - timedelta(days=400), expiry_date=now - timedelta(days=1)
        )
        assert set(expiring_documents(today=now, within_days=30)) == {soon}
        assert set(expiring_documents(today=now, within_days=60)) == {soon, later}
        assert set(expiring_documents(today=now, within_days=90)) == {soon, later, latest}
        assert set(expired_documents(today=now)) == {gone}
        assert far not in expiring_documents(today=now, within_days=90)

    def test_a_renewed_document_ends_the_old_ones_warnings(self):
        now = today()
        old = ComplianceDocumentFactory(
            issue_date=now - timedelta(days=400), expiry_date=now - timedelta(days=5)
        )
        setting_old = ComplianceDocumentFactory(
            provider=None,
            setting=SettingFactory(),
            issue_date=now - timedelta(days=360),
            expiry_date=now + timedelta(days=5),
        )
        assert set(expired_documents(today=now)) == {old}
        assert set(expiring_documents(today=now, within_days=30)) == {setting_old}
        ComplianceDocumentFactory(
            kind=old.kind, provider=old.provider, expiry_date=now + timedelta(days=300)
        )
        ComplianceDocumentFactory(
            kind=setting_old.kind,
            provider=None,
            setting=setting_old.setting,
            expiry_date=now + timedelta(days=365),
        )
        assert not expired_documents(today=now).exists()
        assert not expiring_documents(today=now, within_days=30).exists()

    def test_missing_for_settings_in_use(self):
        gas = kind("Gas safety certificate", required=True)
        insurance = kind("Public liability insurance", required=True)
        kind("Fire risk assessment", required=False)
        covered = SettingFactory()
        ComplianceDocumentFactory(kind=gas, provider=None, setting=covered)
        ComplianceDocumentFactory(kind=insurance, provider=covered.provider)  # the provider's
        lacking = SettingFactory()
        ComplianceDocumentFactory(
            kind=gas,
            provider=None,
            setting=lacking,
            issue_date=today() - timedelta(days=500),
            expiry_date=today() - timedelta(days=1),
        )
        not_in_use = SettingFactory(
            provider=ProviderFactory(approval_status=ApprovalStatus.APPLICANT)
        )
        rows = {row.setting: row.kind_names for row in settings_missing_documents(today=today())}
        assert rows == {lacking: "Gas safety certificate, Public liability insurance"}
        assert not_in_use not in rows


class TestApprovalOverride:
    def applicant_with_gap(self, *, expired=False):
        provider = ProviderFactory(approval_status=ApprovalStatus.APPLICANT)
        setting = SettingFactory(provider=provider, name="Oak House")
        if expired:
            ComplianceDocumentFactory(
                kind=kind("Gas safety certificate"),
                provider=None,
                setting=setting,
                issue_date=date(2024, 1, 1),
                expiry_date=date(2025, 1, 1),
            )
        else:
            kind("Public liability insurance", required=True)
        return provider

    @pytest.mark.parametrize("expired", [True, False], ids=["expired", "missing"])
    def test_approving_with_a_gap_is_refused_without_an_override(self, manager, expired):
        provider = self.applicant_with_gap(expired=expired)
        with pytest.raises(ValidationError) as refused:
            provider_change_approval(provider=provider, user=manager, status="approved")
        message = " ".join(refused.value.message_dict["approval_status"])
        assert ("expired" if expired else "missing") in message
        assert "Oak House" in message
        provider.refresh_from_db()
        assert provider.approval_status == ApprovalStatus.APPLICANT

    def test_an_override_without_a_reason_is_refused(self, manager):
        provider = self.applicant_with_gap()
        with pytest.raises(ValidationError) as refused:
            provider_change_approval(
                provider=provider, user=manager, status="approved", override_reason="  "
            )
        assert "override" in refused.value.message_dict
        provider.refresh_from_db()
        assert provider.approval_status == ApprovalStatus.APPLICANT

    def test_a_managers_override_with_a_reason_approves_and_is_in_the_history(self, manager):
        provider = self.applicant_with_gap()
        provider_change_approval(
            provider=provider,
            user=manager,
            status="approved_with_conditions",
            reason="Insurance renewal due",
            override_reason="Broker confirmed cover by email; certificate to follow",
        )
        provider.refresh_from_db()
        assert provider.approval_status == ApprovalStatus.APPROVED_WITH_CONDITIONS
        reason = provider.history.latest().history_change_reason
        assert "Broker confirmed cover" in reason

    def test_a_provider_with_current_documents_needs_no_override(self, manager):
        provider = self.applicant_with_gap()
        ComplianceDocumentFactory(kind=kind("Public liability insurance"), provider=provider)
        provider_change_approval(provider=provider, user=manager, status="approved")
        assert provider.approval_status == ApprovalStatus.APPROVED

    def test_suspending_needs_no_override(self, manager):
        provider = self.applicant_with_gap()
        provider_change_approval(provider=provider, user=manager, status="suspended", reason="x")
        assert provider.approval_status == ApprovalStatus.SUSPENDED

    def test_the_gaps_of_many_providers_cost_three_queries(self, django_assert_num_queries):
        providers = [self.applicant_with_gap(expired=True) for _ in range(5)]
        kind("Public liability insurance", required=True)
        with django_assert_num_queries(3):  # settings, required kinds, documents
            gaps = provider_compliance_gaps([p.pk for p in providers], today=today())
        assert all(gaps[p.pk].expired and gaps[p.pk].missing for p in providers)


class TestDigest:
    def test_one_digest_per_authority_to_its_support_and_managers_after_commit(
        self, make_user, django_capture_on_commit_callbacks
    ):
        ours = home_authority()
        theirs = AuthorityFactory(name="Knowsley")
        our_manager = make_user(roles.MANAGER)
        our_support = make_user(roles.BUSINESS_SUPPORT)
        make_user(roles.QA_OFFICER)  # not a recipient
        their_manager = make_user(roles.MANAGER)
        ours.members.add(our_manager, our_support)
        theirs.members.add(their_manager)
        ComplianceDocumentFactory(
            kind=kind("Employer's liability insurance"),
            provider=ProviderFactory(name="Acorn Care Ltd"),
            expiry_date=today() + timedelta(days=12),
        )
        ComplianceDocumentFactory(expiry_date=today() + timedelta(days=200))  # not yet
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert compliance_digest_send(today=today()) == 2
        assert mail.outbox == []  # nothing before the commit
        for callback in callbacks:
            callback()
        by_recipients = {tuple(m.to): m for m in mail.outbox}
        assert set(by_recipients) == {
            tuple(sorted([our_manager.email, our_support.email])),
            (their_manager.email,),
        }
        body = by_recipients[(their_manager.email,)].body
        assert "Acorn Care Ltd" in body and "Employer's liability insurance" in body
        assert (today() + timedelta(days=12)).strftime("%d/%m/%Y") in body

    def test_a_second_run_the_same_day_sends_nothing(
        self, make_user, django_capture_on_commit_callbacks
    ):
        home_authority().members.add(make_user(roles.MANAGER))
        ComplianceDocumentFactory(expiry_date=today() + timedelta(days=3))
        with django_capture_on_commit_callbacks(execute=True):
            compliance_digest_send(today=today())
        with django_capture_on_commit_callbacks(execute=True):
            assert compliance_digest_send(today=today()) == 0
        assert len(mail.outbox) == 1
        assert ReminderLog.objects.filter(kind__startswith="compliance-digest").count() == 1

    def test_nothing_expiring_sends_nothing(self, make_user, django_capture_on_commit_callbacks):
        home_authority().members.add(make_user(roles.MANAGER))
        with django_capture_on_commit_callbacks(execute=True):
            assert compliance_digest_send(today=today()) == 0
        assert mail.outbox == []

    def test_on_a_single_council_install_everyone_in_the_roles_hears(
        self, make_user, django_capture_on_commit_callbacks
    ):
        support = make_user(roles.BUSINESS_SUPPORT)  # not listed as a member
        ComplianceDocumentFactory(expiry_date=today() + timedelta(days=3))
        with django_capture_on_commit_callbacks(execute=True):
            assert compliance_digest_send(today=today()) == 1
        assert mail.outbox[0].to == [support.email]

    def test_the_daily_job_sends_it(self, make_user, django_capture_on_commit_callbacks):
        home_authority().members.add(make_user(roles.BUSINESS_SUPPORT))
        ComplianceDocumentFactory(expiry_date=today() + timedelta(days=3))
        with django_capture_on_commit_callbacks(execute=True):
            report = daily_jobs_run(today=today())
        # The documents reach them in their daily digest (issue 15), which takes the
        # compliance digest's place for whoever it reaches: one email, not two.
        assert "Reminder digests sent: 1." in report
        assert "Compliance digests sent: 0." in report
        assert len(mail.outbox) == 1 and "Compliance documents expiring" in mail.outbox[0].body
