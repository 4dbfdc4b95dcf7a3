"""The console's edits of the data set: one form sent, one new data version or none.

Every edit form of the console (a doctor's leave, cap and preferred weekdays; a
site's closed half-days; a demand item) carries the data version its page was
rendered from (``base``, hidden) and a note saying why. ``save`` applies the
form's edits to that version (``scheduler.io.data_edits.apply_edits``) and
commits them (``scheduler.store.data_versions.commit_version``: the loader's
rules first, then stored only while ``base`` is still the newest version):

* saved: 303 back to the page, which confirms the new version once (a flash
  kept in the session, so a reload or a link does not repeat it);
* nothing changed: 303 back, saying so (no version is made);
* a bad value (``InputError``): the page again, 422, the message beside the
  field it names — a form's fields are named as the CSV columns they edit,
  so the loader's ``column`` is the field — and the values sent refilled;
  nothing is stored;
* ``base`` no longer the newest (``Conflict``: another planner, a double
  click): the page again, 409, on the newest data, saying which version the
  form was made on and which is newest now, and asking to reload.

The page itself renders: ``save`` is given a function that renders it with an
``EditState`` (what the forms show besides the data) and a status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from api.web.deps import User, require_planner
from api.web.i18n import translate
from api.web.reads import newest_data_version, version_files
from api.web.render import language_of
from scheduler.domain import WEEKDAYS
from scheduler.errors import InputError
from scheduler.io.data_edits import PolicyEdit, RowEdit, apply_edits
from scheduler.io.schema import SPEC_OF
from scheduler.labels import PERIOD_ZH, WEEKDAY_ZH
from scheduler.store.data_versions import DataSource, commit_version
from scheduler.store.errors import Conflict
from scheduler.store.schema import MAX_VERSION

FLASH = "data_edit"
"""The session key of the confirmation shown once after an edit."""
WHOLE_FORM = "form"
"""The ``errors`` key of a message about the form as a whole (no one field)."""
NOTE_MAX = 500
"""The longest note (as the API's ``POST /data/versions``)."""

BaseForm = Annotated[int, Form(ge=1, le=MAX_VERSION)]
"""The data version an edit form was rendered from (hidden)."""
NoteForm = Annotated[str, Form(max_length=NOTE_MAX)]
"""Why the edit is made (required: checked by ``save``, so that it is shown on the form)."""
CellForm = Annotated[str, Form(max_length=200)]
"""A cell as typed (the loader checks it, naming the column)."""
CellsForm = Annotated[list[str], Form(max_length=32)]
"""Ticked boxes (half-days, weekdays): zero or more tokens."""
Csrf = Annotated[str, Form()]
"""The session's CSRF token (``api.web.deps``)."""


@dataclass(frozen=True)
class Sent:
    """One edit form as sent: which form of the page, the version it was made on,
    why, and its fields (named as the CSV columns they edit)."""

    form: str
    base: int
    note: str
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EditState:
    """What a page's edit forms show besides the data (which the page reads: the
    newest data version, whose number is the forms' ``base``)."""

    saved: int | None = None  # the version just made (the confirmation)
    unchanged: bool = False  # the last form sent changed nothing
    sent: Sent | None = None  # the form sent back with errors (its values refilled)
    errors: Mapping[str, str] = field(default_factory=dict)  # field (or WHOLE_FORM) → message
    conflict: tuple[int, int] | None = None  # (the form's base, the newest version)

    def failed(self, form: str) -> bool:
        """Whether ``form`` is the one sent back with errors."""
        return self.sent is not None and self.sent.form == form and bool(self.errors)

    def error(self, form: str, name: str) -> str:
        """The message for field ``name`` of ``form`` ("" when none)."""
        return self.errors.get(name, "") if self.failed(form) else ""

    def value(self, form: str, name: str, shown: object) -> str:
        """What field ``name`` of ``form`` shows: what was sent, else the data's ``shown``."""
        if self.sent is not None and self.failed(form):
            return self.sent.values.get(name, "")
        return str(shown)

    def ticked(self, form: str, name: str, token: str, shown: bool) -> bool:
        """Whether box ``token`` of field ``name`` (";"-joined tokens) is ticked."""
        if self.sent is not None and self.failed(form):
            return token in self.sent.values.get(name, "").split(";")
        return shown

    def base_of(self, form: str, shown: int) -> int:
        """The version ``form`` is made on: the data version ``shown``, or the one it
        was first sent on when it comes back with errors (so that a resubmit of a
        stale form still conflicts)."""
        return self.sent.base if self.sent is not None and self.failed(form) else shown

    def note(self, form: str) -> str:
        """The note refilled into ``form`` when it comes back with errors."""
        return self.sent.note if self.sent is not None and self.failed(form) else ""


@dataclass(frozen=True)
class Choice:
    """A box to tick or an option to pick: the token the data holds, its Chinese name."""

    token: str
    zh: str


@dataclass(frozen=True)
class Bounds:
    """The range a number field accepts (the loader's, from ``scheduler.io.schema``)."""

    low: int | None
    high: int | None


def bounds(file: str, column: str) -> Bounds:
    """The range of ``column`` of ``file`` as the loader checks it."""
    spec = next(c for c in SPEC_OF[file].columns if c.name == column)
    low, high = spec.low, spec.high
    return Bounds(None if low is None else int(low), None if high is None else int(high))


def half_day_choices(open_half_days: Sequence[str], current: Iterable[str]) -> list[Choice]:
    """A box per half-day the policy opens, then any other in ``current`` (so that
    saving a form never drops a token it did not show)."""
    tokens = [*open_half_days, *sorted(set(current) - set(open_half_days))]
    return [Choice(token, _half_day_zh(token)) for token in tokens]


def weekday_choices(open_half_days: Sequence[str], current: Iterable[str]) -> list[Choice]:
    """A box per weekday with a half-day the policy opens, then any other in ``current``."""
    days = {token.split("_")[0] for token in open_half_days} | set(current)
    return [Choice(day, WEEKDAY_ZH[day]) for day in WEEKDAYS if day in days]


def ticked(tokens: Sequence[str], choices: Sequence[Choice]) -> str:
    """The ticked boxes as a cell (``FRI_AM;FRI_PM``), in the order shown; a token
    sent that is not a box is kept, last, for the loader to judge."""
    shown = [c.token for c in choices if c.token in tokens]
    return ";".join([*shown, *(t for t in dict.fromkeys(tokens) if t not in shown)])


def _half_day_zh(token: str) -> str:
    day, _, period = token.partition("_")
    return f"{WEEKDAY_ZH.get(day, day)}{PERIOD_ZH.get(period, period)}"


Again = Callable[[EditState, int], Response]
"""Renders the page again with an ``EditState``, under a status."""


def edit_state(request: Request) -> EditState:
    """The state of a page's forms as a page is opened: the confirmation of the
    edit just made, if any (shown once)."""
    flash = request.session.pop(FLASH, None)
    if not isinstance(flash, dict):
        return EditState()
    saved = flash.get("saved")
    return EditState(saved=saved if isinstance(saved, int) else None, unchanged=not saved)


def save(
    request: Request,
    user: User,
    csrf: str,
    sent: Sent,
    edits: Sequence[RowEdit],
    *,
    back: str,
    again: Again,
    policy: Sequence[PolicyEdit] = (),
) -> Response:
    """Make the next data version from ``edits`` of ``sent.base`` and go ``back``;
    or render the page ``again`` saying why not (module docstring)."""
    require_planner(request, user, csrf, "a planner's key is needed to change the data")
    note = sent.note.strip()
    if not note:
        words = translate(language_of(request), "note_required")
        return again(EditState(sent=sent, errors={"note": words}), 422)
    app = request.app
    try:
        edited = apply_edits(version_files(app, sent.base), edits, policy, where=sent.form)
        made = commit_version(
            app.state.engine,
            edited,
            base=sent.base,
            actor=user.name,
            source=DataSource.EDIT,
            note=note,
        )
    except InputError as exc:
        name = exc.column if exc.column is not None and exc.column in sent.values else WHOLE_FORM
        return again(EditState(sent=sent, errors={name: str(exc)}), 422)
    except Conflict:
        newest = newest_data_version(app) or sent.base
        return again(EditState(conflict=(sent.base, newest)), 409)
    request.session[FLASH] = {"saved": made[0] if made else None}
    return RedirectResponse(back, status_code=303)
