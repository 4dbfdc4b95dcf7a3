"""The API's types for ids and weeks: one rule each, from ``scheduler``.

* Ids follow ``scheduler.ids`` (``ID_PATTERN``): a path or query id that breaks
  it is a 422 naming the parameter.
* Weeks go through ``scheduler.week.canonical_week``: full-width forms
  (``２０２６-Ｗ４９``) arrive at the route as the canonical ``2026-W49``, so
  everything stored or shown uses that one spelling; any other form is a 422
  naming the field. Whether the week exists is the route's business
  (``existing_week``: a path naming ``2026-W53`` is a 404).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Form, Path, Query
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from scheduler.errors import InputError
from scheduler.ids import ID_PATTERN, ID_RULE, bad_id, is_valid_id
from scheduler.store.errors import NotFound, StoreError
from scheduler.week import WEEK_INPUT_PATTERN, canonical_week, week_monday

WEEK_HELP = "ISO week YYYY-Www, e.g. 2026-W49 (full-width digits are read as ASCII)"
ID_HELP = f"An id: {ID_RULE}"


def _week(value: str | None) -> str | None:
    """The canonical week, or a validation error with the one-line reason."""
    if value is None:  # an optional parameter left out
        return None
    try:
        return canonical_week(value)
    except InputError as exc:
        raise PydanticCustomError("iso_week", "{reason}", {"reason": exc.message}) from None


def _id_or_empty(value: str) -> str:
    """An id, or "" (a console filter left at "all")."""
    if value and not is_valid_id(value):
        raise PydanticCustomError("id", "{reason}", {"reason": bad_id(value)})
    return value


CanonicalWeek = AfterValidator(_week)
# The schema shows the forms read (canonical_week is what checks them, with its message).
_WEEK_SCHEMA = {"pattern": WEEK_INPUT_PATTERN}

Week = Annotated[str, Path(description=WEEK_HELP, json_schema_extra=_WEEK_SCHEMA), CanonicalWeek]
"""A week in a URL path."""
WeekQuery = Annotated[
    str | None, Query(description=WEEK_HELP, json_schema_extra=_WEEK_SCHEMA), CanonicalWeek
]
"""An optional ``?week=`` filter."""
WeekField = Annotated[
    str, Field(description=WEEK_HELP, json_schema_extra=_WEEK_SCHEMA), CanonicalWeek
]
"""A week in a request body."""
WeekForm = Annotated[str, Form(description=WEEK_HELP), CanonicalWeek]
"""A week typed into a console form."""


def existing_week(week: str, missing: type[StoreError] = NotFound) -> dt.date:
    """Monday of ``week`` (a canonical week, as the types above give). A week
    that no calendar has (2026-W53) is ``NotFound`` when it names a resource,
    and ``missing=Invalid`` (a bad parameter) when it asks for work."""
    try:
        return week_monday(week)
    except (InputError, ValueError) as exc:
        raise missing(f"week: {exc}") from None


Id = Annotated[str, Path(pattern=ID_PATTERN, description=ID_HELP)]
"""An id in a URL path (doctor, site, hospital, run, key)."""
OptionalId = Annotated[str | None, Query(pattern=ID_PATTERN, description=ID_HELP)]
"""An optional id filter in a query string."""
IdField = Annotated[str, Field(pattern=ID_PATTERN, description=ID_HELP)]
"""An id in a request body."""
FilterId = Annotated[str, Query(description=ID_HELP), AfterValidator(_id_or_empty)]
"""A console filter: an id, or empty for "all"."""
FilterIdForm = Annotated[str, Form(description=ID_HELP), AfterValidator(_id_or_empty)]
"""A console filter carried by a form (to come back to the same list): an id, or empty."""
