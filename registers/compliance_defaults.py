"""The compliance document kinds an install starts with (migrations 0014 and 0017
made them; a database emptied since, as a test's flush does, gets them back)."""

# name, default validity in months (None: no default expiry), shown on placement checks
DEFAULT_KINDS = [
    ("Employer's liability insurance", 12, True),
    ("Public liability insurance", 12, True),
    ("Professional indemnity insurance", 12, False),
    ("Statement of purpose", 12, True),
    ("Registration certificate", None, False),
    ("Annual accounts", 12, False),
    ("Gas safety certificate", 12, True),
    ("Electrical installation condition report", 60, True),
    ("Fire risk assessment", 12, False),
    ("Safeguarding policy", 12, True),
    ("DBS policy", 12, True),
]
