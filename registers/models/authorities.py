"""Authorities: the councils sharing one install (a regional purchasing system).

Providers, settings, inspections and frameworks are shared by every authority;
contracts, spot-fund applications, visits and concerns are owned by one.
"""

from django.conf import settings
from django.db import models


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
