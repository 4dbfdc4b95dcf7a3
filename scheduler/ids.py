"""The one rule for ids: what a doctor, hospital, specialty, site, ... id may be.

An id is 1–64 ASCII letters, digits, ``_``, ``.`` or ``-``, and starts with a
letter or digit (``H01``, ``H01-CARD-03``, ``X02-T117``). Why so narrow:

* ids travel unescaped in URL paths and query strings (``/doctors/{id}/...``);
* a doctor's id names a file (``calendars/<doctor_id>.ics``): without ``/``
  or ``\\``, and never starting with ``.``, no id is ``.``, ``..``, a hidden
  file or a path that leaves its directory;
* ASCII only: ids are compared byte for byte, and look-alikes (a full-width
  ``Ｈ０１`` typed by an IME) must not become a second, invisible doctor;
* ``;`` and ``,`` separate lists in CSV cells, and spaces get lost.

The loader (``scheduler.io.load``) refuses any other id in every id column of
every file, the API's path and query types (``api.types``) refuse it with a
422, and the calendar writer checks it again before making a file name.
"""

from __future__ import annotations

import re

from scheduler.errors import InputError

ID_MAX_LENGTH = 64
ID_PATTERN = rf"^[A-Za-z0-9][A-Za-z0-9_.-]{{0,{ID_MAX_LENGTH - 1}}}$"
"""The id rule as a regular expression (also the OpenAPI ``pattern`` of id parameters)."""
ID_RULE = (
    f"1–{ID_MAX_LENGTH} ASCII letters, digits, '_', '.' or '-', starting with a letter or digit"
)
"""The id rule in words, for error messages."""

_ID = re.compile(ID_PATTERN)


def is_valid_id(text: str) -> bool:
    """True when ``text`` is a whole id by the rule above (no trailing newline either)."""
    return _ID.fullmatch(text) is not None


def bad_id(text: str) -> str:
    """The one-line reason ``text`` is refused as an id."""
    return f"bad id {text!r}: an id is {ID_RULE}"


def check_id(
    text: str,
    *,
    file: str | None = None,
    row: int | None = None,
    column: str | None = None,
    field: str | None = None,
) -> str:
    """``text`` if it is a valid id; otherwise an :class:`InputError` at the place named."""
    if not is_valid_id(text):
        raise InputError(bad_id(text), file=file, row=row, column=column, field=field)
    return text
