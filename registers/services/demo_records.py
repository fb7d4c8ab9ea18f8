"""The demo council's records, built in memory for registers.services.demo to write.

Dates are relative to today, so there are always contracts expiring soon,
visits overdue and reviews missing. Random choices use a fixed seed, so two
runs on two machines give the same register.
"""

import random
from datetime import timedelta

from registers.dates import add_months
from registers.models import (
    ApprovalStatus,
    Framework,
    FrameworkKind,
    Inspection,
    InspectionType,
    Judgement,
    Lot,
    Provider,
    Sector,
    Setting,
)

DEMO_COMPANY_PREFIX = "0990"

PROVISION_TYPES = [
    ("Children's home", 60),
    ("Independent fostering agency", 15),
    ("Residential special school", 12),
    ("Supported accommodation", 15),
    ("Residential family centre", 4),
    ("Secure children's home", 2),
    ("Residential holiday scheme for disabled children", 4),
    ("Boarding school", 4),
]
JUDGEMENT_WEIGHTS = [
    (Judgement.OUTSTANDING, 18),
    (Judgement.GOOD, 52),
    (Judgement.REQUIRES_IMPROVEMENT, 22),
    (Judgement.INADEQUATE, 8),
]


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def build_providers(rng, names, today) -> list[Provider]:
    providers = []
    for index, name in enumerate(names["providers"]):
        town, county, _, postcode_area = rng.choice(names["places"])
        sector = weighted(
            rng, [(Sector.PRIVATE, 6), (Sector.VOLUNTARY, 3), (Sector.LOCAL_AUTHORITY, 1)]
        )
        status = weighted(
            rng,
            [
                (ApprovalStatus.APPROVED, 70),
                (ApprovalStatus.APPROVED_WITH_CONDITIONS, 10),
                (ApprovalStatus.APPLICANT, 12),
                (ApprovalStatus.SUSPENDED, 6),
                (ApprovalStatus.REMOVED, 2),
            ],
        )
        reason = {
            ApprovalStatus.APPROVED_WITH_CONDITIONS: "Monthly staffing returns until the next "
            "Ofsted inspection.",
            ApprovalStatus.SUSPENDED: "Suspended pending the outcome of a safeguarding enquiry.",
            ApprovalStatus.REMOVED: "Removed at the provider's request.",
        }.get(status, "")
        provider = Provider(
            name=name,
            company_number=f"{DEMO_COMPANY_PREFIX}{index:04d}",
            charity_number=f"11{index:05d}" if sector == Sector.VOLUNTARY else "",
            sector=sector,
            is_sme=rng.random() < 0.7,
            is_vcse=sector == Sector.VOLUNTARY,
            address_line_1=f"{rng.randint(1, 250)} {rng.choice(names['streets'])}",
            town=town,
            county=county,
            postcode=f"{postcode_area} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
            contact_name=rng.choice(
                [
                    "Alex Morgan",
                    "Sam Patel",
                    "Chris Doyle",
                    "Lee Hughes",
                    "Rachel Green",
                    "Imran Khan",
                ]
            ),
            contact_email=f"commissioning@{name.split()[0].lower()}.example.org",
            contact_phone=f"01{rng.randint(100, 999)} {rng.randint(100000, 999999)}",
            approval_status=status,
            approval_status_changed_on=today - timedelta(days=rng.randint(30, 900)),
            approval_status_reason=reason,
        )
        providers.append(provider)
    return providers


def build_settings(rng, names, providers, today) -> list[Setting]:
    settings_ = []
    home_names = list(names["home_names"])
    for index in range(120):
        provider = providers[index % len(providers)] if index < 112 else None
        provision = weighted(rng, PROVISION_TYPES)
        town, _, authority, postcode_area = rng.choice(names["places"])
        urn = f"SC{400000 + index * 37:06d}" if index % 9 else f"{2500000 + index:07d}"
        name = (
            f"{rng.choice(home_names)}{'' if index < len(home_names) else f' {index}'}"
            if provision == "Children's home"
            else f"{provider.name if provider else 'Unmatched'} {provision.split()[0]} service"
        )
        settings_.append(
            Setting(
                urn=urn,
                provider=provider,
                name=name,
                provision_type=provision,
                registration_date=today - timedelta(days=rng.randint(400, 6000)),
                places=rng.randint(2, 8) if provision == "Children's home" else rng.randint(10, 60),
                town=town,
                postcode=f"{postcode_area} {rng.randint(1, 9)}AB",
                local_authority=authority,
                ofsted_region="North West",
                ofsted_sector=provider.get_sector_display() if provider else "Private",
                is_short_breaks_only=provision == "Children's home" and rng.random() < 0.1,
            )
        )
    return settings_


def build_inspections(rng, settings_, today) -> list[Inspection]:
    inspections = []
    event = 10_100_000
    for setting in settings_:
        count = rng.choice([0, 1, 2, 2, 3, 3, 4]) if setting.urn[-1] != "0" else 0
        when = today - timedelta(days=rng.randint(20, 400))
        for step in range(count):
            judgement = weighted(rng, JUDGEMENT_WEIGHTS)
            if step == count - 1 and when.year < 2015:
                judgement = rng.choice([Judgement.ADEQUATE, Judgement.SATISFACTORY, judgement])
            event += 1
            inspections.append(
                Inspection(
                    setting=setting,
                    event_number=str(event),
                    inspection_type=InspectionType.FULL,
                    inspection_date=when,
                    publication_date=when + timedelta(days=rng.randint(14, 40)),
                    overall=judgement,
                    help_and_protection=judgement,
                    leadership_management=weighted(rng, JUDGEMENT_WEIGHTS),
                )
            )
            interim_on = when + timedelta(days=rng.randint(60, 150))
            if step == 0 and rng.random() < 0.2 and interim_on <= today:
                event += 1
                inspections.append(
                    Inspection(
                        setting=setting,
                        event_number=str(event),
                        inspection_type=InspectionType.INTERIM,
                        inspection_date=interim_on,
                        overall=rng.choice(
                            [Judgement.IMPROVED, Judgement.SUSTAINED, Judgement.DECLINED]
                        ),
                    )
                )
            when -= timedelta(days=rng.randint(300, 700))
    for inspection in inspections:
        if inspection.publication_date and inspection.publication_date > today:
            inspection.publication_date = today
    return inspections


def build_frameworks(rng, providers, today):
    """Frameworks, and each lot with the providers admitted to it."""
    specs = [
        (
            "North West Flexible Purchasing System for SEND placements",
            "NW-FPS-2024",
            FrameworkKind.FPS,
            "Cheshire East Council (lead authority for 23 councils)",
            ["Independent special schools", "Residential special schools", "Post-16 specialist"],
        ),
        (
            "Children's residential care framework",
            "CRC-2023",
            FrameworkKind.FRAMEWORK,
            "",
            ["Mainstream residential", "Complex needs residential", "Solo placements"],
        ),
        (
            "Short breaks and domiciliary care DPS",
            "SBD-DPS-2025",
            FrameworkKind.DPS,
            "",
            ["Short breaks", "Domiciliary care", "Holiday schemes", "Sitting service"],
        ),
    ]
    frameworks: list[tuple[Framework, list[tuple[Lot, list[Provider]]]]] = []
    for name, reference, kind, lead, lot_names in specs:
        framework = Framework(
            name=name,
            reference=reference,
            kind=kind,
            lead_authority=lead,
            description=f"{name}, let for children's services commissioning.",
            start_date=add_months(today, -rng.randint(12, 30)),
            end_date=add_months(today, rng.randint(12, 40)),
        )
        lots = [
            (Lot(framework=framework, number=number, name=lot_name), rng.sample(providers[:34], 9))
            for number, lot_name in enumerate(lot_names, start=1)
        ]
        frameworks.append((framework, lots))
    return frameworks
