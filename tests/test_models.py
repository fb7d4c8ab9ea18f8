"""Validation users would expect, each with a clear message and a failing case."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from registers.models import Inspection, InspectionType, Judgement, Provider, Setting
from registers.validators import normalise_company_number
from tests.factories import (
    ContractFactory,
    InspectionFactory,
    ProviderFactory,
    SettingFactory,
    today,
)

pytestmark = pytest.mark.django_db


def errors_of(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


class TestOfstedUrn:
    @pytest.mark.parametrize("urn", ["SC123456", "1234567", "sc123456", "123456"])
    def test_accepts_sc_seven_and_six_digit_urns(self, urn):
        setting = Setting(urn=urn, provision_type="Children's home")
        setting.full_clean(exclude=["provider"])
        assert setting.urn == urn.strip().upper()

    @pytest.mark.parametrize("urn", ["SC12345", "12345678", "AB123456", "SC1234567", "12345"])
    def test_refuses_anything_else_with_a_clear_message(self, urn):
        errors = errors_of(Setting(urn=urn, provision_type="Children's home"))
        assert "is not an Ofsted URN" in errors["urn"][0]

    def test_urn_is_unique(self):
        SettingFactory(urn="SC100001")
        with pytest.raises(IntegrityError):
            SettingFactory(urn="SC100001")

    def test_settings_ofsted_does_not_register_have_no_urn(self):
        # Unregulated and supported accommodation: no URN, and many of them.
        for _ in range(2):
            setting = SettingFactory.build(
                urn="", provision_type="Supported accommodation", provider=None
            )
            setting.full_clean(exclude=["provider"])
            setting.save()
        assert Setting.objects.filter(urn__isnull=True).count() == 2
        assert "no URN" in str(setting)


class TestCompaniesHouseNumber:
    @pytest.mark.parametrize(
        ("given", "stored"),
        [
            ("123456", "00123456"),
            ("1234", "00001234"),
            ("SC12345", "SC012345"),
            ("sc 012345", "SC012345"),
            ("OC301234", "OC301234"),
            ("R123", "R0000123"),
            ("01234567", "01234567"),
        ],
    )
    def test_legacy_short_numbers_are_zero_padded(self, given, stored):
        provider = Provider(name="Acme Care", company_number=given)
        provider.full_clean()
        assert provider.company_number == stored
        assert normalise_company_number(given) == stored

    @pytest.mark.parametrize("given", ["123456789", "ABC12345", "SC1234567", "12-34"])
    def test_malformed_numbers_are_refused(self, given):
        errors = errors_of(Provider(name="Acme Care", company_number=given))
        assert "is not a Companies House number" in errors["company_number"][0]

    def test_two_providers_cannot_share_a_number(self):
        ProviderFactory(company_number="01234567")
        errors = errors_of(Provider(name="Other", company_number="1234567"))
        assert "Another provider has this Companies House number" in str(errors)


class TestDatesAndMoney:
    def test_contract_end_cannot_precede_start(self):
        contract = ContractFactory.build(
            provider=ProviderFactory(), start_date=today(), end_date=today() - timedelta(days=1)
        )
        errors = errors_of(contract)
        assert errors["end_date"] == ["The end date cannot be before the start date."]

    def test_database_also_refuses_end_before_start(self):
        contract = ContractFactory()
        contract.end_date = contract.start_date - timedelta(days=1)
        with pytest.raises(IntegrityError):
            contract.save()

    @pytest.mark.parametrize("field", ["annual_value", "total_value", "vat_not_recoverable"])
    def test_money_cannot_be_negative(self, field):
        contract = ContractFactory.build(provider=ProviderFactory(), **{field: Decimal("-1")})
        errors = errors_of(contract)
        assert errors[field] == ["Amounts cannot be negative."]

    def test_inspection_cannot_be_published_before_it_happened(self):
        inspection = InspectionFactory.build(
            setting=SettingFactory(),
            inspection_date=today() - timedelta(days=10),
            publication_date=today() - timedelta(days=20),
        )
        assert errors_of(inspection)["publication_date"] == [
            "The report cannot be published before the inspection."
        ]

    def test_inspection_date_cannot_be_in_the_future(self):
        inspection = InspectionFactory.build(
            setting=SettingFactory(),
            inspection_date=today() + timedelta(days=1),
            publication_date=None,
        )
        assert "cannot be in the future" in errors_of(inspection)["inspection_date"][0]


class TestJudgementScale:
    @pytest.mark.parametrize(
        "judgement",
        [
            Judgement.OUTSTANDING,
            Judgement.GOOD,
            Judgement.REQUIRES_IMPROVEMENT,
            Judgement.INADEQUATE,
            Judgement.ADEQUATE,
            Judgement.SATISFACTORY,
        ],
    )
    def test_full_inspection_takes_the_full_scale(self, judgement):
        InspectionFactory.build(setting=SettingFactory(), overall=judgement).full_clean()

    def test_value_outside_the_scale_is_refused(self):
        inspection = InspectionFactory.build(setting=SettingFactory(), overall="brilliant")
        assert "not a valid choice" in errors_of(inspection)["overall"][0]

    def test_full_inspection_cannot_take_an_interim_judgement(self):
        inspection = InspectionFactory.build(setting=SettingFactory(), overall=Judgement.IMPROVED)
        assert "A full inspection is judged" in errors_of(inspection)["overall"][0]

    def test_interim_inspection_takes_only_effectiveness(self):
        inspection = InspectionFactory.build(
            setting=SettingFactory(), inspection_type=InspectionType.INTERIM, overall=Judgement.GOOD
        )
        assert "Improved, Sustained or Declined" in errors_of(inspection)["overall"][0]

    def test_full_inspection_needs_a_judgement(self):
        inspection = InspectionFactory.build(setting=SettingFactory(), overall="")
        assert errors_of(inspection)["overall"] == ["A full inspection needs an overall judgement."]

    def test_sub_judgements_use_the_scale(self):
        inspection = InspectionFactory.build(setting=SettingFactory(), health_services="improved")
        assert "not a valid choice" in errors_of(inspection)["health_services"][0]

    def test_event_number_unique_per_setting_not_globally(self):
        first = InspectionFactory(event_number="999")
        InspectionFactory(event_number="999")  # another setting: one event, two branches
        with pytest.raises(IntegrityError):
            Inspection.objects.create(
                setting=first.setting, event_number="999", inspection_date=today(), overall="good"
            )
