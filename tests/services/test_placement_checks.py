"""Placement checks (manual 003): the regulated / unregulated decision and its
refusal, the crisis and holiday limits, the ending-soon flag, the documents a
check shows, and sign-off."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from registers import roles
from registers.models import (
    ComplianceDocumentKind,
    PlacementCheck,
    PlacementDecision,
    RegistrationStatus,
)
from registers.selectors.compliance import DocumentState
from registers.selectors.placement_checks import check_documents
from registers.services.placement_checks import (
    Signatory,
    placement_check_save,
    placement_check_sign_off,
    placement_check_sign_off_allowed,
    placement_decision,
)
from tests.factories import (
    AuthorityFactory,
    ComplianceDocumentFactory,
    PlacementCheckFactory,
    ProviderFactory,
    SettingFactory,
    home_authority,
    today,
)

pytestmark = pytest.mark.django_db


def unregistered(**kwargs):
    return SettingFactory(urn=None, provision_type="Supported accommodation", **kwargs)


def new_check(setting, **kwargs) -> PlacementCheck:
    values = {
        "case_id": "ICS-40211",
        "child_initials": "KM",
        "setting": setting,
        "placement_type": "ongoing",
        "start_date": today(),
        "care_or_support": "support",
        "static_or_mobile": "static",
    }
    values.update(kwargs)
    return PlacementCheck(**values)


def refusal(exc: ValidationError) -> dict[str, list[str]]:
    return exc.value.message_dict


def answered(**kwargs) -> dict:
    """Every answer sign-off needs."""
    values = {
        "staffing_arrangements": "Staff on site 8am to 10pm; on-call manager overnight.",
        "host_authority_outcome": "satisfactory",
        "references_outcome": "satisfactory",
        "financial_outcome": "satisfactory",
        "policies_outcome": "satisfactory",
        "needs_met": "Key worker three sessions a week; college place kept.",
        "risk_management": "Curfew agreed; missing-from-care protocol shared.",
        "visit_frequency_weeks": 2,
        "risk_assessment_review_on": today() + timedelta(days=28),
        "move_on_plan": "Own tenancy through the leaving-care team.",
        "move_on_by": today() + timedelta(days=80),
    }
    values.update(kwargs)
    return values


class TestDecision:
    @pytest.mark.parametrize(
        ("care", "where", "kind", "registered", "expected"),
        [
            ("care", "mobile", "ongoing", False, PlacementDecision.UNREGULATED),
            ("support", "static", "ongoing", False, PlacementDecision.UNREGULATED),
            # Not on the manual's fact sheet: support is not care, so unregulated.
            ("support", "mobile", "ongoing", False, PlacementDecision.UNREGULATED),
            ("care", "static", "ongoing", True, PlacementDecision.REGULATED),
            ("care", "static", "ongoing", False, PlacementDecision.REFUSED),
            ("care", "static", "crisis", False, PlacementDecision.REFUSED),
            # The manual's exceptions: a holiday from a regulated placement, and
            # mobile services registered before May 2018.
            ("care", "static", "holiday", False, PlacementDecision.HOLIDAY_EXCEPTION),
            ("care", "mobile", "ongoing", True, PlacementDecision.REGULATED),
        ],
    )
    def test_the_fact_sheet(self, care, where, kind, registered, expected):
        decision = placement_decision(
            care_or_support=care,
            static_or_mobile=where,
            placement_type=kind,
            registered=registered,
        )
        assert decision == expected

    def test_the_service_records_the_decision(self, manager):
        check = placement_check_save(
            check=new_check(unregistered(), care_or_support="care", static_or_mobile="mobile"),
            user=manager,
        )
        check.refresh_from_db()
        assert check.decision == PlacementDecision.UNREGULATED
        assert check.recorded_by == manager
        assert check.authority == home_authority()
        assert check.history.get().history_change_reason == "Placement check recorded"

    def test_care_in_a_registered_static_home_is_regulated(self, manager):
        check = placement_check_save(
            check=new_check(SettingFactory(), care_or_support="care"), user=manager
        )
        assert check.decision == PlacementDecision.REGULATED

    def test_care_in_an_unregistered_static_setting_is_refused_and_saves_nothing(self, manager):
        setting = unregistered(name="Harbour View")
        with pytest.raises(ValidationError) as exc:
            placement_check_save(check=new_check(setting, care_or_support="care"), user=manager)
        message = refusal(exc)["setting"][0]
        assert "Harbour View is not (it has no Ofsted URN)" in message
        assert "illegal placement" in message
        assert not PlacementCheck.objects.exists()

    @pytest.mark.parametrize("status", [RegistrationStatus.SUSPENDED, RegistrationStatus.CANCELLED])
    def test_a_urn_whose_registration_has_ended_is_not_registered(self, manager, status):
        setting = SettingFactory(registration_status=status)
        with pytest.raises(ValidationError) as exc:
            placement_check_save(check=new_check(setting, care_or_support="care"), user=manager)
        assert f"its registration is {status.label.lower()}" in refusal(exc)["setting"][0]

    def test_changing_an_existing_check_to_care_is_refused_too(self, manager):
        check = PlacementCheckFactory()
        check.care_or_support = "care"
        with pytest.raises(ValidationError) as exc:
            placement_check_save(check=check, user=manager)
        assert "illegal" in refusal(exc)["setting"][0]
        check.refresh_from_db()
        assert check.care_or_support == "support"

    def test_a_lapsed_registration_shows_as_refused_and_the_review_goes_on(self, manager):
        setting = SettingFactory()
        check = placement_check_save(check=new_check(setting, care_or_support="care"), user=manager)
        assert check.decision == PlacementDecision.REGULATED
        setting.registration_status = RegistrationStatus.SUSPENDED
        setting.save()
        check.move_on_plan = "Urgent move to a registered home this week."
        placement_check_save(check=check, user=manager)
        check.refresh_from_db()
        assert check.decision == PlacementDecision.REFUSED
        assert check.move_on_plan.startswith("Urgent move")
        check.start_date = check.start_date - timedelta(days=1)
        with pytest.raises(ValidationError) as exc:
            placement_check_save(check=check, user=manager)
        assert "registration is suspended" in refusal(exc)["setting"][0]

    def test_the_child_is_named_by_initials_and_case_id_only(self, manager):
        fields = {field.name for field in PlacementCheck._meta.get_fields()}
        assert not fields & {"name", "child_name", "date_of_birth", "dob", "address"}
        with pytest.raises(ValidationError) as exc:
            placement_check_save(
                check=new_check(unregistered(), child_initials="Kai Moss"), user=manager
            )
        assert "child_initials" in refusal(exc)


class TestTimeLimits:
    @pytest.mark.parametrize(("days", "ok"), [(27, False), (28, True), (90, True), (91, False)])
    def test_a_crisis_placement_lasts_28_to_90_days(self, manager, days, ok):
        start = today()
        check = new_check(
            unregistered(),
            care_or_support="care",
            static_or_mobile="mobile",
            placement_type="crisis",
            start_date=start,
            end_date=start + timedelta(days=days),
        )
        if ok:
            placement_check_save(check=check, user=manager)
            assert check.pk
            return
        with pytest.raises(ValidationError) as exc:
            placement_check_save(check=check, user=manager)
        assert (
            f"28 to 90 days: this one ends {days} days after it starts"
            in (refusal(exc)["end_date"][0])
        )

    @pytest.mark.parametrize(("days", "ok"), [(0, True), (28, True), (29, False)])
    def test_a_holiday_lasts_at_most_28_days(self, manager, days, ok):
        start = today()
        check = new_check(
            unregistered(),
            care_or_support="care",
            placement_type="holiday",
            start_date=start,
            end_date=start + timedelta(days=days),
        )
        if ok:
            placement_check_save(check=check, user=manager)
            assert check.decision == PlacementDecision.HOLIDAY_EXCEPTION
            return
        with pytest.raises(ValidationError) as exc:
            placement_check_save(check=check, user=manager)
        assert "at most 28 days" in refusal(exc)["end_date"][0]

    @pytest.mark.parametrize("kind", ["crisis", "holiday"])
    def test_crisis_and_holiday_placements_need_an_end_date(self, manager, kind):
        with pytest.raises(ValidationError) as exc:
            placement_check_save(check=new_check(unregistered(), placement_type=kind), user=manager)
        assert "needs its end date" in refusal(exc)["end_date"][0]

    def test_an_ongoing_placement_has_no_limit(self, manager):
        check = new_check(unregistered(), end_date=today() + timedelta(days=400))
        placement_check_save(check=check, user=manager)
        assert check.pk

    def test_the_move_on_date_falls_within_a_crisis_placement(self, manager):
        start = today()
        check = new_check(
            unregistered(),
            placement_type="crisis",
            start_date=start,
            end_date=start + timedelta(days=42),
            move_on_by=start + timedelta(days=50),
        )
        with pytest.raises(ValidationError) as exc:
            placement_check_save(check=check, user=manager)
        assert "moves on by then" in refusal(exc)["move_on_by"][0]


class TestEndingSoon:
    def test_crisis_and_holiday_placements_ending_within_7_days(self):
        now = today()
        soon = PlacementCheckFactory(
            placement_type="crisis",
            start_date=now - timedelta(days=40),
            end_date=now + timedelta(days=5),
        )
        holiday = PlacementCheckFactory(
            placement_type="holiday",
            start_date=now - timedelta(days=20),
            end_date=now + timedelta(days=7),
        )
        PlacementCheckFactory(
            placement_type="crisis",
            start_date=now - timedelta(days=10),
            end_date=now + timedelta(days=30),
        )
        PlacementCheckFactory(
            placement_type="crisis",
            start_date=now - timedelta(days=40),
            end_date=now - timedelta(days=1),
        )
        PlacementCheckFactory(end_date=now + timedelta(days=3))  # ongoing: not flagged
        ending = PlacementCheck.objects.ending_soon(today=now)
        assert set(ending) == {soon, holiday}
        flagged = {
            c.pk for c in PlacementCheck.objects.with_ending_soon(today=now) if c.is_ending_soon
        }
        assert flagged == {soon.pk, holiday.pk}

    def test_the_window_is_a_setting(self, settings):
        settings.PLACEMENT_ENDING_SOON_DAYS = 14
        now = today()
        check = PlacementCheckFactory(
            placement_type="crisis",
            start_date=now - timedelta(days=30),
            end_date=now + timedelta(days=12),
        )
        assert list(PlacementCheck.objects.ending_soon(today=now)) == [check]


class TestDocuments:
    def test_each_placement_kind_shows_valid_expiring_expired_or_missing(self):
        now = today()
        provider = ProviderFactory()
        setting = SettingFactory(urn=None, provider=provider)
        gas = ComplianceDocumentKind.objects.get(name="Gas safety certificate")
        liability = ComplianceDocumentKind.objects.get(name="Public liability insurance")
        wiring = ComplianceDocumentKind.objects.get(name="Electrical installation condition report")
        ComplianceDocumentFactory(
            kind=gas,
            provider=None,
            setting=setting,
            issue_date=now - timedelta(days=400),
            expiry_date=now - timedelta(days=35),
        )
        ComplianceDocumentFactory(
            kind=liability, provider=provider, expiry_date=now + timedelta(20)
        )
        ComplianceDocumentFactory(
            kind=wiring, provider=None, setting=setting, expiry_date=now + timedelta(days=900)
        )
        check = PlacementCheckFactory(setting=setting)
        states = {status.kind.name: status for status in check_documents(check, today=now)}
        assert states["Gas safety certificate"].state == DocumentState.EXPIRED
        assert states["Public liability insurance"].state == DocumentState.EXPIRING
        assert states["Public liability insurance"].holder == "provider"
        assert states["Electrical installation condition report"].state == DocumentState.VALID
        assert states["Statement of purpose"].state == DocumentState.MISSING
        # Kinds not ticked for placements (and not required) are not shown.
        assert "Annual accounts" not in states

    def test_a_renewed_certificate_replaces_the_expired_one(self):
        now = today()
        setting = SettingFactory(urn=None)
        gas = ComplianceDocumentKind.objects.get(name="Gas safety certificate")
        for expiry in (now - timedelta(days=30), now + timedelta(days=330)):
            ComplianceDocumentFactory(kind=gas, provider=None, setting=setting, expiry_date=expiry)
        check = PlacementCheckFactory(setting=setting)
        states = {s.kind.name: s.state for s in check_documents(check, today=now)}
        assert states["Gas safety certificate"] == DocumentState.VALID

    def test_a_kind_every_setting_must_hold_is_shown_too(self):
        accounts = ComplianceDocumentKind.objects.get(name="Annual accounts")
        accounts.required_for_settings_in_use = True
        accounts.save()
        check = PlacementCheckFactory()
        names = {s.kind.name for s in check_documents(check, today=today())}
        assert "Annual accounts" in names


def all_documents(setting):
    kinds = ComplianceDocumentKind.objects.filter(checked_for_placements=True)
    for kind in kinds:
        ComplianceDocumentFactory(kind=kind, provider=None, setting=setting)


class TestSignOff:
    def test_social_worker_then_team_manager(self, manager):
        check = PlacementCheckFactory(**answered())
        all_documents(check.setting)
        placement_check_sign_off(
            check=check, user=manager, signatory=Signatory.SOCIAL_WORKER, name="Amy Clarke"
        )
        assert not placement_check_sign_off_allowed(
            check=check, user=manager, signatory=Signatory.SOCIAL_WORKER
        )
        placement_check_sign_off(
            check=check,
            user=manager,
            signatory=Signatory.TEAM_MANAGER,
            name="Raj Patel",
            signed_on=today(),
        )
        check.refresh_from_db()
        assert (check.social_worker_name, check.social_worker_signed_on) == (
            "Amy Clarke",
            today(),
        )
        assert (check.team_manager_name, check.team_manager_signed_on) == ("Raj Patel", today())
        reasons = [h.history_change_reason for h in check.history.order_by("history_id")]
        assert reasons[-2:] == [
            "Signed off by the social worker, Amy Clarke",
            "Signed off by the team manager, Raj Patel",
        ]

    def test_the_team_manager_signs_after_the_social_worker(self, manager):
        check = PlacementCheckFactory(**answered())
        all_documents(check.setting)
        with pytest.raises(ValidationError, match="social worker signs the check off first"):
            placement_check_sign_off(
                check=check, user=manager, signatory=Signatory.TEAM_MANAGER, name="Raj Patel"
            )
        placement_check_sign_off(
            check=check, user=manager, signatory=Signatory.SOCIAL_WORKER, name="Amy Clarke"
        )
        with pytest.raises(ValidationError) as exc:
            placement_check_sign_off(
                check=check,
                user=manager,
                signatory=Signatory.TEAM_MANAGER,
                name="Raj Patel",
                signed_on=today() - timedelta(days=1),
            )
        assert "on or after the social worker" in refusal(exc)["signed_on"][0]

    def test_unanswered_or_awaited_checks_refuse_sign_off(self, manager):
        check = PlacementCheckFactory(**answered(host_authority_outcome="awaited", move_on_plan=""))
        all_documents(check.setting)
        with pytest.raises(ValidationError) as exc:
            placement_check_sign_off(
                check=check, user=manager, signatory=Signatory.SOCIAL_WORKER, name="Amy Clarke"
            )
        message = refusal(exc)["__all__"][0]
        assert "Response from the host authority (awaited)" in message
        assert "the move-on plan" in message
        check.refresh_from_db()
        assert check.social_worker_signed_on is None

    def test_an_illegal_placement_cannot_be_signed_off(self, manager):
        """The setting's registration lapsed after the check was recorded."""
        setting = SettingFactory()
        check = PlacementCheckFactory(
            setting=setting, care_or_support="care", decision="regulated", **answered()
        )
        all_documents(setting)
        setting.registration_status = RegistrationStatus.CANCELLED
        setting.save()
        with pytest.raises(ValidationError) as exc:
            placement_check_sign_off(
                check=check, user=manager, signatory=Signatory.SOCIAL_WORKER, name="Amy Clarke"
            )
        assert "illegal placement" in refusal(exc)["setting"][0]
        check.refresh_from_db()
        assert check.social_worker_signed_on is None

    def test_an_expired_document_needs_a_reason_to_sign_off(self, manager):
        check = PlacementCheckFactory(**answered())
        all_documents(check.setting)
        gas = check.setting.compliance_documents.get(kind__name="Gas safety certificate")
        gas.issue_date = today() - timedelta(days=400)
        gas.expiry_date = today() - timedelta(days=3)
        gas.save()
        with pytest.raises(ValidationError) as exc:
            placement_check_sign_off(
                check=check, user=manager, signatory=Signatory.SOCIAL_WORKER, name="Amy Clarke"
            )
        assert "Gas safety certificate (expired" in refusal(exc)["override_reason"][0]
        placement_check_sign_off(
            check=check,
            user=manager,
            signatory=Signatory.SOCIAL_WORKER,
            name="Amy Clarke",
            override_reason="Engineer booked for tomorrow; no gas appliances in use until then.",
        )
        check.refresh_from_db()
        assert "Engineer booked" in check.documents_override_reason
        assert "despite Gas safety certificate" in check.history.first().history_change_reason

    def test_a_signed_off_check_keeps_its_placement(self, manager):
        check = PlacementCheckFactory(**answered())
        all_documents(check.setting)
        placement_check_sign_off(
            check=check, user=manager, signatory=Signatory.SOCIAL_WORKER, name="Amy Clarke"
        )
        check.start_date = today() + timedelta(days=3)
        with pytest.raises(ValidationError) as exc:
            placement_check_save(check=check, user=manager)
        assert "record a new placement check" in refusal(exc)["start_date"][0]
        check.refresh_from_db()
        check.move_on_plan = "Supported lodgings first, then own tenancy."
        placement_check_save(check=check, user=manager)  # the review goes on

    @pytest.mark.parametrize(
        "role", [roles.BUSINESS_SUPPORT, roles.QA_OFFICER, roles.AUDITOR, None]
    )
    def test_only_managers_sign_off(self, make_user, role):
        check = PlacementCheckFactory(**answered())
        user = make_user(role)
        assert not placement_check_sign_off_allowed(
            check=check, user=user, signatory=Signatory.SOCIAL_WORKER
        )
        with pytest.raises(PermissionDenied):
            placement_check_sign_off(
                check=check, user=user, signatory=Signatory.SOCIAL_WORKER, name="Amy Clarke"
            )


class TestPermissions:
    @pytest.mark.parametrize(
        "role",
        [
            roles.BUSINESS_SUPPORT,
            roles.QA_OFFICER,
            roles.COMMISSIONING_OFFICER,
            roles.AUDITOR,
            roles.REGIONAL_LEAD,
            None,
        ],
    )
    def test_only_managers_record_checks(self, make_user, role):
        with pytest.raises(ValidationError) as exc:
            placement_check_save(check=new_check(unregistered()), user=make_user(role))
        assert "Only managers complete placement checks." in str(exc.value)

    def test_a_manager_of_another_authority_cannot_change_ours(self, make_user, manager):
        ours = home_authority()
        theirs = AuthorityFactory(name="Knowsley Council")
        ours.members.add(manager)
        other = make_user(roles.MANAGER)
        theirs.members.add(other)
        check = PlacementCheckFactory(authority=ours)
        check.legal_status = "Section 20"
        with pytest.raises(ValidationError) as exc:
            placement_check_save(check=check, user=other)
        assert "Only managers change placement checks." in str(exc.value)
        with pytest.raises(PermissionDenied):
            placement_check_sign_off(
                check=check, user=other, signatory=Signatory.SOCIAL_WORKER, name="X Y"
            )
