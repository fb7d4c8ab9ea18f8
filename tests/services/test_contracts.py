"""The contracts service: who may add, change and hand over a contract, the
rules that read other records, extensions, terminations and the written
authorisation of spot purchases."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registers import roles
from registers.changes import Change, change_from
from registers.models import Contract, FrameworkKind
from registers.services.contracts import (
    contract_authorisation_allowed,
    contract_authorise_spot,
    contract_extend,
    contract_extension_refusal,
    contract_manager_editable,
    contract_save,
    contract_terminate,
    contracts_check,
    contracts_write,
)
from tests.factories import (
    ContractFactory,
    FrameworkFactory,
    LotFactory,
    ProviderFactory,
    SettingFactory,
    today,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 22)
JUSTIFICATION = "No framework provider could take the child at short notice."


def messages(refusals) -> list[tuple[str | None, str]]:
    return [message for refusal in refusals for message in refusal.messages()]


def check(contract: Contract, user, before: Contract | None = None):
    return messages(contracts_check(changes=[Change(obj=contract, before=before)], user=user))


def edit(contract: Contract, user, **values):
    """Check a change to a stored contract, as a form would."""
    change = change_from(contract)
    for name, value in values.items():
        setattr(contract, name, value)
    return messages(contracts_check(changes=[change], user=user))


def stored(contract: Contract) -> Contract:
    return Contract.objects.get(pk=contract.pk)


def admitted_lot(provider, kind=FrameworkKind.FRAMEWORK):
    lot = LotFactory(framework=FrameworkFactory(kind=kind))
    lot.providers.add(provider)
    return lot


class TestContractSave:
    def test_creating_a_contract_records_who_and_why(self, support):
        contract = ContractFactory.build(provider=ProviderFactory(), reference="C-NEW")
        contract_save(contract=contract, user=support)
        created = Contract.objects.get(reference="C-NEW")
        row = created.history.get()
        assert (row.history_type, row.history_user, row.history_change_reason) == (
            "+",
            support,
            "Contract created",
        )

    def test_changing_a_contract_records_the_new_values_with_who_and_why(self, support):
        contract = ContractFactory(title="Old title")
        contract.title = "Residential care, Sefton"
        contract_save(contract=contract, user=support, reason="Title corrected")
        assert stored(contract).title == "Residential care, Sefton"
        row = contract.history.first()
        assert (row.history_type, row.history_user, row.history_change_reason, row.title) == (
            "~",
            support,
            "Title corrected",
            "Residential care, Sefton",
        )

    def test_the_default_reason_for_a_change(self, support):
        contract = ContractFactory()
        contract.department = "Education"
        contract_save(contract=contract, user=support)
        assert contract.history.first().history_change_reason == "Contract saved"

    def test_a_refused_change_writes_nothing(self, support):
        contract = ContractFactory(title="Old title")
        contract.title = "New title"
        contract.end_date = contract.start_date - timedelta(days=1)
        with pytest.raises(ValidationError) as caught:
            contract_save(contract=contract, user=support)
        assert caught.value.message_dict == {
            "end_date": ["The end date cannot be before the start date."]
        }
        assert stored(contract).title == "Old title"
        assert contract.history.count() == 1

    @pytest.mark.parametrize("role", ["officer", "qa1", "auditor"])
    def test_only_managers_and_business_support_add_contracts(self, role, request):
        user = request.getfixturevalue(role)
        contract = ContractFactory.build(provider=ProviderFactory())
        assert check(contract, user) == [(None, "You may not add contracts.")]

    def test_a_commissioning_officer_changes_only_the_contracts_they_manage(
        self, officer, make_user
    ):
        colleague = make_user(roles.COMMISSIONING_OFFICER)
        theirs = ContractFactory(contract_manager=colleague)
        mine = ContractFactory(contract_manager=officer)
        assert edit(theirs, officer, title="Changed") == [
            (None, "This is not a contract you may change.")
        ]
        assert edit(mine, officer, title="Changed") == []


class TestCallOffs:
    def test_a_call_off_from_an_admitted_provider_on_the_routes_lot_is_accepted(self, manager):
        provider = ProviderFactory()
        for route, kind in [
            ("framework_call_off", FrameworkKind.FRAMEWORK),
            ("dps_call_off", FrameworkKind.DPS),
            ("fps_call_off", FrameworkKind.FPS),
        ]:
            lot = admitted_lot(provider, kind)
            contract = ContractFactory.build(provider=provider, procurement_route=route, lot=lot)
            assert check(contract, manager) == [], route

    def test_a_lot_of_another_kind_is_refused_naming_both(self, manager):
        provider = ProviderFactory()
        lot = admitted_lot(provider, FrameworkKind.FRAMEWORK)
        contract = ContractFactory.build(
            provider=provider, procurement_route="fps_call_off", lot=lot
        )
        assert check(contract, manager) == [
            ("lot", f"{lot} belongs to a framework agreement, not to a fps call-off.")
        ]

    def test_only_a_call_off_names_a_lot(self, manager):
        provider = ProviderFactory()
        contract = ContractFactory.build(
            provider=provider, procurement_route="open_tender", lot=admitted_lot(provider)
        )
        assert check(contract, manager) == [
            ("lot", "Only a framework, DPS or FPS call-off names a lot.")
        ]

    def test_admission_is_checked_for_each_contract_of_a_batch(self, manager):
        admitted, outsider = ProviderFactory(), ProviderFactory(name="Outsider Ltd")
        lot = admitted_lot(admitted)
        good = ContractFactory.build(provider=admitted, procurement_route="framework_call_off")
        bad = ContractFactory.build(provider=outsider, procurement_route="framework_call_off")
        good.lot = bad.lot = lot
        refusals = contracts_check(changes=[Change(obj=good), Change(obj=bad)], user=manager)
        assert [refusal.change.obj for refusal in refusals] == [bad]
        assert messages(refusals) == [
            (
                "provider",
                f"Outsider Ltd is not admitted to {lot}: admit it to the lot first, or use "
                "another route.",
            )
        ]

    def test_checking_twenty_contracts_costs_the_queries_of_one(
        self, manager, officer, django_assert_max_num_queries
    ):
        provider = ProviderFactory()
        lot = admitted_lot(provider)
        setting = SettingFactory(provider=provider)

        def changes(count: int) -> list[Change]:
            return [
                Change(
                    obj=ContractFactory.build(
                        provider=provider,
                        procurement_route="framework_call_off",
                        lot=lot,
                        setting=setting,
                        contract_manager=officer,
                    )
                )
                for _ in range(count)
            ]

        def fresh_manager():  # no permissions cached from an earlier check
            return get_user_model().objects.get(pk=manager.pk)

        one = changes(1)
        user = fresh_manager()
        with CaptureQueriesContext(connection) as queries:
            assert contracts_check(changes=one, user=user) == []
        twenty = changes(20)
        user = fresh_manager()
        with django_assert_max_num_queries(len(queries)):
            assert contracts_check(changes=twenty, user=user) == []


class TestSettingAndManager:
    def test_the_setting_must_be_run_by_the_contracts_provider(self, manager):
        setting = SettingFactory(name="Willow House")
        contract = ContractFactory.build(provider=ProviderFactory(), setting=setting)
        assert check(contract, manager) == [("setting", f"{setting} is run by another provider.")]
        contract.provider = setting.provider
        assert check(contract, manager) == []

    def test_a_setting_with_no_known_provider_may_be_named(self, manager):
        setting = SettingFactory(provider=None)
        contract = ContractFactory.build(provider=ProviderFactory(), setting=setting)
        assert check(contract, manager) == []

    def test_the_manager_is_an_active_commissioning_officer_or_manager(
        self, support, officer, manager, qa1, make_user
    ):
        left = make_user(roles.COMMISSIONING_OFFICER, username="left", is_active=False)
        provider = ProviderFactory()
        for person in (officer, manager):
            contract = ContractFactory.build(provider=provider, contract_manager=person)
            assert check(contract, support) == []
        for person in (qa1, left):
            contract = ContractFactory.build(provider=provider, contract_manager=person)
            assert check(contract, support) == [
                (
                    "contract_manager",
                    f"{person} is not an active commissioning officer or manager.",
                )
            ]

    def test_a_manager_who_has_since_left_stays_on_other_changes(self, support, make_user):
        left = make_user(roles.COMMISSIONING_OFFICER, username="left")
        contract = ContractFactory(contract_manager=left)
        left.is_active = False
        left.save()
        assert edit(contract, support, title="Changed") == []

    def test_only_holders_of_change_contract_hand_a_contract_on(self, officer, support, make_user):
        colleague = make_user(roles.COMMISSIONING_OFFICER, username="colleague")
        contract = ContractFactory(contract_manager=officer)
        assert edit(contract, officer, contract_manager=colleague) == [
            (
                "contract_manager",
                "Only managers and business support hand a contract to another manager.",
            )
        ]
        contract = stored(contract)
        assert edit(contract, support, contract_manager=colleague) == []

    def test_naming_the_manager_of_a_new_contract_is_not_handing_it_on(self, support, officer):
        contract = ContractFactory.build(provider=ProviderFactory(), contract_manager=officer)
        contract_save(contract=contract, user=support)
        assert stored(contract).contract_manager == officer

    @pytest.mark.parametrize(
        ("role", "editable"),
        [
            ("manager", True),
            ("support", True),
            ("officer", False),
            ("qa1", False),
            ("auditor", False),
        ],
    )
    def test_who_may_edit_the_contract_manager(self, role, editable, request):
        user = request.getfixturevalue(role)
        assert contract_manager_editable(user=user) is editable

    def test_an_inactive_manager_may_not_edit_the_contract_manager(self, make_user):
        user = make_user(roles.MANAGER, is_active=False)
        assert contract_manager_editable(user=user) is False


class TestPermissionMoves:
    def test_a_new_contracts_manager_may_change_it(self, support, officer):
        contract = ContractFactory.build(provider=ProviderFactory(), contract_manager=officer)
        contract_save(contract=contract, user=support)
        assert officer.has_perm("registers.change_contract", contract)

    def test_clearing_the_manager_takes_their_permission(self, support, officer):
        contract = ContractFactory(contract_manager=officer)
        contract.contract_manager = None
        contract_save(contract=contract, user=support)
        officer = get_user_model().objects.get(pk=officer.pk)
        assert not officer.has_perm("registers.change_contract", contract)

    def test_handing_several_contracts_on_at_once_moves_each_permission(
        self, manager, officer, make_user
    ):
        colleague = make_user(roles.COMMISSIONING_OFFICER, username="colleague")
        contracts = ContractFactory.create_batch(3, contract_manager=officer)
        changes = []
        for contract in contracts:
            changes.append(change_from(contract))
            contract.contract_manager = colleague
        assert contracts_check(changes=changes, user=manager) == []
        contracts_write(changes=changes, user=manager, reason="Officer on leave")
        officer = get_user_model().objects.get(pk=officer.pk)
        for contract in contracts:
            assert not officer.has_perm("registers.change_contract", contract)
            assert colleague.has_perm("registers.change_contract", contract)
            row = contract.history.first()
            assert (row.history_user, row.history_change_reason, row.contract_manager_id) == (
                manager,
                "Officer on leave",
                colleague.pk,
            )


class TestSpotPurchaseRecords:
    def test_a_new_spot_purchase_records_who_asked_for_it(self, support):
        contract = ContractFactory.build(
            provider=ProviderFactory(),
            procurement_route="spot_purchase",
            spot_justification=JUSTIFICATION,
        )
        contract_save(contract=contract, user=support)
        assert stored(contract).spot_requested_by == support

    def test_a_requester_named_by_the_path_is_kept(self, support, officer):
        contract = ContractFactory.build(
            provider=ProviderFactory(), procurement_route="spot_purchase", spot_requested_by=officer
        )
        contract_save(contract=contract, user=support)
        assert stored(contract).spot_requested_by == officer

    def test_a_new_contract_of_another_route_has_no_requester(self, support, officer):
        contract = ContractFactory.build(
            provider=ProviderFactory(),
            procurement_route="block_contract",
            spot_requested_by=officer,
        )
        contract_save(contract=contract, user=support)
        assert stored(contract).spot_requested_by is None

    def test_changing_a_spot_purchase_keeps_its_requester(self, support, manager):
        contract = ContractFactory(procurement_route="spot_purchase", spot_requested_by=support)
        contract.title = "Changed"
        contract_save(contract=contract, user=manager)
        assert stored(contract).spot_requested_by == support

    def test_the_justification_may_change_until_it_is_authorised(self, support, manager):
        contract = ContractFactory(
            procurement_route="spot_purchase",
            spot_justification=JUSTIFICATION,
            spot_requested_by=support,
        )
        assert edit(contract, support, spot_justification="Reworded") == []
        contract = stored(contract)
        contract_authorise_spot(contract=contract, user=manager, role="director", on=TODAY)
        assert edit(contract, manager, spot_justification="Reworded") == [
            (
                "spot_justification",
                "The justification was authorised in writing and cannot change now.",
            )
        ]
        contract = stored(contract)
        assert edit(contract, manager, title="Changed") == []


class TestExtend:
    def contract(self, **values):
        return ContractFactory(
            **{"end_date": date(2027, 3, 31), "extension_options": 2, "extension_months": 6}
            | values
        )

    def test_the_contract_manager_may_extend_their_contract(self, officer):
        contract = self.contract(contract_manager=officer)
        contract_extend(contract=contract, user=officer, reason="Good value", today=TODAY)
        assert (stored(contract).end_date, stored(contract).extensions_used) == (
            date(2027, 9, 30),
            1,
        )
        row = contract.history.first()
        assert (row.history_user, row.history_change_reason) == (
            officer,
            "Extension 1 of 2 used: end date moved from 31/03/2027 to 30/09/2027. "
            "Reason: Good value",
        )

    def test_someone_who_may_not_change_the_contract_may_not_extend_it(self, officer):
        contract = self.contract()
        with pytest.raises(ValidationError, match="not a contract you may change"):
            contract_extend(contract=contract, user=officer, reason="Good value", today=TODAY)
        assert (stored(contract).end_date, stored(contract).extensions_used) == (
            date(2027, 3, 31),
            0,
        )
        assert contract.history.count() == 1

    def test_a_terminated_contract_cannot_be_extended(self, manager):
        contract = self.contract(terminated_on=TODAY, termination_reason="Provider closed")
        assert contract_extension_refusal(contract=contract, today=TODAY) == (
            f"{contract} was terminated and cannot be extended."
        )
        with pytest.raises(ValidationError, match="was terminated"):
            contract_extend(contract=contract, user=manager, reason="Good value", today=TODAY)
        assert stored(contract).end_date == date(2027, 3, 31)

    def test_an_ended_contract_cannot_be_extended(self, manager):
        contract = self.contract(start_date=date(2024, 1, 1), end_date=date(2026, 11, 21))
        assert contract_extension_refusal(contract=contract, today=TODAY) == (
            f"{contract} ended on 21/11/2026: it cannot be extended."
        )
        with pytest.raises(ValidationError, match="ended on 21/11/2026"):
            contract_extend(contract=contract, user=manager, reason="Good value", today=TODAY)
        assert stored(contract).end_date == date(2026, 11, 21)

    def test_a_contract_ending_today_can_still_be_extended(self, manager):
        contract = self.contract(start_date=date(2024, 1, 1), end_date=TODAY)
        assert contract_extension_refusal(contract=contract, today=TODAY) == ""

    def test_no_option_left(self, manager):
        contract = self.contract(extension_options=0, extension_months=0)
        assert contract_extension_refusal(contract=contract, today=TODAY) == (
            f"{contract} has no extension option left: it allowed 0 and 0 used."
        )
        contract = self.contract(extension_months=12)
        contract_extend(contract=contract, user=manager, reason="Good value", today=TODAY)
        contract_extend(contract=contract, user=manager, reason="Good value", today=TODAY)
        assert contract_extension_refusal(contract=contract, today=TODAY) == (
            f"{contract} has no extension option left: it allowed 2 and 2 used."
        )
        with pytest.raises(ValidationError, match="no extension option left"):
            contract_extend(contract=contract, user=manager, reason="Good value", today=TODAY)
        assert (stored(contract).end_date, stored(contract).extensions_used) == (
            date(2029, 3, 31),
            2,
        )


class TestTerminate:
    def test_termination_records_the_date_and_reason(self, manager):
        contract = ContractFactory()
        contract_terminate(
            contract=contract, user=manager, terminated_on=today(), reason="  Provider closed  "
        )
        contract = stored(contract)
        assert (contract.terminated_on, contract.termination_reason) == (
            today(),
            "Provider closed",
        )
        row = contract.history.first()
        assert row.history_user == manager
        assert row.history_change_reason.startswith("Terminated: ")
        assert "Provider closed" in row.history_change_reason

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_termination_needs_a_reason(self, reason, manager):
        contract = ContractFactory()
        with pytest.raises(ValidationError) as caught:
            contract_terminate(
                contract=contract, user=manager, terminated_on=today(), reason=reason
            )
        assert caught.value.message_dict == {
            "termination_reason": ["Give the reason the contract was terminated."]
        }
        assert stored(contract).terminated_on is None
        assert contract.history.count() == 1

    def test_a_contract_cannot_be_terminated_before_it_starts(self, manager):
        contract = ContractFactory(start_date=date(2026, 1, 1))
        with pytest.raises(ValidationError) as caught:
            contract_terminate(
                contract=contract,
                user=manager,
                terminated_on=date(2025, 12, 31),
                reason="Never started",
            )
        assert caught.value.message_dict == {
            "terminated_on": ["A contract cannot end before it starts."]
        }

    def test_only_someone_who_may_change_the_contract_terminates_it(self, auditor):
        contract = ContractFactory()
        with pytest.raises(ValidationError, match="not a contract you may change"):
            contract_terminate(
                contract=contract, user=auditor, terminated_on=today(), reason="Closed"
            )
        assert stored(contract).terminated_on is None


class TestAuthoriseSpot:
    def spot(self, requester, **values):
        return ContractFactory(
            **{
                "procurement_route": "spot_purchase",
                "spot_justification": JUSTIFICATION,
                "spot_requested_by": requester,
            }
            | values
        )

    def test_authorisation_records_who_as_what_and_when(self, support, make_user):
        director = make_user(roles.MANAGER, first_name="Jo", last_name="Bloggs")
        contract = self.spot(support)
        contract_authorise_spot(contract=contract, user=director, role="director", on=TODAY)
        contract = stored(contract)
        assert (
            contract.spot_authorised_by,
            contract.spot_authoriser_role,
            contract.spot_authorised_on,
        ) == (director, "director", TODAY)
        row = contract.history.first()
        assert (row.history_user, row.history_change_reason) == (
            director,
            "Spot purchase authorised in writing by Jo Bloggs (Director)",
        )

    def test_the_date_defaults_to_today(self, support, manager):
        contract = self.spot(support)
        contract_authorise_spot(contract=contract, user=manager, role="head_of_service")
        assert stored(contract).spot_authorised_on == today()
        assert contract.history.first().history_change_reason.endswith("(Head of Service)")

    def test_only_a_spot_purchase_is_authorised(self, manager):
        contract = ContractFactory(procurement_route="open_tender")
        with pytest.raises(ValidationError, match="is not a spot purchase"):
            contract_authorise_spot(contract=contract, user=manager, role="director")
        assert stored(contract).spot_authorised_on is None

    def test_an_authorised_spot_purchase_is_not_authorised_again(self, support, manager, make_user):
        other = make_user(roles.MANAGER)
        contract = self.spot(support)
        contract_authorise_spot(contract=contract, user=manager, role="director", on=TODAY)
        with pytest.raises(ValidationError, match="was authorised on 22/11/2026"):
            contract_authorise_spot(contract=contract, user=other, role="director")
        assert stored(contract).spot_authorised_by == manager

    def test_business_support_may_not_authorise(self, support, officer):
        contract = self.spot(officer)
        with pytest.raises(PermissionDenied, match="Head of Service or Director"):
            contract_authorise_spot(contract=contract, user=support, role="director")
        assert stored(contract).spot_authorised_on is None

    def test_the_justification_is_written_first(self, support, manager):
        contract = self.spot(support, spot_justification="   ")
        with pytest.raises(ValidationError) as caught:
            contract_authorise_spot(contract=contract, user=manager, role="director")
        assert caught.value.message_dict == {
            "spot_justification": ["Write why the framework could not meet the need first."]
        }
        assert stored(contract).spot_authorised_on is None
        assert contract.history.count() == 1

    def test_an_unknown_role_is_refused_and_nothing_is_written(self, support, manager):
        contract = self.spot(support)
        with pytest.raises(ValueError):
            contract_authorise_spot(contract=contract, user=manager, role="chief_executive")
        assert stored(contract).spot_authorised_on is None

    @pytest.mark.parametrize(
        ("role", "allowed"),
        [
            ("manager", True),
            ("support", False),
            ("officer", False),
            ("qa1", False),
            ("auditor", False),
        ],
    )
    def test_who_is_offered_the_authorisation(self, role, allowed, request, make_user):
        user = request.getfixturevalue(role)
        requester = make_user(roles.BUSINESS_SUPPORT, username="requester")
        contract = self.spot(requester, contract_manager=None)
        assert contract_authorisation_allowed(contract=contract, user=user) is allowed

    def test_whoever_asked_for_it_is_not_offered_it(self, manager):
        contract = self.spot(manager)
        with pytest.raises(PermissionDenied):
            contract_authorise_spot(contract=contract, user=manager, role="director")
        assert contract_authorisation_allowed(contract=contract, user=manager) is False

    def test_the_contracts_own_manager_is_not_offered_it(self, officer, support):
        contract = self.spot(support, contract_manager=officer)
        assert contract_authorisation_allowed(contract=contract, user=officer) is False

    def test_no_one_is_offered_it_for_another_route_or_a_second_time(self, manager, support):
        assert not contract_authorisation_allowed(
            contract=ContractFactory(procurement_route="open_tender"), user=manager
        )
        contract = self.spot(support)
        contract_authorise_spot(contract=contract, user=manager, role="director")
        assert not contract_authorisation_allowed(contract=contract, user=manager)
