"""Choices and field helpers shared by the registers."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from registers.money import MoneyFormField


class MoneyField(models.DecimalField):
    """A DecimalField whose form takes "£150,000.00" (registers/money.py)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MoneyFormField, **kwargs})

    def deconstruct(self):
        # Migrations see a plain DecimalField: the difference is only the form's.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


def money_field(verbose_name: str, **kwargs) -> models.DecimalField:
    """Pounds and pence, never negative."""
    kwargs.setdefault("null", True)
    kwargs.setdefault("blank", True)
    return MoneyField(
        verbose_name,
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"), message="Amounts cannot be negative.")],
        **kwargs,
    )


def non_negative(field: str, model: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0}) | Q(**{f"{field}__isnull": True}),
        name=f"{model}_{field}_not_negative",
    )


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
