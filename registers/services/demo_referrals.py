"""Demo brokerage referrals (seed 004) in every state, made through the services:
a draft, an approved one, two awaiting responses (one urgent), one past its
deadline with offers to compare, one awarded with its agreement to sign, one
agreed with both signed copies, one withdrawn and one not placed."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from registers.models import (
    AgeBand,
    Lot,
    Referral,
    ReferralSchedule,
    ResponseChannel,
    ServiceType,
)
from registers.selectors.referrals import referral_candidates
from registers.services.referral_awards import (
    referral_agreement_pdf,
    referral_award,
    referral_signed_copy_upload,
)
from registers.services.referral_rounds import (
    link_expiry,
    referral_close_responses,
    referral_next_round_kind,
    referral_send,
    response_record,
)
from registers.services.referrals import (
    referral_approve,
    referral_not_placed,
    referral_save,
    referral_schedule_save,
    referral_withdraw,
)

REASON = "Demo data"


@dataclass(frozen=True)
class Spec:
    initials: str
    case_id: str
    age: str
    service: str
    needs: str
    area: str
    days: tuple[tuple[int, str, str], ...]  # (weekday, times, hours)
    stage: str  # draft, approved, sent, closed, awarded, agreed, withdrawn, not_placed
    urgent: bool = False
    sent_days_ago: int = 0


SPECS = (
    Spec("AM", "MOS104233", AgeBand.FIVE_TO_ELEVEN, ServiceType.SHORT_BREAKS,
         "Support to take part in play and leisure after school; needs 1:1 in busy places.",
         "L20", ((2, "15:30 to 18:30", "3"),), "draft"),
    Spec("RK", "MOS104871", AgeBand.TWELVE_TO_FIFTEEN, ServiceType.SHORT_BREAKS,
         "Saturday activities in the community: swimming, cinema, park. Mum drives.",
         "L21", ((5, "10:00 to 15:00", "5"),), "approved"),
    Spec("TJ", "MOS105002", AgeBand.UNDER_5, ServiceType.DOMICILIARY,
         "Personal care at bedtime, two carers for moving and handling.",
         "L30", ((0, "18:30 to 20:00", "1.5"), (2, "18:30 to 20:00", "1.5"),
                 (4, "18:30 to 20:00", "1.5")), "sent", urgent=True, sent_days_ago=1),
    Spec("LB", "MOS105119", AgeBand.FIVE_TO_ELEVEN, ServiceType.SHORT_BREAKS,
         "After-school short break to give Mum and Dad a rest; likes music and sensory rooms.",
         "L22", ((1, "15:30 to 18:30", "3"), (3, "15:30 to 18:30", "3")), "sent",
         sent_days_ago=2),
    Spec("DW", "MOS103390", AgeBand.TWELVE_TO_FIFTEEN, ServiceType.DOMICILIARY,
         "Help getting ready for school: 1 hour between 07:00 and 08:30.",
         "L20", ((0, "See additional notes", "1"), (1, "See additional notes", "1"),
                 (2, "See additional notes", "1"), (3, "See additional notes", "1"),
                 (4, "See additional notes", "1")), "closed", sent_days_ago=10),
    Spec("SH", "MOS102776", AgeBand.SIXTEEN_PLUS, ServiceType.SHORT_BREAKS,
         "Building independence: travel training and a weekly youth club.",
         "L23", ((3, "17:00 to 21:00", "4"),), "awarded", sent_days_ago=14),
    Spec("OC", "MOS101958", AgeBand.FIVE_TO_ELEVEN, ServiceType.SHORT_BREAKS,
         "Holiday-time play sessions; sibling attends separately.",
         "L21", ((1, "10:00 to 14:00", "4"), (3, "10:00 to 14:00", "4")), "agreed",
         sent_days_ago=30),
    Spec("FN", "MOS106004", AgeBand.UNDER_5, ServiceType.DOMICILIARY,
         "Sitting service on Friday evenings.",
         "L30", ((4, "18:00 to 21:00", "3"),), "withdrawn", sent_days_ago=5),
    Spec("GP", "MOS100811", AgeBand.TWELVE_TO_FIFTEEN, ServiceType.SHORT_BREAKS,
         "Sunday activities with two staff; can be anxious with new people.",
         "L22", ((6, "10:00 to 16:00", "6"),), "not_placed", sent_days_ago=20),
)  # fmt: skip


def build_referrals(*, lot: Lot, users: dict, today: date) -> int:
    """The demo's referrals on the short breaks lot, each taken as far as its stage."""
    officer, manager = users["officer"], users["manager"]
    for spec in SPECS:
        referral = Referral(
            case_id=spec.case_id,
            child_initials=spec.initials,
            age_band=spec.age,
            service_type=spec.service,
            lot=lot,
            needs=spec.needs,
            start_date=today + timedelta(days=28),
            end_date=today + timedelta(days=28 + 364),
            area=spec.area,
            travel_limits="Within 20 minutes' drive of home.",
            additional_notes="None",
            allocated_worker=officer,
            urgent=spec.urgent,
        )
        referral_save(referral=referral, user=officer, reason=REASON)
        for day, times, hours in spec.days:
            row = ReferralSchedule(referral=referral, day=day, times=times, hours=Decimal(hours))
            referral_schedule_save(row=row, user=officer, reason=REASON)
        _advance(referral, spec, officer=officer, manager=manager, today=today)
    return len(SPECS)


def _advance(referral: Referral, spec: Spec, *, officer, manager, today: date) -> None:
    if spec.stage == "draft":
        return
    sent_on = today - timedelta(days=spec.sent_days_ago)
    referral_approve(referral=referral, user=manager, panel_date=sent_on - timedelta(days=7))
    if spec.stage == "approved":
        return
    kind = referral_next_round_kind(referral=referral)
    providers = list(referral_candidates(referral=referral, kind=kind)[:5])
    round_ = referral_send(
        referral=referral, user=officer, provider_ids=[p.pk for p in providers], today=sent_on
    )
    if spec.stage == "withdrawn":
        referral_withdraw(referral=referral, user=officer, reason="The family moved out of area.")
        return
    answered = timezone.make_aware(datetime.combine(sent_on, time(15)))
    positive = spec.stage != "not_placed"
    responses = []
    for n, invitation in enumerate(round_.invitations.select_related("provider")):
        if spec.stage == "sent" and n % 2:
            continue  # not everyone has answered yet
        offers = positive and n < 3
        responses.append(
            response_record(
                invitation=invitation,
                user=None,
                channel=ResponseChannel.LINK,
                answer="full" if offers and n != 1 else ("part" if offers else "none"),
                parts="Tuesdays only" if offers and n == 1 else "",
                hourly_rate=Decimal("19.50") + n if offers else None,
                start_date=referral.start_date + timedelta(days=7 * n) if offers else None,
                notes="Staff with Makaton available." if offers and n == 0 else "",
                now=min(answered, link_expiry(round_.deadline) - timedelta(hours=1)),
            )
        )
    if spec.stage == "sent":
        return
    referral_close_responses(referral=referral, user=officer, today=round_.deadline + timedelta(1))
    if spec.stage == "not_placed":
        referral_not_placed(referral=referral, user=officer, reason="No provider could meet it.")
        return
    if spec.stage == "closed":
        return
    referral_award(
        referral=referral,
        user=officer,
        response=responses[0],
        reason="Full offer at the lowest cost per week, starting on the date needed.",
    )
    if spec.stage == "agreed":
        pdf = referral_agreement_pdf(referral=referral, user=officer)
        for side in ("provider", "council"):
            referral_signed_copy_upload(
                referral=referral,
                user=officer,
                side=side,
                file=ContentFile(pdf, name=f"ipa-{referral.number}-{side}.pdf"),
            )
