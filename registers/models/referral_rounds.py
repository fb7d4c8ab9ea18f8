"""Brokerage rounds (seed 004): each call to providers with its own deadline,
each provider's personal link (Part B), and their responses.

A link's secret is never stored: only its SHA-256, so a copy of the database
answers no referral.
"""

import hashlib

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from registers.models.common import money_field, non_negative


class RoundKind(models.TextChoices):
    """The seed's order: framework, off framework, then the revised referral on and off."""

    FRAMEWORK = "framework", "Framework providers"
    OFF_FRAMEWORK = "off_framework", "Off-framework providers"
    REVISED_FRAMEWORK = "revised_framework", "Revised referral, framework providers"
    REVISED_OFF_FRAMEWORK = "revised_off_framework", "Revised referral, off-framework providers"


ROUND_ORDER = (
    RoundKind.FRAMEWORK,
    RoundKind.OFF_FRAMEWORK,
    RoundKind.REVISED_FRAMEWORK,
    RoundKind.REVISED_OFF_FRAMEWORK,
)
OFF_FRAMEWORK_ROUNDS = (RoundKind.OFF_FRAMEWORK, RoundKind.REVISED_OFF_FRAMEWORK)


class ReferralRound(models.Model):
    referral = models.ForeignKey(
        "registers.Referral", on_delete=models.CASCADE, related_name="rounds"
    )
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=30, choices=RoundKind.choices)
    sent_on = models.DateField()
    deadline = models.DateField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["referral", "number"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "number"], name="referral_round_unique")
        ]

    def __str__(self) -> str:
        return f"Round {self.number}: {self.get_kind_display()}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ReferralInvitation(models.Model):
    """One provider's personal link for one round of one referral."""

    round = models.ForeignKey(ReferralRound, on_delete=models.CASCADE, related_name="invitations")
    provider = models.ForeignKey(
        "registers.Provider", on_delete=models.PROTECT, related_name="referral_invitations"
    )
    email = models.EmailField(blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "provider__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "provider"], name="referral_invite_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider} ({self.round})"


class ResponseAnswer(models.TextChoices):
    FULL = "full", "Yes, in full"
    PART = "part", "In part"
    NONE = "none", "No, not at all"


POSITIVE_ANSWERS = (ResponseAnswer.FULL, ResponseAnswer.PART)


class ResponseChannel(models.TextChoices):
    LINK = "link", "The provider's link"
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"


class ReferralResponse(models.Model):
    """Part B: one provider's answer in one round, changeable until the deadline."""

    invitation = models.OneToOneField(
        ReferralInvitation, on_delete=models.CASCADE, related_name="response"
    )
    answer = models.CharField("can you meet it?", max_length=10, choices=ResponseAnswer.choices)
    parts = models.TextField("which parts you can meet", blank=True)
    hourly_rate = money_field("hourly rate (£)")
    start_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    channel = models.CharField(max_length=10, choices=ResponseChannel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["invitation"]
        constraints = [non_negative("hourly_rate", "referralresponse")]

    def __str__(self) -> str:
        return f"{self.invitation.provider}: {self.get_answer_display()}"

    @property
    def is_positive(self) -> bool:
        return self.answer in POSITIVE_ANSWERS
