"""Brokerage referrals (seed 004) through the services: approval, the checks
before sending, deadlines in England's working days, the anonymised call to
providers, the rounds, the award's contract and the agreement."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from registers import roles
from registers.models import (
    ApprovalStatus,
    Contract,
    ContractDocument,
    ProcurementRoute,
    ReferralInvitation,
    ReferralResponse,
    ReferralStatus,
    RoundKind,
)
from registers.models.referral_rounds import hash_token
from registers.selectors.referrals import (
    referral_candidates,
    referral_offers,
    referrals_awaiting_agreement,
    referrals_past_deadline_without_offer,
)
from registers.services.daily import daily_jobs_run
from registers.services.referral_awards import (
    referral_award,
    referral_reopen,
    referral_signed_copy_upload,
)
from registers.services.referral_rounds import (
    LinkRefused,
    invitation_for_token,
    invitation_revoke,
    referral_close_responses,
    referral_revise,
    referral_send,
    response_deadline,
    response_record,
)
from registers.services.referrals import (
    referral_approve,
    referral_not_placed,
    referral_save,
    referral_schedule_save,
    referral_send_check,
    referral_withdraw,
)
from tests.factories import LotFactory, ProviderFactory, ReferralFactory, SettingFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 16)


@pytest.fixture
def brokerage(make_user):
    officer = make_user(roles.COMMISSIONING_OFFICER, username="broker", email="broker@c.gov.uk")
    boss = make_user(roles.MANAGER, username="boss", email="boss@c.gov.uk")
    lot = LotFactory()
    on_lot = [
        ProviderFactory(name="Alpha Care", contact_email="alpha@p.example"),
        ProviderFactory(name="Beta Care", contact_email="beta@p.example"),
    ]
    avoided = ProviderFactory(name="Gamma Care", contact_email="gamma@p.example")
    suspended = ProviderFactory(name="Delta Care", approval_status=ApprovalStatus.SUSPENDED)
    lot.providers.add(*on_lot, avoided, suspended)
    off_lot = ProviderFactory(name="Epsilon Care", contact_email="eps@p.example")
    referral = ReferralFactory(lot=lot, allocated_worker=officer, child_initials="JB")
    referral.providers_to_avoid.add(avoided)
    return {
        "officer": officer,
        "boss": boss,
        "referral": referral,
        "on_lot": on_lot,
        "avoided": avoided,
        "off_lot": off_lot,
    }


def approved(b):
    return referral_approve(referral=b["referral"], user=b["boss"], panel_date=MONDAY)


def sent(b, *, today=MONDAY, providers=None):
    referral = b["referral"]
    if referral.status == ReferralStatus.DRAFT:
        approved(b)
    ids = providers or [p.pk for p in b["on_lot"]]
    return referral_send(referral=referral, user=b["officer"], provider_ids=ids, today=today)


def tokens_from_outbox() -> dict[str, str]:
    return {m.to[0]: re.search(r"/respond/([^/]+)/", m.body).group(1) for m in mail.outbox}


# --- deadlines ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent_on", "urgent", "expected"),
    [
        (date(2026, 11, 16), False, date(2026, 11, 23)),  # Monday: the next Monday
        (date(2026, 11, 20), False, date(2026, 11, 27)),  # Friday: over the weekend
        (date(2026, 11, 20), True, date(2026, 11, 24)),  # urgent: 2 working days
        (date(2026, 12, 23), False, date(2027, 1, 4)),  # Christmas, Boxing Day, New Year
        (date(2026, 4, 2), True, date(2026, 4, 8)),  # Good Friday and Easter Monday
    ],
)
def test_deadline_is_in_englands_working_days(sent_on, urgent, expected):
    assert response_deadline(sent_on=sent_on, urgent=urgent) == expected


def test_sending_sets_the_referrals_deadline(brokerage, django_capture_on_commit_callbacks):
    brokerage["referral"].urgent = True
    brokerage["referral"].save()
    with django_capture_on_commit_callbacks(execute=True):
        round_ = sent(brokerage, today=date(2026, 12, 24))
    brokerage["referral"].refresh_from_db()
    assert round_.deadline == brokerage["referral"].response_deadline == date(2026, 12, 30)
    assert brokerage["referral"].status == ReferralStatus.SENT


# --- approval and the checks before sending --------------------------------------------


def test_only_a_manager_approves_and_not_their_own(brokerage, make_user):
    referral = brokerage["referral"]
    with pytest.raises(PermissionDenied):
        referral_approve(referral=referral, user=brokerage["officer"], panel_date=MONDAY)
    referral.allocated_worker = brokerage["boss"]
    with pytest.raises(PermissionDenied):
        referral_approve(referral=referral, user=brokerage["boss"], panel_date=MONDAY)
    referral.allocated_worker = brokerage["officer"]
    approved(brokerage)
    assert referral.status == ReferralStatus.APPROVED
    assert referral.approved_by == brokerage["boss"] and referral.panel_date == MONDAY


def test_sending_needs_approval(brokerage):
    check = referral_send_check(referral=brokerage["referral"])
    assert "status" in check.errors
    with pytest.raises(PermissionDenied):
        referral_send(
            referral=brokerage["referral"],
            user=brokerage["officer"],
            provider_ids=[brokerage["on_lot"][0].pk],
        )


def test_none_rather_than_blank(brokerage):
    referral = brokerage["referral"]
    approved(brokerage)
    referral.travel_limits = "  - "
    check = referral_send_check(referral=referral)
    assert "None" in check.errors["travel_limits"]
    referral.travel_limits = "None"
    assert referral_send_check(referral=referral).errors == {}


def test_warns_of_names_and_full_postcodes_but_not_a_district(brokerage):
    referral = brokerage["referral"]
    referral.additional_notes = "Lives near LE4 with Mum. Sarah Jones collects on Fridays."
    referral.travel_limits = "Home is LE4 6AB."
    warnings = " ".join(referral_send_check(referral=referral).warnings)
    assert "Sarah" in warnings and "Jones" in warnings
    assert "full postcode" in warnings
    referral.additional_notes = "Mum collects on Fridays. Area LE4 only."
    referral.travel_limits = "None"
    assert referral_send_check(referral=referral).warnings == []


def test_a_requested_provider_needs_a_reason(brokerage):
    referral = brokerage["referral"]
    referral.requested_provider = brokerage["on_lot"][0]
    with pytest.raises(ValidationError) as error:
        referral_save(referral=referral, user=brokerage["officer"])
    assert "requested_provider_reason" in error.value.message_dict


def test_the_child_has_no_name_fields():
    names = {f.name for f in ReferralFactory._meta.model._meta.get_fields()}
    assert not names & {"name", "first_name", "last_name", "date_of_birth", "address", "postcode"}


# --- sending --------------------------------------------------------------------------


def test_candidates_are_admitted_working_providers_minus_those_to_avoid(brokerage):
    referral = brokerage["referral"]
    framework = referral_candidates(referral=referral, kind=RoundKind.FRAMEWORK)
    assert [p.name for p in framework] == ["Alpha Care", "Beta Care"]
    off = referral_candidates(referral=referral, kind=RoundKind.OFF_FRAMEWORK)
    assert "Epsilon Care" in [p.name for p in off]
    assert not {"Alpha Care", "Gamma Care", "Delta Care"} & {p.name for p in off}


def test_a_provider_not_listed_cannot_be_sent_it(brokerage):
    approved(brokerage)
    with pytest.raises(ValidationError):
        referral_send(
            referral=brokerage["referral"],
            user=brokerage["officer"],
            provider_ids=[brokerage["avoided"].pk],
        )
    assert not ReferralInvitation.objects.exists()


def test_each_provider_gets_one_anonymised_email_with_a_hashed_link(
    brokerage, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent(brokerage)
    referral = brokerage["referral"]
    assert sorted(m.to[0] for m in mail.outbox) == ["alpha@p.example", "beta@p.example"]
    for message in mail.outbox:
        text = message.subject + message.body
        assert referral.number in text
        assert referral.case_id not in text
        assert not re.search(rf"\b{referral.child_initials}\b", text)
    tokens = tokens_from_outbox()
    stored = set(ReferralInvitation.objects.values_list("token_hash", flat=True))
    assert stored == {hash_token(token) for token in tokens.values()}
    assert not stored & set(tokens.values())


# --- Part B through the link ----------------------------------------------------------


def test_link_refusals(brokerage, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent(brokerage)
    tokens = tokens_from_outbox()
    alpha = invitation_for_token(token=tokens["alpha@p.example"])
    assert alpha.provider.name == "Alpha Care"
    with pytest.raises(LinkRefused) as unknown:
        invitation_for_token(token="not-a-token")
    assert not unknown.value.gone
    expiry = alpha.expires_at
    with pytest.raises(LinkRefused) as expired:
        invitation_for_token(token=tokens["alpha@p.example"], now=expiry + timedelta(seconds=1))
    assert expired.value.gone
    invitation_revoke(invitation=alpha, user=brokerage["officer"], reason="Wrong provider")
    with pytest.raises(LinkRefused) as revoked:
        invitation_for_token(token=tokens["alpha@p.example"])
    assert revoked.value.gone
    # Beta's link is still Beta's alone.
    assert invitation_for_token(token=tokens["beta@p.example"]).provider.name == "Beta Care"


def test_link_expires_at_the_end_of_the_deadline_day(brokerage):
    round_ = sent(brokerage)
    invitation = round_.invitations.first()
    local = timezone.localtime(invitation.expires_at)
    assert local.date() == round_.deadline + timedelta(days=1) and local.hour == 0


def test_a_response_can_change_until_the_deadline_with_history(brokerage):
    round_ = sent(brokerage)
    invitation = round_.invitations.get(provider__name="Alpha Care")
    response_record(invitation=invitation, user=None, answer="none", channel="link")
    response_record(
        invitation=invitation,
        user=None,
        answer="full",
        channel="link",
        hourly_rate=Decimal("21.50"),
        start_date=MONDAY + timedelta(days=30),
    )
    response = ReferralResponse.objects.get(invitation=invitation)
    assert response.answer == "full" and response.history.count() == 2
    late = invitation.expires_at + timedelta(minutes=1)
    with pytest.raises(ValidationError):
        response_record(invitation=invitation, user=None, answer="none", channel="link", now=late)


def test_a_positive_response_needs_rate_and_start_and_parts(brokerage):
    round_ = sent(brokerage)
    invitation = round_.invitations.first()
    with pytest.raises(ValidationError) as error:
        response_record(invitation=invitation, user=None, answer="part", channel="link")
    assert {"parts", "hourly_rate", "start_date"} <= set(error.value.message_dict)


def test_business_support_records_a_phone_response_and_auditors_cannot(brokerage, make_user):
    round_ = sent(brokerage)
    invitation = round_.invitations.first()
    support = make_user(roles.BUSINESS_SUPPORT)
    response_record(invitation=invitation, user=support, answer="none", channel="phone")
    assert ReferralResponse.objects.get().recorded_by == support
    with pytest.raises(PermissionDenied):
        response_record(
            invitation=invitation, user=make_user(roles.AUDITOR), answer="none", channel="phone"
        )


# --- deciding, the second round and the award -------------------------------------------


def offer(invitation, rate="20.00", start=None):
    return response_record(
        invitation=invitation,
        user=None,
        answer="full",
        channel="link",
        hourly_rate=Decimal(rate),
        start_date=start or MONDAY + timedelta(days=30),
    )


def close(b, round_):
    return referral_close_responses(
        referral=b["referral"], user=b["officer"], today=round_.deadline + timedelta(days=1)
    )


def test_responses_close_only_after_the_deadline(brokerage):
    round_ = sent(brokerage)
    with pytest.raises(ValidationError):
        referral_close_responses(
            referral=brokerage["referral"], user=brokerage["officer"], today=round_.deadline
        )
    close(brokerage, round_)
    assert brokerage["referral"].status == ReferralStatus.CLOSED


def test_offers_side_by_side(brokerage):
    round_ = sent(brokerage)
    alpha = round_.invitations.get(provider__name="Alpha Care")
    SettingFactory(provider=alpha.provider, name="Alpha House")
    offer(alpha, rate="20.00")
    response_record(
        invitation=round_.invitations.get(provider__name="Beta Care"),
        user=None,
        answer="none",
        channel="link",
    )
    offers = {o.provider.name: o for o in referral_offers(referral=brokerage["referral"])}
    assert offers["Alpha Care"].cost_per_week == Decimal("120.00")  # 6 hours a week
    assert offers["Alpha Care"].ratings == ["Alpha House: Not rated"]
    assert offers["Beta Care"].cost_per_week is None


def test_no_offer_goes_off_framework_then_revised_then_on_and_off_again(brokerage):
    referral = brokerage["referral"]
    first = sent(brokerage)
    close(brokerage, first)
    today = first.deadline + timedelta(days=1)
    assert referrals_past_deadline_without_offer(type(referral).objects.all(), today=today).exists()
    second = sent(brokerage, today=today, providers=[brokerage["off_lot"].pk])
    assert (second.number, second.kind) == (2, RoundKind.OFF_FRAMEWORK)
    assert second.deadline == response_deadline(sent_on=today, urgent=False)
    close(brokerage, second)
    with pytest.raises(PermissionDenied):
        sent(brokerage, today=second.deadline + timedelta(days=1))
    referral_revise(referral=referral, user=brokerage["officer"], reason="Any weekday will do")
    assert referral.status == ReferralStatus.APPROVED
    referral.needs = "Support on any two weekday afternoons."
    referral_save(referral=referral, user=brokerage["officer"])
    third = sent(brokerage, today=second.deadline + timedelta(days=1))
    assert third.kind == RoundKind.REVISED_FRAMEWORK
    close(brokerage, third)
    fourth = sent(
        brokerage, today=third.deadline + timedelta(days=1), providers=[brokerage["off_lot"].pk]
    )
    assert fourth.kind == RoundKind.REVISED_OFF_FRAMEWORK


def test_part_a_is_fixed_once_sent(brokerage):
    sent(brokerage)
    referral = brokerage["referral"]
    referral.needs = "Something else"
    with pytest.raises(ValidationError) as error:
        referral_save(referral=referral, user=brokerage["officer"])
    assert "needs" in error.value.message_dict


def test_an_increase_after_approval_needs_the_panel_again(brokerage):
    referral = brokerage["referral"]
    approved(brokerage)
    row = referral.schedule.first()
    row.hours = Decimal("5")
    referral_schedule_save(row=row, user=brokerage["officer"])
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT and referral.approved_by is None


def awarded(b, django_capture_on_commit_callbacks):
    round_ = sent(b)
    alpha = round_.invitations.get(provider__name="Alpha Care")
    response = offer(alpha, rate="20.00", start=MONDAY + timedelta(days=30))
    close(b, round_)
    with django_capture_on_commit_callbacks(execute=True):
        contract = referral_award(
            referral=b["referral"], user=b["officer"], response=response, reason="Only offer"
        )
    return contract


def test_the_award_creates_the_placement_agreement_contract(
    brokerage, django_capture_on_commit_callbacks
):
    contract = awarded(brokerage, django_capture_on_commit_callbacks)
    referral = brokerage["referral"]
    assert referral.status == ReferralStatus.AWARDED and referral.contract == contract
    assert contract.procurement_route == ProcurementRoute.INDIVIDUAL_PLACEMENT
    assert contract.provider.name == "Alpha Care"
    assert contract.authority_id == referral.authority_id
    assert contract.contract_manager == brokerage["officer"]
    assert contract.start_date == MONDAY + timedelta(days=30)
    assert contract.end_date == referral.end_date
    assert contract.annual_value == Decimal("6240.00")  # £120 a week x 52
    assert "award of referral" in contract.history.first().history_change_reason
    worker_mail = [m for m in mail.outbox if m.to == ["broker@c.gov.uk"]]
    assert worker_mail and "Alpha Care" in worker_mail[0].body
    assert referrals_awaiting_agreement(type(referral).objects.all()).get() == referral


def test_only_a_positive_response_of_the_current_round_is_awarded(brokerage):
    round_ = sent(brokerage)
    beta = round_.invitations.get(provider__name="Beta Care")
    response = response_record(invitation=beta, user=None, answer="none", channel="link")
    close(brokerage, round_)
    with pytest.raises(ValidationError):
        referral_award(
            referral=brokerage["referral"], user=brokerage["officer"], response=response, reason="x"
        )
    assert not Contract.objects.exists()


def test_both_signed_copies_agree_the_placement(brokerage, django_capture_on_commit_callbacks):
    awarded(brokerage, django_capture_on_commit_callbacks)
    referral = brokerage["referral"]
    for side in ("provider", "council"):
        referral_signed_copy_upload(
            referral=referral,
            user=brokerage["officer"],
            side=side,
            file=SimpleUploadedFile(f"{side}.pdf", b"%PDF-1.4 signed", "application/pdf"),
        )
        referral.refresh_from_db()
    assert referral.status == ReferralStatus.AGREED
    assert ContractDocument.objects.filter(contract=referral.contract).count() == 2


def test_provider_cannot_deliver_reopens(brokerage, django_capture_on_commit_callbacks):
    contract = awarded(brokerage, django_capture_on_commit_callbacks)
    referral = brokerage["referral"]
    referral_reopen(referral=referral, user=brokerage["officer"], reason="Staff left")
    contract.refresh_from_db()
    assert contract.terminated_on is not None
    assert referral.status == ReferralStatus.APPROVED and referral.contract is None
    again = sent(brokerage, today=MONDAY + timedelta(days=40))
    assert again.kind == RoundKind.FRAMEWORK and again.number == 2


def test_withdrawal_needs_a_reason_and_closes_the_links(brokerage):
    round_ = sent(brokerage)
    with pytest.raises(ValidationError):
        referral_withdraw(referral=brokerage["referral"], user=brokerage["officer"], reason=" ")
    referral_withdraw(
        referral=brokerage["referral"], user=brokerage["officer"], reason="Family moved away"
    )
    assert brokerage["referral"].status == ReferralStatus.WITHDRAWN
    assert not round_.invitations.filter(revoked_at__isnull=True).exists()


def test_expiry_is_a_datetime(brokerage):
    round_ = sent(brokerage)
    assert isinstance(round_.invitations.first().expires_at, datetime)


# --- the daily job -------------------------------------------------------------------


def test_the_daily_job_reminds_of_deadlines_today_once_and_closes_past_ones(
    brokerage, django_capture_on_commit_callbacks
):
    round_ = sent(brokerage)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        daily_jobs_run(today=round_.deadline)
        daily_jobs_run(today=round_.deadline)
    reminders = [m for m in mail.outbox if m.to == ["broker@c.gov.uk"]]
    assert len(reminders) == 1 and brokerage["referral"].number in reminders[0].body
    assert brokerage["referral"].status == ReferralStatus.SENT
    with django_capture_on_commit_callbacks(execute=True):
        daily_jobs_run(today=round_.deadline + timedelta(days=1))
    brokerage["referral"].refresh_from_db()
    assert brokerage["referral"].status == ReferralStatus.CLOSED


def test_the_worker_hears_when_a_referral_is_not_placed(
    brokerage, django_capture_on_commit_callbacks
):
    round_ = sent(brokerage)
    close(brokerage, round_)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        referral_not_placed(
            referral=brokerage["referral"], user=brokerage["officer"], reason="No provider"
        )
    assert [m.to for m in mail.outbox] == [["broker@c.gov.uk"]]
    assert "not placed" in mail.outbox[0].subject


# --- summer play schemes (Annex 1) -----------------------------------------------------


def test_a_summer_play_scheme_is_held_until_january_and_capped(brokerage):
    referral = brokerage["referral"]
    approved(brokerage)
    referral.play_scheme_year, referral.play_scheme_days = 2027, 6
    check = referral_send_check(referral=referral, today=date(2026, 11, 20))
    assert "January 2027" in check.errors["play_scheme_year"]
    assert "at most 5 days" in check.errors["play_scheme_days"]
    referral.play_scheme_days = 5
    check = referral_send_check(referral=referral, today=date(2027, 1, 4))
    assert check.errors == {} and check.warnings == []
    late = referral_send_check(referral=referral, today=date(2027, 3, 2))
    assert any("01/03/2027" in warning for warning in late.warnings)


def test_a_play_scheme_needs_its_year_and_days_together(brokerage):
    referral = brokerage["referral"]
    referral.play_scheme_year = 2027
    with pytest.raises(ValidationError) as error:
        referral_save(referral=referral, user=brokerage["officer"])
    assert "play_scheme_days" in error.value.message_dict
