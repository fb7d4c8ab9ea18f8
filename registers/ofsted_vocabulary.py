"""One spelling for each provision type and local authority, whichever year's
Ofsted file (or whoever typed it) wrote it.

Ofsted has written "Children's Home" and "Children's home", "Southend on Sea"
and "Southend-on-Sea", "Bristol, City of" and "Bristol". Each is matched by a
loose key (case, punctuation, "&" and the "City of" / "County of" forms
ignored) and stored in the spelling below; a value not listed is kept as
written.
"""

import functools
import re

PROVISION_TYPES = (
    "Children's home",
    "Secure children's home",
    "Residential special school",
    "Residential special school (registered as a children's home)",
    "Boarding school",
    "Further education college with residential accommodation",
    "Independent fostering agency",
    "Voluntary adoption agency",
    "Adoption support agency",
    "Residential family centre",
    "Residential holiday scheme for disabled children",
    "Secure training centre",
    "Supported accommodation",
    "Holiday scheme for disabled children",
    "Local authority fostering agency",
    "Local authority adoption agency",
    "Regional adoption agency",
    "Unregulated",
)
PROVISION_TYPE_ALIASES = {
    "childrens home": "Children's home",
    "children s home": "Children's home",
    "ch": "Children's home",
    "ifa": "Independent fostering agency",
    "fostering agency": "Independent fostering agency",
    "independent fostering agencies": "Independent fostering agency",
    "rss": "Residential special school",
    "residential special school registered as a childrens home": (
        "Residential special school (registered as a children's home)"
    ),
    "fe college with residential accommodation": (
        "Further education college with residential accommodation"
    ),
    "further education college": "Further education college with residential accommodation",
    "secure childrens home": "Secure children's home",
    "stc": "Secure training centre",
    "supported accommodation undertaking": "Supported accommodation",
    "unregulated provision": "Unregulated",
}

# Local authorities in England with children's services, in Ofsted's current spelling.
LOCAL_AUTHORITIES = (
    "Barking and Dagenham", "Barnet", "Barnsley", "Bath and North East Somerset", "Bedford",
    "Bexley", "Birmingham", "Blackburn with Darwen", "Blackpool", "Bolton", "Bournemouth",
    "Bournemouth, Christchurch and Poole", "Bracknell Forest", "Bradford", "Brent",
    "Brighton and Hove", "Bristol", "Bromley", "Buckinghamshire", "Bury", "Calderdale",
    "Cambridgeshire", "Camden", "Central Bedfordshire", "Cheshire East",
    "Cheshire West and Chester", "City of London", "Cornwall", "Coventry", "Croydon",
    "Cumberland", "Cumbria", "Darlington", "Derby", "Derbyshire", "Devon", "Doncaster", "Dorset",
    "Dudley", "Durham", "Ealing", "East Riding of Yorkshire", "East Sussex", "Enfield", "Essex",
    "Gateshead", "Gloucestershire", "Greenwich", "Hackney", "Halton", "Hammersmith and Fulham",
    "Hampshire", "Haringey", "Harrow", "Hartlepool", "Havering", "Herefordshire",
    "Hertfordshire", "Hillingdon", "Hounslow", "Isle of Wight", "Isles of Scilly", "Islington",
    "Kensington and Chelsea", "Kent", "Kingston upon Hull", "Kingston upon Thames", "Kirklees",
    "Knowsley", "Lambeth", "Lancashire", "Leeds", "Leicester", "Leicestershire", "Lewisham",
    "Lincolnshire", "Liverpool", "Luton", "Manchester", "Medway", "Merton", "Middlesbrough",
    "Milton Keynes", "Newcastle upon Tyne", "Newham", "Norfolk", "North East Lincolnshire",
    "North Lincolnshire", "North Northamptonshire", "North Somerset", "North Tyneside",
    "North Yorkshire", "Northamptonshire", "Northumberland", "Nottingham", "Nottinghamshire",
    "Oldham", "Oxfordshire", "Peterborough", "Plymouth", "Poole", "Portsmouth", "Reading",
    "Redbridge", "Redcar and Cleveland", "Richmond upon Thames", "Rochdale", "Rotherham",
    "Rutland", "Salford", "Sandwell", "Sefton", "Sheffield", "Shropshire", "Slough", "Solihull",
    "Somerset", "South Gloucestershire", "South Tyneside", "Southampton", "Southend-on-Sea",
    "Southwark", "St Helens", "Staffordshire", "Stockport", "Stockton-on-Tees",
    "Stoke-on-Trent", "Suffolk", "Sunderland", "Surrey", "Sutton", "Swindon", "Tameside",
    "Telford and Wrekin", "Thurrock", "Torbay", "Tower Hamlets", "Trafford", "Wakefield",
    "Walsall", "Waltham Forest", "Wandsworth", "Warrington", "Warwickshire", "West Berkshire",
    "West Northamptonshire", "West Sussex", "Westminster", "Westmorland and Furness", "Wigan",
    "Wiltshire", "Windsor and Maidenhead", "Wirral", "Wokingham", "Wolverhampton",
    "Worcestershire", "York",
)  # fmt: skip
LOCAL_AUTHORITY_ALIASES = {
    "county durham": "Durham",
    "hull": "Kingston upon Hull",
    "bcp": "Bournemouth, Christchurch and Poole",
    "southend": "Southend-on-Sea",
    "stoke": "Stoke-on-Trent",
    "windsor maidenhead": "Windsor and Maidenhead",
}
_AFFIXES = re.compile(r"^(the |city of (?!london)|county of )|( city of| county of| council)$")


@functools.lru_cache(maxsize=4096)  # a file repeats the same few hundred values
def vocabulary_key(text: str) -> str:
    """Case, punctuation, "&" and "St." ignored: "Stockton on Tees" = "Stockton-on-Tees"."""
    value = (text or "").casefold().replace("&", " and ").replace("\u2019", "'")
    value = value.replace("'", "")
    value = re.sub(r"[^0-9a-z]+", " ", value).strip()
    return _AFFIXES.sub("", value).strip()


def _index(canonical: tuple[str, ...], aliases: dict[str, str]) -> dict[str, str]:
    index = {vocabulary_key(name): name for name in canonical}
    index.update({vocabulary_key(alias): name for alias, name in aliases.items()})
    return index


_PROVISION_TYPES = _index(PROVISION_TYPES, PROVISION_TYPE_ALIASES)
_LOCAL_AUTHORITIES = _index(LOCAL_AUTHORITIES, LOCAL_AUTHORITY_ALIASES)


def provision_type_spelling(value: str) -> tuple[str, bool]:
    """(the one spelling, whether the type is known). Unknown types keep their text."""
    known = _PROVISION_TYPES.get(vocabulary_key(value))
    return (known, True) if known else ((value or "").strip(), False)


def local_authority_spelling(value: str) -> tuple[str, bool]:
    known = _LOCAL_AUTHORITIES.get(vocabulary_key(value))
    return (known, True) if known else ((value or "").strip(), False)


def local_authority_key(value: str) -> str:
    """For comparing a setting's local authority with HOME_LOCAL_AUTHORITIES."""
    return vocabulary_key(local_authority_spelling(value)[0])
