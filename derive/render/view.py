"""The run command's choices of what to show (``--only``, ``--sections``, ``--elide``), checked once.

A bad choice is bad input: one line naming the option and what was expected, exit code 2.
"""

from __future__ import annotations

import re

from ..errors import InputError
from ..report import Report
from .layout import SECTIONS, View, selected_parameters

_LABEL_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9:.-]*")
_ITEMS = re.compile(r"[^,\[]+(?:\[[^\]]*\])?")


def make_view(report: Report, source: str, only: str | None = None, sections: str | None = None,
              elide: bool | None = None, label_prefix: str = "eq") -> View:
    """A View from the command line's strings; InputError (located at ``source``) when one is wrong."""
    if not _LABEL_PREFIX.fullmatch(label_prefix):
        raise InputError(f"--label-prefix {label_prefix!r}: expected a letter, then letters, digits, "
                         "':', '.' or '-'", source)
    chosen = None
    if sections is not None:
        drop = sections.startswith("^")
        names = [s.strip() for s in sections.removeprefix("^").split(",") if s.strip()]
        unknown = [s for s in names if s not in SECTIONS]
        if unknown or not names:
            what = f"unknown section {unknown[0]!r}" if unknown else "no section named"
            raise InputError(f"--sections: {what} (expected some of: {', '.join(SECTIONS)})", source)
        chosen = frozenset(SECTIONS) - set(names) if drop else frozenset(names)
    params = None
    if only is not None:
        params = tuple(p.strip() for p in _ITEMS.findall(only) if p.strip())  # W1[0,0] keeps its comma
        if report.chain is None:
            raise InputError("--only needs the per-weight derivation, which is off for this network "
                             "(add --expand)", source)
        if not params:
            raise InputError("--only: expected parameter names such as w5,b1", source)
        try:
            selected_parameters(report, params)
        except KeyError as missing:
            known = [report.chain.s.names[p].ascii for p in selected_parameters(report, None)]
            shown = ", ".join(known[:8]) + (", …" if len(known) > 8 else "")
            raise InputError(f"--only: no parameter {missing.args[0]!r} (expected a name such as {shown}, "
                             "or a canonical id such as W1[0,0])", source) from None
    return View(chosen, params, elide)
