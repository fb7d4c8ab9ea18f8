"""A contract's follow-up records: quarterly reviews, documents and price
variations. Whoever may change the contract may add them; a variation in
effect moves the contract's annual value, and the history keeps the old one."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from registers import roles
from registers.changes import Change, change_from
from registers.models import (
    Contract,
    ContractDocument,
    ContractReview,
    ContractVariation,
)
from registers.services.contract_records import (
    contract_children_check,
    contract_children_write,
    contract_document_save,
    contract_review_save,
    contract_variation_record,
    contract_variations_apply_due,
    variation_value,
)
from tests.factories import ContractFactory, ContractReviewFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 22)


def messages(refusals) -> list[tuple[str | None, str]]:
    return [message for refusal in refusals for message in refusal.messages()]


def review(contract, **values) -> ContractReview:
    return ContractReview(
        **{
            "contract": contract,
            "year": 2026,
            "quarter": 3,
            "rag": "green",
            "kpis": "met",
            "reviewed_on": TODAY,
        }
        | values
    )


def document(contract, **values) -> ContractDocument:
    return ContractDocument(
        **{
            "contract": contract,
            "kind": "contract",
            "title": "Signed contract",
            "file": SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed"),
        }
        | values
    )


def variation(contract, **values) -> ContractVariation:
    return ContractVariation(
        **{
            "contract": contract,
            "kind": "uplift",
            "effective_date": TODAY,
            "percentage": Decimal("3.5"),
            "reason": "Annual uplift",
            "approved_by": "Head of Service",
        }
        | values
    )


def annual_value(contract) -> Decimal | None:
    return Contract.objects.get(pk=contract.pk).annual_value


class TestWhoMayAdd:
    def test_the_contract_manager_may_add_a_review_through_the_contract(self, officer):
        contract = ContractFactory(contract_manager=officer)
        contract_review_save(review=review(contract), user=officer)
        saved = ContractReview.objects.get(contract=contract)
        row = saved.history.get()
        assert (row.history_user, row.history_change_reason) == (
            officer,
            "Quarterly review recorded",
        )

    @pytest.mark.parametrize("record", [review, document, variation])
    def test_another_commissioning_officer_may_not(self, record, officer, make_user):
        colleague = make_user(roles.COMMISSIONING_OFFICER, username="colleague")
        contract = ContractFactory(contract_manager=colleague)
        refusals = contract_children_check(changes=[Change(obj=record(contract))], user=officer)
        assert messages(refusals) == [(None, "This is not a contract you may change.")]

    @pytest.mark.parametrize(("role", "allowed"), [("support", True), ("auditor", False)])
    def test_business_support_may_and_an_auditor_may_not(self, role, allowed, request):
        user = request.getfixturevalue(role)
        contract = ContractFactory()
        refusals = contract_children_check(changes=[Change(obj=review(contract))], user=user)
        assert (refusals == []) is allowed

    def test_a_refused_review_writes_nothing(self, auditor):
        contract = ContractFactory()
        with pytest.raises(ValidationError, match="not a contract you may change"):
            contract_review_save(review=review(contract), user=auditor)
        assert not ContractReview.objects.exists()

    def test_a_review_cannot_be_moved_to_a_contract_the_user_may_not_change(
        self, officer, make_user
    ):
        colleague = make_user(roles.COMMISSIONING_OFFICER, username="colleague")
        existing = ContractReviewFactory(contract=ContractFactory(contract_manager=officer))
        change = change_from(existing)
        existing.contract = ContractFactory(contract_manager=colleague)
        refusals = contract_children_check(changes=[change], user=officer)
        assert messages(refusals) == [(None, "This is not a contract you may change.")]

    def test_a_review_of_someone_elses_contract_cannot_be_moved_to_ones_own(
        self, officer, make_user
    ):
        colleague = make_user(roles.COMMISSIONING_OFFICER, username="colleague")
        theirs = ContractReviewFactory(contract=ContractFactory(contract_manager=colleague))
        change = change_from(theirs)
        theirs.contract = ContractFactory(contract_manager=officer)
        refusals = contract_children_check(changes=[change], user=officer)
        assert messages(refusals) == [(None, "This is not a contract you may change.")]


class TestWhoRecordedIt:
    def test_a_review_records_its_reviewer(self, support):
        saved = contract_review_save(review=review(ContractFactory()), user=support)
        assert ContractReview.objects.get(pk=saved.pk).reviewer == support

    def test_a_reviewer_named_by_the_path_is_kept(self, support, officer):
        saved = contract_review_save(
            review=review(ContractFactory(), reviewer=officer), user=support
        )
        assert ContractReview.objects.get(pk=saved.pk).reviewer == officer

    def test_changing_a_review_keeps_its_reviewer(self, support, manager):
        saved = contract_review_save(review=review(ContractFactory()), user=support)
        saved.notes = "KPIs agreed with the provider"
        contract_review_save(review=saved, user=manager)
        saved = ContractReview.objects.get(pk=saved.pk)
        assert (saved.reviewer, saved.notes) == (support, "KPIs agreed with the provider")
        assert saved.history.first().history_user == manager

    def test_a_document_records_who_uploaded_it(self, officer):
        contract = ContractFactory(contract_manager=officer)
        saved = contract_document_save(document=document(contract), user=officer)
        stored = ContractDocument.objects.get(pk=saved.pk)
        assert (stored.uploaded_by, stored.title) == (officer, "Signed contract")
        row = stored.history.get()
        assert (row.history_user, row.history_change_reason) == (officer, "Document uploaded")


class TestVariationRules:
    def test_an_uplift_needs_an_annual_value(self, manager):
        contract = ContractFactory(annual_value=None)
        refusals = contract_children_check(changes=[Change(obj=variation(contract))], user=manager)
        assert messages(refusals) == [("kind", "The contract has no annual value to uplift.")]

    def test_a_new_rate_needs_no_annual_value_before(self, manager):
        contract = ContractFactory(annual_value=None)
        new_rate = variation(
            contract, kind="new_rate", percentage=None, new_annual_value=Decimal("1000")
        )
        contract_variation_record(variation=new_rate, user=manager, today=TODAY)
        assert annual_value(contract) == Decimal("1000.00")

    def test_each_kind_needs_its_figure(self, manager):
        contract = ContractFactory()
        changes = [
            Change(obj=variation(contract, percentage=None)),
            Change(obj=variation(contract, kind="new_rate", percentage=None)),
        ]
        assert messages(contract_children_check(changes=changes, user=manager)) == [
            ("percentage", "An uplift needs a percentage."),
            ("new_annual_value", "A new rate needs the new annual value."),
        ]

    def test_an_applied_variation_cannot_change(self, manager):
        contract = ContractFactory()
        recorded = contract_variation_record(
            variation=variation(contract), user=manager, today=TODAY
        )
        applied = ContractVariation.objects.get(pk=recorded.pk)
        change = change_from(applied)
        applied.reason = "Reworded afterwards"
        refusals = contract_children_check(changes=[change], user=manager)
        assert messages(refusals) == [
            (None, "An applied variation cannot change: record a new one.")
        ]

    def test_saving_the_returned_variation_again_does_not_apply_it_twice(self, manager):
        contract = ContractFactory(annual_value=Decimal("48000.00"))
        recorded = contract_variation_record(
            variation=variation(contract), user=manager, today=TODAY
        )
        recorded.reason = "Reworded afterwards"
        with pytest.raises(ValidationError, match="An applied variation cannot change"):
            contract_variation_record(variation=recorded, user=manager, today=TODAY)
        assert annual_value(contract) == Decimal("49680.00")

    def test_a_variation_not_yet_applied_may_change(self, manager):
        contract = ContractFactory()
        waiting = contract_variation_record(
            variation=variation(contract, effective_date=TODAY + timedelta(days=30)),
            user=manager,
            today=TODAY,
        )
        change = change_from(waiting)
        waiting.percentage = Decimal("4")
        assert contract_children_check(changes=[change], user=manager) == []


class TestVariedValue:
    @pytest.mark.parametrize(
        ("current", "percentage", "expected"),
        [
            ("1.00", "0.5", "1.01"),  # 1.005: half up, not to even
            ("3.00", "0.5", "3.02"),  # 3.015
            ("200.00", "0.0025", "200.01"),  # 200.005
            ("200.00", "-0.0025", "200.00"),  # 199.995: half away from zero
        ],
    )
    def test_an_uplift_rounds_half_a_penny_up(self, current, percentage, expected):
        assert variation_value(
            current=Decimal(current), kind="uplift", percentage=Decimal(percentage)
        ) == Decimal(expected)

    def test_a_new_rate_is_to_the_penny(self):
        assert variation_value(
            current=Decimal("10"), kind="new_rate", new_annual_value=Decimal("1200")
        ) == Decimal("1200.00")

    def test_a_new_rate_rounds_half_a_penny_up(self):
        assert variation_value(
            current=None, kind="new_rate", new_annual_value=Decimal("1200.005")
        ) == Decimal("1200.01")

    def test_missing_figures_are_refused_by_field(self):
        with pytest.raises(ValidationError, match="no annual value to uplift"):
            variation_value(current=None, kind="uplift", percentage=Decimal("2"))
        with pytest.raises(ValidationError) as caught:
            variation_value(current=Decimal("100"), kind="uplift")
        assert caught.value.message_dict == {"percentage": ["An uplift needs a percentage."]}
        with pytest.raises(ValidationError) as caught:
            variation_value(current=Decimal("100"), kind="new_rate")
        assert caught.value.message_dict == {
            "new_annual_value": ["A new rate needs the new annual value."]
        }


class TestRecordingAVariation:
    def test_a_variation_in_effect_is_applied_at_once(self, manager):
        contract = ContractFactory(annual_value=Decimal("48000.00"))
        recorded = contract_variation_record(
            variation=variation(contract, effective_date=TODAY - timedelta(days=10)),
            user=manager,
            today=TODAY,
        )
        recorded = ContractVariation.objects.get(pk=recorded.pk)
        assert (
            recorded.previous_annual_value,
            recorded.resulting_annual_value,
            recorded.applied_on,
        ) == (Decimal("48000.00"), Decimal("49680.00"), TODAY)
        assert annual_value(contract) == Decimal("49680.00")
        reasons = list(recorded.history.values_list("history_change_reason", "history_user"))
        assert reasons == [
            ("Variation applied to the contract", manager.pk),
            ("Variation recorded", manager.pk),
        ]

    def test_a_future_variation_is_recorded_and_left_for_its_date(self, manager):
        contract = ContractFactory(annual_value=Decimal("48000.00"))
        recorded = contract_variation_record(
            variation=variation(contract, effective_date=TODAY + timedelta(days=1)),
            user=manager,
            today=TODAY,
        )
        recorded = ContractVariation.objects.get(pk=recorded.pk)
        assert (recorded.applied_on, recorded.resulting_annual_value) == (None, None)
        assert annual_value(contract) == Decimal("48000.00")
        assert contract.history.count() == 1

    def test_a_refused_variation_writes_nothing(self, officer):
        contract = ContractFactory(annual_value=Decimal("48000.00"))
        with pytest.raises(ValidationError):
            contract_variation_record(variation=variation(contract), user=officer, today=TODAY)
        assert not ContractVariation.objects.exists()
        assert annual_value(contract) == Decimal("48000.00")


class TestApplyingDueVariations:
    def due(self, contract, user, *entries):
        """Record variations dated later, as they wait for the daily job."""
        for values in entries:
            contract_variation_record(
                variation=variation(contract, **values), user=user, today=date(2026, 1, 1)
            )

    def test_the_contract_history_names_the_old_and_new_value(self, manager):
        contract = ContractFactory(annual_value=Decimal("48000.00"))
        self.due(contract, manager, {"effective_date": date(2026, 4, 1)})
        assert contract_variations_apply_due(user=None, today=TODAY) == 1
        row = contract.history.first()
        assert (row.history_user, row.annual_value, row.history_change_reason) == (
            None,
            Decimal("49680.00"),
            "Annual value changed from £48,000.00 to £49,680.00: price uplift (percentage) "
            "from 01/04/2026, approved by Head of Service",
        )

    def test_a_variation_of_a_contract_with_no_value_names_nothing_before(self, manager):
        contract = ContractFactory(annual_value=None)
        self.due(
            contract,
            manager,
            {
                "kind": "new_rate",
                "percentage": None,
                "new_annual_value": Decimal("1000"),
                "effective_date": date(2026, 4, 1),
                "approved_by": "Director",
            },
        )
        contract_variations_apply_due(user=None, today=TODAY)
        assert contract.history.first().history_change_reason.startswith(
            "Annual value changed from nothing to £1,000.00: new annual rate from 01/04/2026"
        )

    def test_it_is_idempotent(self, manager):
        contract = ContractFactory(annual_value=Decimal("48000.00"))
        self.due(contract, manager, {"effective_date": date(2026, 4, 1)})
        assert contract_variations_apply_due(user=None, today=TODAY) == 1
        rows = contract.history.count()
        assert contract_variations_apply_due(user=None, today=TODAY) == 0
        assert annual_value(contract) == Decimal("49680.00")
        assert contract.history.count() == rows

    def test_each_contracts_due_variations_are_applied_and_counted(self, manager):
        first = ContractFactory(annual_value=Decimal("1000.00"))
        second = ContractFactory(annual_value=Decimal("2000.00"))
        later = ContractFactory(annual_value=Decimal("3000.00"))
        self.due(first, manager, {"effective_date": date(2026, 4, 1), "percentage": 10})
        self.due(second, manager, {"effective_date": date(2026, 5, 1), "percentage": 10})
        self.due(later, manager, {"effective_date": TODAY + timedelta(days=1), "percentage": 10})
        assert contract_variations_apply_due(user=manager, today=TODAY) == 2
        assert [annual_value(c) for c in (first, second, later)] == [
            Decimal("1100.00"),
            Decimal("2200.00"),
            Decimal("3000.00"),
        ]

    def test_one_contracts_variations_are_applied_oldest_first(self, manager):
        contract = ContractFactory(annual_value=Decimal("1000.00"))
        self.due(
            contract,
            manager,
            {"effective_date": date(2026, 6, 1), "percentage": 10},
            {
                "effective_date": date(2026, 4, 1),
                "kind": "new_rate",
                "percentage": None,
                "new_annual_value": Decimal("1200"),
            },
        )
        applied = contract_variations_apply_due(user=manager, today=TODAY, contract=contract)
        assert applied == 2
        assert annual_value(contract) == Decimal("1320.00")

    def test_the_daily_job_applies_one_contracts_variations_oldest_first(self, manager):
        contract = ContractFactory(annual_value=Decimal("1000.00"))
        self.due(
            contract,
            manager,
            {"effective_date": date(2026, 6, 1), "percentage": 10},
            {
                "effective_date": date(2026, 4, 1),
                "kind": "new_rate",
                "percentage": None,
                "new_annual_value": Decimal("1200"),
            },
        )
        assert contract_variations_apply_due(user=None, today=TODAY) == 2
        assert annual_value(contract) == Decimal("1320.00")
        values = ContractVariation.objects.order_by("effective_date").values_list(
            "previous_annual_value", "resulting_annual_value"
        )
        assert list(values) == [
            (Decimal("1000.00"), Decimal("1200.00")),
            (Decimal("1200.00"), Decimal("1320.00")),
        ]


class TestChildrenWrite:
    def test_several_records_are_written_with_who_and_why(self, support):
        contract = ContractFactory()
        reviews = [review(contract, quarter=1), review(contract, quarter=2)]
        changes = [Change(obj=r) for r in reviews]
        assert contract_children_check(changes=changes, user=support) == []
        contract_children_write(changes=changes, user=support, reason="Back-filled reviews")
        rows = ContractReview.history.filter(contract=contract)
        assert sorted(rows.values_list("quarter", "history_user", "history_change_reason")) == [
            (1, support.pk, "Back-filled reviews"),
            (2, support.pk, "Back-filled reviews"),
        ]
        assert set(ContractReview.objects.values_list("reviewer", flat=True)) == {support.pk}
