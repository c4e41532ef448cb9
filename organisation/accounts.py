"""What identifies an account: its e-mail address, written one way.

People type their address in many spellings: `Demo.X@...`, ` demo.x@... `, or with
full-width letters from an East Asian keyboard. Every place that compares addresses
(sign-in, the sign-in lock-out, password reset, uniqueness of accounts) must agree on which
account is meant, or a lock-out counts each spelling apart and a duplicate account slips
past the check. They all use `normalise_email`, and nothing else.
"""

import unicodedata


def normalise_email(address: str) -> str:
    """The address as stored and compared: Unicode NFKC (full-width letters and compatibility
    characters become their plain forms), surrounding white space removed, lower case.

    >>> normalise_email("  \uff24emo.X@Council.Example ")  # a full-width D
    'demo.x@council.example'

    Lower-casing the part before the @ is a deliberate choice: RFC 5321 lets a mail server
    treat it case-sensitively, but no council mail system does, and two accounts differing
    only in case would be a trap. PostgreSQL's `lower()` (the unique index on Lower("email"))
    agrees with Python's `str.lower` on every address this function returns.
    """
    return unicodedata.normalize("NFKC", address or "").strip().lower()


def axes_username(request, credentials: dict | None = None) -> str | None:
    """django-axes' key for the account a sign-in attempt is for (AXES_USERNAME_CALLABLE), so
    failures under every spelling of one address count together."""
    field = "username"
    if credentials:
        value = credentials.get(field)
    else:
        data = getattr(request, "POST", None) or {}
        value = data.get(field)
    if value is None:
        return None
    return normalise_email(str(value))
