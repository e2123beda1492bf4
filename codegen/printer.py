"""SymPy → Numba-safe scalar Python: ``math.*`` calls and explicit conditionals, nothing else.

A subclass of SymPy's Python printer. Piecewise becomes a chain of conditional expressions (so
relu'(0) = 0 is the Piecewise's own second branch), ``sigmoid``/``softplus``/``tanh`` call the
helpers a generated module defines when it uses them, and anything Numba could not compile in nopython mode
(Heaviside, DiracDelta, unevaluated derivatives, complex parts) is refused with a reason.
With ``math="fast"`` exp, expm1, log and log1p of a variable print as the vectorisable functions of
``vecmath`` (``vexp(z)``); constants such as ln 10 stay ``math.log(10)``.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from .vecmath import PRINTED_AS

MATH_MODES = ("fast", "libm")


class UnsupportedExpression(ValueError):
    """An expression the generated Numba code cannot evaluate.

    ``path`` is where in the spec it comes from, when known: ``("layers", i, "activation")``
    (i from 0) or ``("loss",)``, as ``derive.yaml_source.Located`` paths.
    """

    def __init__(self, message: str, path: tuple[str | int, ...] | None = None) -> None:
        super().__init__(message)
        self.path = path


class NumbaPrinter(PythonCodePrinter):
    """Scalar expressions for ``@numba.njit`` functions."""

    printmethod = "_numba_code"

    def __init__(self, settings: dict | None = None) -> None:
        super().__init__({"fully_qualified_modules": True, "strict": True, **(settings or {})})

    def _print_sigmoid(self, expr: sp.Expr) -> str:
        return f"sigmoid({self._print(expr.args[0])})"

    def _print_softplus(self, expr: sp.Expr) -> str:
        return f"softplus({self._print(expr.args[0])})"

    def _print_tanh(self, expr: sp.Expr) -> str:
        return f"tanh({self._print(expr.args[0])})"

    def _print_sign(self, expr: sp.Expr) -> str:
        u = self._print(expr.args[0])
        return f"(1.0 if {u} > 0 else (-1.0 if {u} < 0 else 0.0))"

    def _refuse(self, expr: sp.Expr) -> str:
        raise UnsupportedExpression(f"{type(expr).__name__} in {sp.sstr(expr)} has no Numba form")

    _print_Heaviside = _print_DiracDelta = _print_Derivative = _print_Subs = _refuse
    _print_re = _print_im = _print_arg = _print_Integral = _refuse
    _print_ComplexInfinity = _print_NaN = _print_ImaginaryUnit = _refuse


def _vectorisable(sympy_name: str, name: str):
    libm = getattr(NumbaPrinter, f"_print_{sympy_name}")

    def method(self: NumbaPrinter, expr: sp.Expr) -> str:
        if not expr.free_symbols:  # a constant (ln 10): libm's, folded once
            return libm(self, expr)
        return f"{name}({self._print(expr.args[0])})"

    return method


class FastMathPrinter(NumbaPrinter):
    """As NumbaPrinter, with exp/expm1/log/log1p of variables calling ``vecmath``'s functions."""

    for _sympy_name, _name in PRINTED_AS.items():
        locals()[f"_print_{_sympy_name}"] = _vectorisable(_sympy_name, _name)
    del _sympy_name, _name


_PRINTERS = {("default", "libm"): NumbaPrinter(), ("none", "libm"): NumbaPrinter({"order": "none"}),
             ("default", "fast"): FastMathPrinter(), ("none", "fast"): FastMathPrinter({"order": "none"})}


def numba_code(expr: sp.Expr, order: str = "default", math: str = "libm") -> str:
    """Numba-safe Python source for one scalar expression; ``order="none"`` keeps SymPy's argument
    order (θ − η·g rather than −η·g + θ); ``math="fast"`` calls ``vecmath``'s functions."""
    try:
        return _PRINTERS[order, math].doprint(expr)
    except UnsupportedExpression:
        raise
    except Exception as exc:  # SymPy's printer raises several types for unknown functions
        raise UnsupportedExpression(f"{sp.sstr(expr)} cannot be printed as Numba code: {exc}") from exc
