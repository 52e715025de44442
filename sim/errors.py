"""Typed exceptions of the simulation core.

Every check collects *all* problems first and raises once, so a user fixes
their input in one pass. Messages are written for the person who made the
input: they name the field (column/array), the offending rows and what to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np


@dataclass(frozen=True)
class Problem:
    """One problem found in an input.

    Attributes
    ----------
    field : str
        Name of the array or column at fault.
    message : str
        What is wrong and what to do about it.
    rows : tuple of int
        Positions (0-based) of the offending rows; empty when the whole field is at fault.
        The message shows them counted from 1 (the first record is row 1), as a person
        counts the records of a file or a spreadsheet.
    """

    field: str
    message: str
    rows: tuple[int, ...] = ()

    def __str__(self) -> str:
        if not self.rows:
            return f"{self.field}: {self.message}"
        shown = ", ".join(str(r + 1) for r in self.rows[:10])
        more = f" (en nog {len(self.rows) - 10})" if len(self.rows) > 10 else ""
        return f"{self.field}: {self.message} -- rijen {shown}{more} (vanaf 1 geteld)"


@dataclass
class InputError(ValueError):
    """Input arrays or tables that the core cannot compute with.

    Raised before any computation. ``problems`` lists every problem found;
    ``fields`` and ``rows`` give the offending names and row positions.
    """

    problems: list[Problem] = field(default_factory=list)
    what: str = "input"

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @property
    def fields(self) -> list[str]:
        """Names of the offending arrays or columns, in order of first appearance."""
        return list(dict.fromkeys(p.field for p in self.problems))

    @property
    def rows(self) -> list[int]:
        """Sorted positions of every offending row."""
        return sorted({r for p in self.problems for r in p.rows})

    def __str__(self) -> str:
        # the header is read by municipal staff on the command line: Dutch (the details name
        # fields and rows; the core's own field messages are developer-facing English)
        n = len(self.problems)
        lines = [
            f"{n} {'probleem' if n == 1 else 'problemen'} in {self.what}; er is niets berekend:"
        ]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class TabulaInputError(InputError):
    """A frame in the TABULA/EPISCOPE format that lacks or mis-states a needed column."""


class Problems:
    """Collector for :class:`Problem` objects; raise them all at once with :meth:`raise_if_any`."""

    def __init__(self, what: str = "input") -> None:
        self.what = what
        self.items: list[Problem] = []

    def add(self, field: str, message: str, rows: Iterable[int] | None = None) -> None:
        """Record a problem with ``field``, optionally at ``rows``."""
        self.items.append(
            Problem(field, message, tuple(int(r) for r in (() if rows is None else rows)))
        )

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, error: type[InputError] = InputError) -> None:
        """Raise ``error`` with every problem collected, if there are any."""
        if self.items:
            raise error(problems=list(self.items), what=self.what)


def at_rows(error: InputError, positions: Sequence[int] | np.ndarray) -> InputError:
    """``error`` (any :class:`InputError`, its own fields kept) with the rows of its problems
    mapped through ``positions``: ``positions[r]`` is where row ``r`` of a part stands in the
    whole (a chunk ``np.arange(r0, r1)``, a selection of rows). Callers that compute in parts
    re-raise with it, so a message names the rows the user gave."""
    where = np.asarray(positions, dtype=np.int64)
    problems = [replace(p, rows=tuple(int(where[r]) for r in p.rows)) for p in error.problems]
    return replace(error, problems=problems)
