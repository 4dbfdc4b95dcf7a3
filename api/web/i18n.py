"""The console's words, in Chinese (the default) and English.

A page asks ``t(key)``; the language comes from ``?lang=`` (kept in a cookie)
and falls back to zh-CN. Names from the data (hospitals, sites, doctors) are
Chinese in both languages, with the English name beside where the data has one.
The words themselves live in :data:`scheduler.labels.CONSOLE_WORDS`, with every
other label the product shows; this module is the console's lookup over them.
"""

from __future__ import annotations

from scheduler.labels import CONSOLE_LANGUAGES, CONSOLE_WORDS


def language(value: str | None) -> str:
    """A known language code (default zh)."""
    return value if value in CONSOLE_LANGUAGES else "zh"


def translate(lang: str, key: str) -> str:
    """The word ``key`` in ``lang``."""
    return CONSOLE_WORDS[key][lang]
