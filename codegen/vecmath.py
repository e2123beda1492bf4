"""Vectorisable elementary functions: the one home of the math a generated CPU module embeds.

Numba ≥ 0.62 has no SVML, so ``math.exp`` in a loop is a scalar libm call and LLVM cannot
vectorise the loop. These functions are straight-line float64 arithmetic (range reduction, a
polynomial, exponent bits set through ``view``) whose conditionals are selects, so a loop that
calls them becomes a SIMD loop once LLVM (or Numba, for ``INLINE``) inlines them. ``emit`` copies
the source of the ones a module uses into the layer strategy's modules (``derive codegen --math
fast``, the default); ``--math libm``, the unrolled strategy and CUDA keep ``math.*`` calls.

Each docstring states the error bound measured against mpmath by ``bench/accuracy_math.py``
(dense sweeps plus subnormals, ±inf, NaN and the overflow thresholds; README table), in float64
and for float32 arguments (computed in float64, rounded once: correctly rounded but for double
rounding). The bounds are measured, not proven. NaN in gives NaN out; ±0, ±inf and
overflow give what libm gives. ``tests/codegen/test_vecmath.py`` checks the bounds on a few
thousand points.
"""

from __future__ import annotations

import inspect
import math
import re

import numpy as np

# The constants, written as literals in the bodies (so the emitted source stands alone):
# 1.4426950408889634 = 1/ln 2; 0.6931471803691238 + 1.9082149292705877e-10 = ln 2 split
# (Cody–Waite: the first has 32 significant bits, so n·ln2_hi is exact); 6755399441055744.0 =
# 1.5·2⁵² (adding it rounds to an integer that sits in the low bits of the sum);
# 4843621399236968448 = 0x4338000000000000, the bits of 1.5·2⁵².


def vexp(x):
    """e**x, within 1.1 ulp (float32 arguments: 0.51). x = n·ln 2 + r, |r| ≤ ln 2/2; e**r by
    its degree-13 Taylor polynomial; 2**n set in two exponent-bit halves, so that subnormal
    results round once."""
    c = 710.0 if x > 710.0 else (-746.0 if x < -746.0 else x)  # overflow / underflow; NaN stays
    kd = c * 1.4426950408889634 + 6755399441055744.0
    n = kd - 6755399441055744.0
    r = (c - n * 0.6931471803691238) - n * 1.9082149292705877e-10
    q = 1.6059043836821613e-10  # 1/13!
    q = 2.08767569878681e-09 + r * q  # 1/12!
    q = 2.505210838544172e-08 + r * q  # 1/11!
    q = 2.755731922398589e-07 + r * q  # 1/10!
    q = 2.7557319223985893e-06 + r * q  # 1/9!
    q = 2.48015873015873e-05 + r * q  # 1/8!
    q = 0.0001984126984126984 + r * q  # 1/7!
    q = 0.001388888888888889 + r * q  # 1/6!
    q = 0.008333333333333333 + r * q  # 1/5!
    q = 0.041666666666666664 + r * q  # 1/4!
    q = 0.16666666666666666 + r * q  # 1/3!
    q = 0.5 + r * q  # 1/2!
    p = 1.0 + (r + r * r * q)  # e**r, the small part summed first
    k = np.float64(kd).view(np.int64) - 4843621399236968448
    half = k >> 1
    s1 = np.int64((half + 1023) << 52).view(np.float64)
    s2 = np.int64((k - half + 1023) << 52).view(np.float64)
    return p * s1 * s2


def vexpm1(x):
    """e**x − 1, within 1.9 ulp (float32 arguments: 0.51), accurate near 0. As vexp, with
    expm1(r) = r + r²(1/2 + r/6 + …), then 2**n·expm1(r) + (2**n − 1), each term exact but for
    one rounding."""
    c = 710.0 if x > 710.0 else (-40.0 if x < -40.0 else x)  # e**-40 − 1 rounds to −1; NaN stays
    kd = c * 1.4426950408889634 + 6755399441055744.0
    n = kd - 6755399441055744.0
    r = (c - n * 0.6931471803691238) - n * 1.9082149292705877e-10
    q = 1.1470745597729725e-11  # 1/14!
    q = 1.6059043836821613e-10 + r * q  # 1/13!
    q = 2.08767569878681e-09 + r * q  # 1/12!
    q = 2.505210838544172e-08 + r * q  # 1/11!
    q = 2.755731922398589e-07 + r * q  # 1/10!
    q = 2.7557319223985893e-06 + r * q  # 1/9!
    q = 2.48015873015873e-05 + r * q  # 1/8!
    q = 0.0001984126984126984 + r * q  # 1/7!
    q = 0.001388888888888889 + r * q  # 1/6!
    q = 0.008333333333333333 + r * q  # 1/5!
    q = 0.041666666666666664 + r * q  # 1/4!
    q = 0.16666666666666666 + r * q  # 1/3!
    q = 0.5 + r * q  # 1/2!
    q = r * r * q  # e**r − 1 − r
    p = r + q
    k = np.float64(kd).view(np.int64) - 4843621399236968448
    half = k >> 1
    s1 = np.int64((half + 1023) << 52).view(np.float64)
    s2 = np.int64((k - half + 1023) << 52).view(np.float64)
    s = s1 * s2
    result = s * p + (s - 1.0) if k < 56 else (p + 1.0) * s1 * s2 - 1.0
    return x if x == 0.0 else result  # expm1(−0) = −0


def vlog(x):
    """ln x, within 0.8 ulp (float32 arguments: 0.51). x = 2**k·m, √½ ≤ m < √2 from the bits
    (subnormals scaled by 2**54 first); ln m = 2 atanh(f/(2 + f)), f = m − 1, by fdlibm's
    polynomial."""
    tiny = x < 2.2250738585072014e-308
    y = x * 18014398509481984.0 if tiny else x
    bits = np.float64(y).view(np.int64)
    m = np.int64((bits & 4503599627370495) | 4607182418800017408).view(np.float64)  # [1, 2)
    big = m > 1.4142135623730951
    m = m * 0.5 if big else m
    k = ((bits >> 52) & 2047) - (1077 if tiny else 1023) + (1 if big else 0)
    dk = np.int64(k + 4843621399236968448).view(np.float64) - 6755399441055744.0  # float(k)
    f = m - 1.0
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    # fdlibm's Lg1..Lg7: ln m = f − f²/2 + s(f²/2 + R), R = Lg1 z + Lg2 z² + … + Lg7 z⁷
    even = 1.531383769920937332e-01  # Lg6
    even = 2.222219843214978396e-01 + w * even  # Lg4
    even = w * (3.999999999940941908e-01 + w * even)  # Lg2
    odd = 1.479819860511658591e-01  # Lg7
    odd = 1.818357216161805012e-01 + w * odd  # Lg5
    odd = 2.857142874366239149e-01 + w * odd  # Lg3
    odd = z * (6.666666666666735130e-01 + w * odd)  # Lg1
    tail = s * (hfsq + odd + even) + dk * 1.9082149292705877e-10  # and k·ln2_lo
    r = dk * 0.6931471803691238 - ((hfsq - tail) - f)
    if_not_finite = -math.inf if x == 0.0 else (x if x == math.inf else math.nan)
    return r if (x > 0.0) & (x < math.inf) else if_not_finite


def vlog1p(x):
    """ln(1 + x), within 1.3 ulp (float32 arguments: 0.51): vlog(u), u = 1 + x, corrected by
    the rounding of u, −((u − 1) − x)/u."""
    u = 1.0 + x
    correction = ((u - 1.0) - x) / u if (u > 0.0) & (u < 1e300) else 0.0
    return x if x == 0.0 else vlog(u) - correction  # log1p(−0) = −0


def sigmoid(u):
    """σ(u) = 1/(1 + e**−u), within 1.9 ulp (float32 arguments: 0.51): (1 or e)/(1 + e) with
    e = vexp(−|u|) ≤ 1, so nothing overflows, corrected by the rounding error of 1 + e (exact:
    d_lo = (1 − d) + e), which alone costs up to 1 ulp."""
    e = vexp(-abs(u))
    d = 1.0 + e
    d_lo = (1.0 - d) + e
    y = (1.0 if u >= 0.0 else e) / d
    return y - y * d_lo / d


def softplus(u):
    """ln(1 + e**u), within 2 ulp (float32 arguments: 0.51): max(u, 0) + ln(1 + e) with
    e = vexp(−|u|) and ln(1 + e) = vlog(w) − ((w − 1) − e)/w, w = 1 + e (vlog1p's correction)."""
    e = vexp(-abs(u))
    w = 1.0 + e
    return (u if u > 0.0 else 0.0) + (vlog(w) - ((w - 1.0) - e) / w)


def tanh(u):
    """tanh u, within 2 ulp (float32 arguments: 0.51). Below |u| = 0.125 its odd Taylor
    polynomial (to u**17); else, with v = e**2|u| + 1, (v − 2)/v below |u| = 0.55 and 1 − 2/v
    above; the sign of u. e**2|u| is vexp's reduction written out, rounded down (0 ≤ r < ln 2,
    degree-17 Taylor), so that every term is positive and nothing cancels."""
    a = abs(u)
    c = 40.0 if a > 40.0 else 2.0 * a  # tanh 20 rounds to 1; NaN stays
    kd = (c * 1.4426950408889634 - 0.5) + 6755399441055744.0
    n = kd - 6755399441055744.0
    r = (c - n * 0.6931471803691238) - n * 1.9082149292705877e-10
    q = 2.8114572543455206e-15  # 1/17!
    q = 4.779477332387385e-14 + r * q  # 1/16!
    q = 7.647163731819816e-13 + r * q  # 1/15!
    q = 1.1470745597729725e-11 + r * q  # 1/14!
    q = 1.6059043836821613e-10 + r * q  # 1/13!
    q = 2.08767569878681e-09 + r * q  # 1/12!
    q = 2.505210838544172e-08 + r * q  # 1/11!
    q = 2.755731922398589e-07 + r * q  # 1/10!
    q = 2.7557319223985893e-06 + r * q  # 1/9!
    q = 2.48015873015873e-05 + r * q  # 1/8!
    q = 0.0001984126984126984 + r * q  # 1/7!
    q = 0.001388888888888889 + r * q  # 1/6!
    q = 0.008333333333333333 + r * q  # 1/5!
    q = 0.041666666666666664 + r * q  # 1/4!
    q = 0.16666666666666666 + r * q  # 1/3!
    q = 0.5 + r * q  # 1/2!
    q = r * r * q  # e**r − 1 − r
    p = r + q  # e**r − 1
    k = np.float64(kd).view(np.int64) - 4843621399236968448
    s = np.int64((k + 1023) << 52).view(np.float64)
    t = s * p + (s - 1.0)  # e**2|u| − 1; 0 ≤ n ≤ 57, so 2**n is one normal number
    v = s * p + (s + 1.0)  # e**2|u| + 1
    large = t / v if a < 0.55 else 1.0 - 2.0 / v
    a2 = a * a
    odd = 0.000590027440945586  # 6404582/10854718875, of u**17
    odd = -0.0014558343870513183 + a2 * odd  # −929569/638512875
    odd = 0.003592128036572481 + a2 * odd  # 21844/6081075
    odd = -0.008863235529902197 + a2 * odd  # −1382/155925
    odd = 0.021869488536155203 + a2 * odd  # 62/2835
    odd = -0.05396825396825397 + a2 * odd  # −17/315
    odd = 0.13333333333333333 + a2 * odd  # 2/15
    odd = -0.3333333333333333 + a2 * odd  # −1/3
    small = a + a * a2 * odd
    return math.copysign(small if a < 0.125 else large, u)


#: every function in the order they must be defined, with those each one calls
FUNCTIONS = {
    "vexp": (),
    "vexpm1": (),
    "vlog": (),
    "vlog1p": ("vlog",),
    "sigmoid": ("vexp",),
    "softplus": ("vexp", "vlog"),
    "tanh": (),
}
#: float64 and float32 bounds in ulps, as the docstrings state: the largest errors that
#: bench/accuracy_math.py found (dense sweeps of up to 400,000 points), rounded up
BOUNDS = {
    "vexp": (1.1, 0.51),
    "vexpm1": (1.9, 0.51),
    "vlog": (0.8, 0.51),
    "vlog1p": (1.3, 0.51),
    "sigmoid": (1.9, 0.51),
    "softplus": (2.0, 0.51),
    "tanh": (2.0, 0.51),
}
#: how the generated modules compile these functions and the loops that call them: NumPy's error
#: model (x/0 is ±inf or NaN, no ZeroDivisionError branch, so LLVM can inline and vectorise) and
#: a·b + c contracted into one fused multiply-add (one rounding instead of two, half the
#: instructions of a Horner step). BOUNDS are measured compiled this way.
JIT_OPTIONS = {"error_model": "numpy", "fastmath": {"contract"}}
#: the ones LLVM's inliner leaves as calls in a loop (too large): Numba inlines them instead
INLINE = {"softplus"}
#: the SymPy functions printed as calls of these, by ``printer.FastMathPrinter``
PRINTED_AS = {"exp": "vexp", "expm1": "vexpm1", "log": "vlog", "log1p": "vlog1p"}


def needed(used: set[str]) -> list[str]:
    """The functions to emit for a module that calls ``used``, dependencies included, in order."""
    wanted = set()
    stack = [name for name in used if name in FUNCTIONS]
    while stack:
        name = stack.pop()
        if name not in wanted:
            wanted.add(name)
            stack += FUNCTIONS[name]
    return [name for name in FUNCTIONS if name in wanted]


def jit_options_text() -> str:
    """JIT_OPTIONS as the keyword arguments of a ``numba.njit`` call in generated source."""
    return ", ".join(f"{key}={value!r}" for key, value in JIT_OPTIONS.items())


def source(name: str) -> str:
    """The source text of one function, as the generated module holds it (undecorated)."""
    return inspect.getsource(globals()[name])


def used_in(codes: list[str]) -> set[str]:
    """The functions of this module that some code text calls."""
    return {name for name in FUNCTIONS if any(re.search(rf"(?<![\w.]){name}\(", c) for c in codes)}
