"""The kinds of compliance document the issue names, with their default validity.

Which kinds a council requires of every setting in use is its own policy, and
requiring one blocks approvals: the kinds start not required, and a manager
ticks "required for settings in use" on the kinds list.
"""

from django.db import migrations

# (name, default validity in months; None: no default expiry)
KINDS = [
    ("Employer's liability insurance", 12),
    ("Public liability insurance", 12),
    ("Professional indemnity insurance", 12),
    ("Statement of purpose", 12),
    ("Registration certificate", None),
    ("Annual accounts", 12),
    ("Gas safety certificate", 12),
    ("Electrical installation condition report", 60),
    ("Fire risk assessment", 12),
    ("Safeguarding policy", 12),
    ("DBS policy", 12),
]


def add_kinds(apps, schema_editor):
    kind_model = apps.get_model("registers", "ComplianceDocumentKind")
    for name, months in KINDS:
        kind_model.objects.get_or_create(name=name, defaults={"default_validity_months": months})


class Migration(migrations.Migration):
    dependencies = [("registers", "0013_compliance_and_regulation_reports")]

    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
