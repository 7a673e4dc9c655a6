"""Names of simulated phones and their accounts, from a farm's serial prefix.

Takes a prefix (``--serial-prefix``, default ``sim-``) and a phone number (1, 2, ...); gives the
phone's serial and the username of the TikTok account it is logged in to:

- serial: the prefix, then the number in at least four digits: ``sim-0001``, ``b-0012``;
- username: the prefix with ``-`` written ``_``, then ``user_``, then the number: ``sim_user_1``,
  ``b_user_12``, ``pcuser_3`` (prefix ``pc``).

The allowed prefixes (:func:`prefix_problem`): 1 to 12 characters, lowercase ASCII letters,
digits and ``-``; the first a letter or a digit (a serial starting with ``-`` reads as an option
to ``adb -s``), the last a letter or ``-`` (not a digit). adb serials carry no spaces (adb's
``devices`` list splits on whitespace) and no ``:`` (adb reads ``host:port`` serials as network
phones), and uppercase letters would fold to the same TikTok username as lowercase ones, so the
set stays this narrow. Within it two different prefixes never give the same serial (the number is
the serial's trailing digits, since a prefix cannot end with one) nor the same username (``-`` and
``_`` map one to one, ``_`` being refused in prefixes), and every username is a valid TikTok one:
lowercase letters, digits and ``_``, at most 24 characters for farms of up to 9,999,999 phones.
"""

from __future__ import annotations

import re

DEFAULT_PREFIX = "sim-"
MAX_PREFIX = 12
_ALLOWED = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z-])?")


def prefix_problem(prefix: str) -> str | None:
    """What is wrong with ``prefix`` as a serial prefix (one sentence), or None when it is
    allowed (the rule is this module's docstring)."""
    if not prefix:
        return "empty"
    if len(prefix) > MAX_PREFIX:
        return f"{len(prefix)} characters, at most {MAX_PREFIX}"
    if not _ALLOWED.fullmatch(prefix):
        return (
            "use lowercase letters, digits and '-', starting with a letter or digit and "
            "ending with a letter or '-'"
        )
    return None


def serial_of(prefix: str, number: int) -> str:
    """Serial of phone ``number`` (1-based) of a farm with ``prefix``: ``sim-0001``."""
    return f"{prefix}{number:04d}"


def username_of(prefix: str, number: int) -> str:
    """Username phone ``number`` of a farm with ``prefix`` is logged in as: ``sim_user_1``."""
    return f"{prefix.replace('-', '_')}user_{number}"
