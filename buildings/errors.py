"""Typed errors of the digital twin: a user's file that cannot be read as the source it claims to be."""

from __future__ import annotations

from sim.errors import InputError, Problems


class SourceFileError(InputError):
    """A source file that cannot be used: unreadable, missing required fields, wrong geometry type,
    unknown or geographic CRS where metres are needed, rasters that do not overlap.

    The message names the file, the field or record and what to do.
    """


__all__ = ["Problems", "SourceFileError"]
