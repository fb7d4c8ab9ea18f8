"""The trail of access changes: who may sign in and do what, changed by whom, when and why."""

from django.conf import settings
from django.db import models


class AccessEventKind(models.TextChoices):
    MFA_ENROLLED = "mfa_enrolled", "Second factor set up"
    MFA_RESET = "mfa_reset", "Second factor reset"
    RECOVERY_CODES = "recovery_codes", "Recovery codes issued"
    LOCKOUT_CLEARED = "lockout_cleared", "Sign-in lockout cleared"
    PERMISSION_GRANTED = "permission_granted", "Record permission granted"
    PERMISSION_REVOKED = "permission_revoked", "Record permission revoked"
    GROUP_JOINED = "group_joined", "Role given"
    GROUP_LEFT = "group_left", "Role taken away"
    ACCOUNT_FLAGS = "account_flags", "Account status changed"


class AccessEvent(models.Model):
    """One change to someone's access. Written only by registers.services.security."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=30, choices=AccessEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="access_events_made",
        help_text="Who made the change; empty for the system.",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="access_events",
        help_text="Whose access changed.",
    )
    # Kept as text too, so the trail reads the same after a user is deleted.
    subject_name = models.CharField(max_length=150, blank=True)
    # A group's permission changes name the group here instead of a user.
    group_name = models.CharField(max_length=150, blank=True)
    record = models.CharField(
        max_length=300, blank=True, help_text="The record, for a per-record permission."
    )
    reason = models.TextField(blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        default_permissions = ("view",)
        permissions = [("manage_sign_in", "Can reset second factors and clear lockouts")]
        verbose_name = "access change"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject_name}"
