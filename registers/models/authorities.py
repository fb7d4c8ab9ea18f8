"""Authorities: the councils sharing one install (a regional purchasing system).

Providers, settings, inspections and frameworks are shared by every authority;
contracts, spot-fund applications, visits and concerns are owned by one.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Authority(models.Model):
    name = models.CharField(max_length=100, unique=True)
    code = models.CharField(
        "ONS code",
        max_length=9,
        blank=True,
        help_text="The authority's ONS code, such as E08000014.",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="authorities"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"
        permissions = [("view_regional", "See the regional dashboard (counts and sums only)")]

    def __str__(self) -> str:
        return self.name


def authority_field() -> models.ForeignKey:
    """The owner of a council's own record. Chosen by the services from the
    user's authorities (registers.services.authorities), never typed in."""
    return models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The council this record belongs to.",
    )


class AuthoritySetting(models.Model):
    """One authority's own side of a shared setting: whether it has opted out of
    using it (an approved provider's settings are used by every member authority
    unless it opts out) and its own enhanced-monitoring flag, which each council
    using the setting carries for itself."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="setting_uses")
    setting = models.ForeignKey(
        "registers.Setting", on_delete=models.CASCADE, related_name="authority_uses"
    )
    opted_out = models.BooleanField(
        "opted out",
        default=False,
        help_text="The authority does not use this setting although its provider is approved.",
    )
    enhanced_monitoring = models.BooleanField(default=False)
    enhanced_monitoring_since = models.DateField(null=True, blank=True)
    enhanced_monitoring_inspection = models.ForeignKey(
        "registers.Inspection", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "authority's use of a setting"
        constraints = [
            models.UniqueConstraint(fields=["authority", "setting"], name="one_use_per_authority")
        ]
        indexes = [models.Index(fields=["setting", "enhanced_monitoring"])]

    def __str__(self) -> str:
        return f"{self.authority} – {self.setting}"
