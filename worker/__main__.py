"""``python -m worker``: the local job worker (what ``roster serve`` starts on SQLite)."""

from __future__ import annotations

import sys

from scheduler.store.errors import DATABASE_ERRORS, describe
from worker.main import main

try:
    main()
except DATABASE_ERRORS as exc:
    print(f"error: {describe(exc)}", file=sys.stderr)
    sys.exit(1)
