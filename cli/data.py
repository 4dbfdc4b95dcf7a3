"""``roster generate``: the synthetic data sets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    pass

from cli.options import (
    console,
)


def generate(
    out: Annotated[Path, typer.Option(help="Directory to write the data set into.")] = Path("data"),
    seed: Annotated[int, typer.Option(help="Random seed (2026 = the default data set).")] = 2026,
    districts: Annotated[int, typer.Option(min=1, max=38, help="Districts (38 = whole city).")] = 1,
) -> None:
    """Rebuild the default data set (byte-identical for a seed), or a larger one."""
    from datasets.generate import generate as run_generate

    run_generate(out, seed=seed, districts=districts)
    console.print(f"wrote data set ({districts} district(s), seed {seed}) to {out}")
