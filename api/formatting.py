"""Numbers and labels formatted for Dutch readers (residents, municipal staff)."""

from __future__ import annotations


def nl_number(value: float, decimals: int = 0) -> str:
    """A number in Dutch notation: ``.`` groups thousands, ``,`` marks decimals.

    Examples
    --------
    >>> nl_number(105898.4)
    '105.898'
    >>> nl_number(-4.04, 1)
    '-4,0'
    """
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def nl_percent(share: float) -> str:
    """A share as a Dutch percentage, e.g. ``0.17 -> '17%'``."""
    return f"{nl_number(100.0 * share)}%"
