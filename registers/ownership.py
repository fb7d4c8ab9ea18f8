"""Which record a child record takes its permissions from, and which records belong
to an authority: the tables registers.permissions reads on every path."""

# child model name -> the field naming its parent, whose permission governs it
PARENTS = {
    "actionitem": "visit",
    "contractvariation": "contract",
    "contractreview": "contract",
    "contractdocument": "contract",
    "visitreport": "visit",
    "referralschedule": "referral",
}

# Owned models -> the path from a row to its authority (the other registers are
# shared by every authority on the install):
OWNED = {
    "contract": "authority",
    "spotfundapplication": "authority",
    "visit": "authority",
    "concern": "authority",
    "placementcheck": "authority",
    "contractvariation": "contract__authority",
    "contractreview": "contract__authority",
    "contractdocument": "contract__authority",
    "actionitem": "visit__authority",
    "visitreport": "visit__authority",
    "referral": "authority",
    "referralschedule": "referral__authority",
    "lettertemplate": "authority",
    "concernescalation": "concern__authority",
}
OWNED.update({f"historical{name}": path for name, path in OWNED.items()})
