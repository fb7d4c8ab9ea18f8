"""How the portal names a person: by full name, as its pages do."""


def person_name(user) -> str:
    """'Tom Walsh', or the username for an account with no name yet."""
    return user.get_full_name().strip() or user.get_username()
