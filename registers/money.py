"""Amounts in pounds as people type them: "£150,000.00", "150,000" or "150000".

One rule for reading an amount, used by every money field of every form and by
the spreadsheet imports.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from unfold.widgets import UnfoldAdminTextInputWidget

MONEY_FORM = "write 1250.00 or £1,250.00"


def parse_pounds(text: str) -> Decimal:
    """The amount in ``text``, without its pound sign, thousands commas and spaces;
    raises ValueError when it is not a number."""
    cleaned = str(text).replace("£", "").replace(",", "").replace(" ", "").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"is not an amount in pounds ({MONEY_FORM})") from None
    if not amount.is_finite():
        raise ValueError("is not an amount in pounds")
    return amount


class MoneyFormField(forms.DecimalField):
    """A money field: takes "£150,000.00" as well as "150000". A text input, as a
    number input refuses the pound sign and commas before the form sees them."""

    def __init__(self, **kwargs):
        kwargs["widget"] = UnfoldAdminTextInputWidget(attrs={"inputmode": "decimal"})
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                value = str(parse_pounds(value))
            except ValueError:
                raise forms.ValidationError(
                    f"Enter an amount in pounds: {MONEY_FORM}.", code="invalid"
                ) from None
        return super().to_python(value)
