"""Reads over brokerage referrals: who is asked, what came back, and the lists."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from registers.models import (
    Provider,
    Referral,
    ReferralInvitation,
    ReferralResponse,
    ReferralRound,
    ReferralStatus,
    Setting,
)
from registers.models.providers import IN_USE_APPROVAL_STATUSES
from registers.models.referral_rounds import OFF_FRAMEWORK_ROUNDS, POSITIVE_ANSWERS


def referral_candidates(*, referral: Referral, kind: str) -> QuerySet:
    """The providers a round goes to: those admitted to the referral's lot (or, off
    the framework, those not admitted) whose approval status allows work, minus
    those to avoid. The one answer the send page, the service and the demo share."""
    providers = Provider.objects.filter(approval_status__in=IN_USE_APPROVAL_STATUSES)
    admitted = Q(lots=referral.lot_id)
    providers = (
        providers.exclude(admitted) if kind in OFF_FRAMEWORK_ROUNDS else providers.filter(admitted)
    )
    if referral.pk:
        providers = providers.exclude(pk__in=referral.providers_to_avoid.values("pk"))
    return providers.distinct().order_by("name")


MEMO = "_brokerage_memo"


def _memo(referral: Referral, key: str, compute):
    """Answers a page asks many times of one referral (each action button asks
    which round is current): kept on the instance until referral_forget."""
    memo = referral.__dict__.setdefault(MEMO, {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def referral_forget(referral: Referral) -> None:
    """Called by every write that changes a referral's rounds, responses or status."""
    referral.__dict__.pop(MEMO, None)


def referral_current_round(*, referral: Referral) -> ReferralRound | None:
    if referral.pk is None:
        return None
    return _memo(referral, "round", lambda: referral.rounds.order_by("-number").first())


def referral_has_offer(*, referral: Referral) -> bool:
    """Whether the current round has a positive response."""

    def compute() -> bool:
        current = referral_current_round(referral=referral)
        return current is not None and positive_responses(round=current).exists()

    return _memo(referral, "offer", compute)


def referral_hours_per_week(*, referral: Referral) -> Decimal:
    # Not memoised: the schedule changes through its own inline rows.
    return referral.schedule.aggregate(total=Sum("hours"))["total"] or Decimal(0)


def round_responses(*, round: ReferralRound) -> QuerySet:
    return (
        ReferralResponse.objects.filter(invitation__round=round)
        .select_related("invitation__provider", "recorded_by")
        .order_by("invitation__provider__name")
    )


@dataclass(frozen=True)
class Offer:
    response: ReferralResponse
    cost_per_week: Decimal | None
    ratings: list[str]

    @property
    def provider(self) -> Provider:
        return self.response.invitation.provider


def referral_offers(*, referral: Referral) -> list[Offer]:
    """The current round's answers side by side: cost per week (hourly rate x hours a
    week), start date, and the Ofsted ratings of the provider's settings."""
    current = referral_current_round(referral=referral)
    if current is None:
        return []
    hours = referral_hours_per_week(referral=referral)
    responses = list(round_responses(round=current))
    ratings: dict[int, list[str]] = {}
    settings = Setting.objects.filter(
        provider_id__in={r.invitation.provider_id for r in responses}
    ).order_by("name")
    for setting in settings:
        rating = setting.get_current_rating_display() if setting.current_rating else "Not rated"
        ratings.setdefault(setting.provider_id, []).append(f"{setting.display_name}: {rating}")
    return [
        Offer(
            response=response,
            cost_per_week=(
                None
                if response.hourly_rate is None
                else (response.hourly_rate * hours).quantize(Decimal("0.01"))
            ),
            ratings=ratings.get(response.invitation.provider_id, []),
        )
        for response in responses
    ]


def positive_responses(*, round: ReferralRound) -> QuerySet:
    return round_responses(round=round).filter(answer__in=POSITIVE_ANSWERS)


def _positive_in_current_round() -> Exists:
    latest = ReferralRound.objects.filter(referral=OuterRef("invitation__round__referral"))
    return Exists(
        ReferralResponse.objects.filter(
            invitation__round__referral=OuterRef("pk"),
            answer__in=POSITIVE_ANSWERS,
            invitation__round__number=latest.order_by("-number").values("number")[:1],
        )
    )


def referrals_awaiting_responses(queryset: QuerySet) -> QuerySet:
    return queryset.filter(status=ReferralStatus.SENT)


def referrals_past_deadline_without_offer(queryset: QuerySet, *, today: date) -> QuerySet:
    """Past the deadline, with no positive answer in the current round: a next round."""
    return queryset.filter(
        status__in=(ReferralStatus.SENT, ReferralStatus.CLOSED), response_deadline__lt=today
    ).exclude(_positive_in_current_round())


def referrals_awaiting_agreement(queryset: QuerySet) -> QuerySet:
    return queryset.filter(status=ReferralStatus.AWARDED)


def referrals_due_to_close(*, today: date) -> QuerySet:
    return Referral.objects.filter(status=ReferralStatus.SENT, response_deadline__lt=today)


def referrals_deadline_today(*, today: date) -> QuerySet:
    return Referral.objects.filter(status=ReferralStatus.SENT, response_deadline=today)


def invitation_by_hash(*, token_hash: str) -> ReferralInvitation | None:
    return (
        ReferralInvitation.objects.select_related("round__referral", "provider")
        .filter(token_hash=token_hash)
        .first()
    )


def qa_visited_placements(queryset: QuerySet, *, user) -> QuerySet:
    """Awarded placements whose provider runs a setting the QA officer visits."""
    return queryset.filter(
        status__in=(ReferralStatus.AWARDED, ReferralStatus.AGREED),
        awarded_provider__settings__visits__lead_officer=user,
    ).distinct()
