"""Output directories: written whole, never over what the product did not write, crash-safe.

Every directory ``roster`` writes — a run (``roster solve``, solve jobs), a
scenario, a sweep, a sensitivity analysis, a repair, a data set — goes
through this module, in three steps:

1. **Prepare** (``prepare_output``, before any long solve): refuse a target
   the product did not write, finish or clean what dead processes left beside
   it, create the parent and prove it is writable. A refusal or an unwritable
   path is an :class:`~scheduler.errors.OutputError` (one line, exit code 2)
   before any work is done.
2. **Stage** (``PreparedOutput.staged``): the files are written into a hidden
   staging directory beside the target, ``.NAME.staging-HOST-PID-RANDOM``,
   starting with the marker file ``.roster-output``.
3. **Put in place**: the staging directory becomes the target in one step —
   a rename when there is no target yet, an atomic exchange
   (``renameat2(RENAME_EXCHANGE)``) when there is, so the old directory stays
   in place until the new one is; the old one is then removed. Without an
   atomic exchange (not Linux, or a file system without it) the old directory
   is renamed aside to ``.NAME.old-HOST-PID-RANDOM`` first, and a crash between
   the two renames is repaired by the next run beside it (the old directory
   is put back).

**The replace rule.** A target may be replaced only if it does not exist, is
empty, or holds an output of the same kind: its marker says so, or — for
directories written before markers existed — a readable ``report.json`` of
that kind (run, repair, scenario), a sweep's ``summary.json`` and
``sweep.html``, a sensitivity analysis's ``sensitivity.json`` and
``sensitivity.html``, or the writer's own recognition (a data set: every file
of the generator with its header). Anything else — a folder of documents,
the data set given as ``--out`` to a solve — is refused and left untouched.
Data sets are inputs people edit, so for them (``owns``) the marker also
records each generated file's SHA-256: a data set whose files were changed
since is refused too (before markers: unless its files are byte-identical to
the new ones), and what the generator does not write beside its files
(``data/README.md``) is carried into the new directory.

**Leftovers.** A process killed while writing leaves its staging directory.
The next output prepared in the same parent removes the leftovers of dead
processes of this host (the host and pid are in the name; live processes,
other hosts and names not of this pattern are never touched). A writer can
complete a leftover instead of removing it (``complete``): a repair whose
version was committed to the database before the kill is put in place.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import socket
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from scheduler.errors import OutputError
from scheduler.faults import crash_point, switched_on

log = logging.getLogger(__name__)

MARKER = ".roster-output"
"""The marker file in every output directory: JSON ``{"kind": ..., ...}``."""

MARKER_FORMAT = 1


class OutputKind(StrEnum):
    """What an output directory holds (the marker's ``kind``)."""

    RUN = "run"
    SCENARIO = "scenario"
    SWEEP = "sweep"
    SENSITIVITY = "sensitivity"
    REPAIR = "repair"
    DATASET = "dataset"


class Leftover(StrEnum):
    """What to do with a dead process's staged directory (a ``complete`` answer)."""

    COMPLETE = "complete"  # put it in place: what it stands for was committed
    REMOVE = "remove"  # never committed, or superseded: remove it
    KEEP = "keep"  # cannot tell now: leave it for a later run


CompleteFn = Callable[[Path, Path], Leftover]
"""(staged directory, its target) → what to do with a dead writer's staging."""

RecogniseFn = Callable[[Path], bool]
"""True if a directory without a marker was written by the product (pre-marker)."""

COMMITTED_ELSEWHERE = frozenset({OutputKind.REPAIR})
"""Kinds whose staged directory may stand for something already committed
elsewhere (a repair's published version): only a writer of the same kind,
which can ask (``complete``), removes or completes their leftovers."""

HOST_TAG = hashlib.sha256(socket.gethostname().encode("utf-8")).hexdigest()[:8]
"""This host in leftover names: a pid is only meaningful on its own host, so
leftovers of other hosts sharing the directory (NFS) are never touched."""
_LEFTOVER = re.compile(
    r"^\.(?P<name>.+)\.(?P<what>staging|old)-(?P<host>[0-9a-f]{8})-(?P<pid>\d+)-(?P<token>[0-9a-f]+)$"
)


def _aside(target: Path, what: str) -> Path:
    """A new hidden name beside ``target`` that says whose it is."""
    return target.with_name(
        f".{target.name}.{what}-{HOST_TAG}-{os.getpid()}-{secrets.token_hex(4)}"
    )


# --- the marker and the replace rule ------------------------------------------------


def write_marker(directory: Path, kind: OutputKind, details: Mapping[str, Any] | None) -> None:
    """Write ``.roster-output`` (deterministic bytes: a data set stays byte-identical)."""
    content = {"format": MARKER_FORMAT, "kind": kind.value, "written_by": "roster"}
    content.update(details or {})
    (directory / MARKER).write_text(
        json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def _marker(directory: Path) -> dict[str, Any] | None:
    content = _json(Path(directory) / MARKER)
    return content if isinstance(content, dict) else None


def read_marker(directory: Path) -> OutputKind | None:
    """The kind in ``directory``'s marker; None if there is no readable one."""
    try:
        return OutputKind((_marker(directory) or {})["kind"])
    except (KeyError, ValueError, TypeError):
        return None


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _digests(directory: Path, names: Collection[str]) -> dict[str, str]:
    return {n: _sha256(directory / n) for n in sorted(names) if (directory / n).is_file()}


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def legacy_kind(directory: Path) -> OutputKind | None:
    """The kind of an output written before markers existed, from its files."""
    directory = Path(directory)
    report = _json(directory / "report.json")
    if isinstance(report, dict):
        if "variants" in report and "scenario" in report:
            return OutputKind.SCENARIO
        if "levels" in report and "week" in report:
            return OutputKind.REPAIR if "repair" in report else OutputKind.RUN
    for kind, table, page in (
        (OutputKind.SWEEP, "summary.json", "sweep.html"),
        (OutputKind.SENSITIVITY, "sensitivity.json", "sensitivity.html"),
    ):
        if isinstance(_json(directory / table), list) and (directory / page).is_file():
            return kind
    return None


def written_kind(directory: Path, recognise: RecogniseFn | None = None) -> OutputKind | None:
    """What the product wrote at ``directory`` (marker, else its files); None if not known."""
    found = read_marker(directory) or legacy_kind(directory)
    if found is None and recognise is not None and recognise(directory):
        return OutputKind.DATASET
    return found


def check_target(
    target: Path,
    kind: OutputKind,
    recognise: RecogniseFn | None = None,
    owns: Collection[str] | None = None,
) -> None:
    """Raise ``OutputError`` unless ``target`` may be written as a ``kind`` output.

    ``recognise`` identifies a data set written before markers; with ``owns``
    (the writer's file names, see ``prepare_output``) those files must also be
    unchanged since roster wrote them (the hashes in the marker).
    """
    target = Path(target)
    name = str(target)
    if target.is_symlink():
        raise OutputError(name, "is a symbolic link; give the directory itself")
    if not target.exists():
        return
    if not target.is_dir():
        raise OutputError(name, "exists and is not a directory")
    try:
        here = Path.cwd().resolve()
    except OSError:  # the working directory was removed: it is not inside the target
        here = None
    if here is not None and (target.resolve() == here or target.resolve() in here.parents):
        raise OutputError(name, "holds the working directory; give a directory inside it")
    try:
        empty = not any(os.scandir(target))
    except OSError as exc:
        raise OutputError(name, f"cannot be read ({exc.strerror})") from None
    if empty:
        return
    found = written_kind(target, recognise if kind is OutputKind.DATASET else None)
    if found is None:
        raise OutputError(
            name,
            f"holds files roster did not write (no {MARKER}); not replacing it — "
            "choose another directory, or empty it",
        )
    if found is not kind:
        raise OutputError(
            name, f"holds a {found.value} output, not a {kind.value}; not replacing it"
        )
    if owns is not None:
        recorded = (_marker(target) or {}).get("files")
        if isinstance(recorded, dict):
            for file, digest in sorted(recorded.items()):
                if file in owns and (target / file).is_file() and _sha256(target / file) != digest:
                    raise OutputError(name, _changed(file, "was changed after roster wrote it"))


def _changed(file: str, how: str) -> str:
    return f"{file} {how}; not replacing it — choose another directory"


def _check_same_as_new(target: Path, staging: Path, owns: Collection[str]) -> None:
    """A directory recognised without a marker is replaced only if the files the
    writer owns are byte-identical to the new ones: nothing anyone changed is lost."""
    if read_marker(target) is not None or not target.is_dir():
        return
    for file in sorted(owns):
        old, new = target / file, staging / file
        if old.is_file() and (not new.is_file() or old.read_bytes() != new.read_bytes()):
            raise OutputError(
                str(target), _changed(file, "differs from what roster writes now (edited?)")
            )


# --- preparing: leftovers, parent, writability --------------------------------------


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    except (OverflowError, ValueError):
        return False
    return True


def _remove(path: Path) -> None:
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("could not remove %s (%s); a later run beside it removes it", path, exc)


def clean_leftovers(
    parent: Path, kind: OutputKind | None = None, complete: CompleteFn | None = None
) -> None:
    """Restore, complete or remove what dead writers of this host left in ``parent``.

    First ``.NAME.old-…`` directories (a replace without exchange killed
    between its renames): put back at NAME if NAME is missing, else removed.
    Then ``.NAME.staging-…`` directories: removed — except those of a kind in
    ``COMMITTED_ELSEWHERE``, which only a writer of that ``kind`` with a
    ``complete`` callback handles (complete, remove or keep). Never raises:
    a leftover that cannot be handled is logged and left.
    """
    try:
        entries = [e for e in os.scandir(parent) if e.name.startswith(".")]
    except OSError:
        return
    dead = []
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if (
            match
            and match["host"] == HOST_TAG
            and entry.is_dir(follow_symlinks=False)
            and not _alive(int(match["pid"]))
        ):
            dead.append((match["what"], Path(entry.path), Path(parent) / match["name"]))
    for what, path, target in sorted(dead, key=lambda d: d[0] != "old"):
        if what == "old":
            if target.exists() or target.is_symlink():
                _remove(path)
            else:
                log.warning("restoring %s: a replace was interrupted before its end", target)
                _rename_logged(path, target)
            continue
        staged = read_marker(path)
        if staged in COMMITTED_ELSEWHERE:
            if staged is not kind or complete is None:
                continue
            try:
                fate = complete(path, target)
            except Exception:  # a leftover never fails the run that finds it
                log.warning("could not decide about %s; left for a later run", path, exc_info=True)
                continue
            if fate is Leftover.KEEP:
                continue
            if fate is Leftover.COMPLETE:
                try:
                    check_target(target, staged)
                    _put_in_place(path, target)
                    log.warning("completed %s from an interrupted %s", target, staged.value)
                except (OSError, OutputError) as exc:
                    log.warning("could not complete %s from %s: %s", target, path, exc)
                continue
        _remove(path)


def _rename_logged(source: Path, target: Path) -> None:
    try:
        source.rename(target)
    except OSError as exc:
        log.warning("could not rename %s to %s: %s", source, target, exc)


def _ensure_parent(target: Path) -> None:
    parent = target.parent
    for ancestor in (parent, *parent.parents):
        if ancestor.exists():
            if not ancestor.is_dir():
                raise OutputError(str(target), f"cannot be written: {ancestor} is not a directory")
            break
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        where = exc.filename or parent
        raise OutputError(str(target), f"cannot be written: {where}: {exc.strerror}") from None


def _make_staging(target: Path) -> Path:
    """Create the staging directory (mode from the umask, as ``mkdir`` gives)."""
    for _attempt in range(10):
        staging = _aside(target, "staging")
        try:
            staging.mkdir()
            return staging
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(
                str(target), f"cannot be written: {target.parent}: {exc.strerror}"
            ) from None
    raise OutputError(str(target), "cannot be written: no free staging name beside it")


@dataclass(frozen=True)
class PreparedOutput:
    """An output directory checked and ready to be staged (``prepare_output``)."""

    target: Path
    kind: OutputKind
    details: Mapping[str, Any] | None = None
    recognise: RecogniseFn | None = None
    owns: frozenset[str] | None = None

    @contextmanager
    def staged(self) -> Iterator[Staging]:
        """A staging directory (marker written) that becomes the target on success.

        On an error the staging directory is removed and the target is left as
        it was — unless ``Staging.keep_on_failure`` was called (the output was
        already committed elsewhere): then it is left for the next run beside
        it to complete.
        """
        check_target(self.target, self.kind, self.recognise, self.owns)
        _ensure_parent(self.target)
        staging = Staging(_make_staging(self.target))
        try:
            write_marker(staging.path, self.kind, self.details)
            yield staging
            if self.owns is not None:
                _check_same_as_new(self.target, staging.path, self.owns)
                _carry_over(self.target, staging.path, self.owns | {MARKER})
                files = {"files": _digests(staging.path, self.owns)}
                write_marker(staging.path, self.kind, {**(self.details or {}), **files})
            crash_point("output-staged")
            check_target(self.target, self.kind, self.recognise, self.owns)
            _put_in_place(staging.path, self.target)
        except BaseException:
            if staging.keep:
                log.error(
                    "%s is committed but not in place; left staged at %s for the next run",
                    self.target,
                    staging.path,
                )
            else:
                shutil.rmtree(staging.path, ignore_errors=True)
            raise


@dataclass
class Staging:
    """A staging directory being written (``PreparedOutput.staged``)."""

    path: Path
    keep: bool = False

    def keep_on_failure(self) -> None:
        """The output is committed elsewhere (a repair's version): from now on a
        failure keeps this directory for the next run to complete, never removes it."""
        self.keep = True


def prepare_output(
    target: Path,
    kind: OutputKind,
    *,
    details: Mapping[str, Any] | None = None,
    recognise: RecogniseFn | None = None,
    owns: Collection[str] | None = None,
    complete: CompleteFn | None = None,
) -> PreparedOutput:
    """Check ``target`` and its parent before the work that fills it (see module doc).

    ``details`` go into the marker; ``recognise`` identifies a pre-marker data
    set. ``owns`` (data sets: people edit them) names the files the writer
    writes: their hashes go into the marker and an old directory is replaced
    only if they are unchanged since (or, without a marker, identical to the
    new ones); everything else in it is carried into the new one. ``complete`` decides
    about dead writers' staged directories of this ``kind`` beside the target.
    Raises ``OutputError`` (nothing written) if the target may not or cannot
    be written.
    """
    target = Path(target)
    if not target.name or target.name in (".", ".."):
        raise OutputError(str(target), "is not a directory name roster can write")
    clean_leftovers(target.parent, kind, complete)
    owned = frozenset(owns) if owns is not None else None
    check_target(target, kind, recognise, owned)
    _ensure_parent(target)
    os.rmdir(_make_staging(target))  # proves the parent is writable, leaves nothing
    return PreparedOutput(target, kind, details, recognise, owned)


@contextmanager
def atomic_directory(
    target: Path,
    kind: OutputKind,
    *,
    details: Mapping[str, Any] | None = None,
    recognise: RecogniseFn | None = None,
    owns: Collection[str] | None = None,
) -> Iterator[Path]:
    """Prepare and stage in one: a staging directory that replaces ``target`` whole."""
    output = prepare_output(target, kind, details=details, recognise=recognise, owns=owns)
    with output.staged() as staging:
        yield staging.path


# --- putting in place ---------------------------------------------------------------


def _carry_over(target: Path, staging: Path, own: frozenset[str]) -> None:
    """Copy what the writer does not write from the old ``target`` into ``staging``
    (hard links where possible), so the replace destroys nothing else."""
    if not target.is_dir():
        return
    for entry in os.scandir(target):
        if entry.name in own or (staging / entry.name).exists():
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.copytree(entry.path, staging / entry.name, symlinks=True, copy_function=_link)
        else:
            _link(entry.path, staging / entry.name)


def _link(source: str | Path, destination: str | Path) -> None:
    if os.path.islink(source):
        os.symlink(os.readlink(source), destination)
        return
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _load_renameat2() -> Any:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    function.argtypes += [ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_renameat2 = _load_renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``).

    False where the system or the file system cannot (nothing was done);
    other failures raise ``OSError``.
    """
    if _renameat2 is None or switched_on("no-exchange"):
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def _put_in_place(staging: Path, target: Path) -> None:
    """Make ``staging`` the ``target``; an old target stays until the new one is there."""
    if not target.exists():
        staging.rename(target)
        return
    if exchange(staging, target):
        crash_point("output-exchanged")
        old = _aside(target, "old")
        staging.rename(old)  # what was swapped out: say so, then remove it
        _remove(old)
        return
    old = _aside(target, "old")
    target.rename(old)
    crash_point("output-moved-aside")
    staging.rename(target)
    _remove(old)
