"""A contract's action pages: authorise a spot purchase, extend, terminate. Each shows
what the user confirms (the justification; the current and new end dates)."""

from django import forms
from django.utils import timezone

from registers.admin.action_pages import ActionPage
from registers.admin.display import pounds, uk_date
from registers.admin.forms import ActionForm
from registers.models import AuthoriserRole
from registers.permissions import can
from registers.services.contracts import (
    contract_authorisation_allowed,
    contract_authorise_spot,
    contract_extend,
    contract_extension_end,
    contract_extension_refusal,
    contract_terminate,
)


class AuthoriseForm(ActionForm):
    role = forms.ChoiceField(label="You authorise as", choices=AuthoriserRole.choices)
    confirm = forms.BooleanField(
        label="I have read the written justification and authorise this spot purchase.",
    )


class ExtendForm(ActionForm):
    reason = forms.CharField(
        label="Reason for extending",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the contract's history.",
    )
    confirm = forms.BooleanField(label="Use one extension option")


def _authorise_facts(contract) -> list[tuple[str, str]]:
    return [
        ("Written justification", contract.spot_justification),
        ("Requested by", str(contract.spot_requested_by or "")),
        ("Provider", str(contract.provider)),
        ("Annual value", pounds(contract.annual_value)),
        ("Total value", pounds(contract.total_value)),
    ]


def _extend_facts(contract) -> list[tuple[str, str]]:
    return [
        ("Current end date", uk_date(contract.end_date)),
        ("New end date", uk_date(contract_extension_end(contract=contract))),
        (
            "Extension options",
            f"{contract.extensions_used} of {contract.extension_options} used; "
            f"each adds {contract.extension_months} months",
        ),
    ]


class TerminateForm(ActionForm):
    terminated_on = forms.DateField(label="Terminated on", initial=timezone.localdate)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


def _authorise(contract, data, user) -> str:
    contract_authorise_spot(contract=contract, user=user, role=data["role"])
    return f"The spot purchase {contract.reference} is authorised."


def _extend(contract, data, user) -> str:
    contract_extend(contract=contract, user=user, reason=data["reason"])
    return f"{contract.reference} now ends on {contract.end_date:%d/%m/%Y}."


def _terminate(contract, data, user) -> str:
    contract_terminate(
        contract=contract, user=user, terminated_on=data["terminated_on"], reason=data["reason"]
    )
    return f"{contract.reference} is terminated."


def _may_change(contract, user) -> bool:
    return can(user, "change", contract)


CONTRACT_ACTION_PAGES = (
    ActionPage(
        name="authorise",
        label="Authorise spot purchase",
        icon="approval",
        form=AuthoriseForm,
        title="Authorise a spot purchase",
        run=_authorise,
        allowed=lambda c, user: contract_authorisation_allowed(contract=c, user=user),
        submit_label="Authorise",
        facts=_authorise_facts,
        intro="A spot purchase is allowed only with a written justification of why the "
        "framework could not meet the need, authorised in writing by a Head of Service or "
        "Director. You cannot authorise your own request.",
    ),
    ActionPage(
        name="extend",
        label="Extend",
        icon="update",
        form=ExtendForm,
        title="Use an extension option",
        run=_extend,
        allowed=lambda c, user: _may_change(c, user) and not contract_extension_refusal(contract=c),
        submit_label="Extend",
        facts=_extend_facts,
    ),
    ActionPage(
        name="terminate",
        label="Terminate",
        icon="block",
        form=TerminateForm,
        title="Terminate the contract",
        run=_terminate,
        allowed=lambda c, user: _may_change(c, user) and not c.terminated_on,
        submit_label="Terminate",
    ),
)
