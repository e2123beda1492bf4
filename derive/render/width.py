"""How wide a LaTeX formula will print, estimated from its source, in points (10 pt, display style).

A small reader of the LaTeX that our printers write: a fraction is as wide as the wider of its
numerator and denominator, scripts are set at 70 %, binary operators carry their spacing. The
table was calibrated against pdflatex's own widths for every formula the shipped examples print
(tests/render/test_width.py); it errs on the wide side, so that a formula it passes fits.
"""

from __future__ import annotations

#: width of a single character (math italic letters, upright digits, operators with their spacing)
_CHAR = {"+": 13.0, "-": 13.0, "=": 14.5, "<": 14.5, ">": 14.5, "(": 4.0, ")": 4.0, "[": 3.0, "]": 3.0,
         ",": 4.5, ".": 3.0, ";": 4.5, ":": 6.0, "|": 3.0, "/": 5.0, "'": 3.5, "!": 3.0, "*": 9.0,
         " ": 0.0, "&": 0.0, "~": 3.5}
_LETTER, _DIGIT, _UPPER = 6.0, 5.2, 9.5
#: control words: fixed widths (points)
_WORD = {
    "partial": 6.0, "cdot": 8.0, "times": 13.0, "odot": 13.0, "ln": 12.0, "log": 15.0, "exp": 18.0,
    "sin": 14.0, "cos": 15.0, "tanh": 22.0, "sinh": 21.0, "cosh": 22.0, "max": 19.0, "min": 17.0,
    "operatorname": 0.0, "quad": 10.0, "qquad": 20.0, "ell": 4.5, "infty": 10.0, "to": 15.0,
    "leftarrow": 15.0, "le": 14.0, "ge": 14.0, "ne": 14.0, "approx": 14.0, "mid": 6.0, "sign": 20.0,
    "dots": 14.0, "ldots": 14.0, "cdots": 14.0, "prime": 3.0, "Sigma": 7.5, "Delta": 8.5, "nabla": 8.5,
    "mathcal": 0.0, "left": 0.0, "right": 0.0, "bigl": 0.0, "bigr": 0.0, "Bigl": 0.0, "Bigr": 0.0,
    "phantom": 0.0, "notag": 0.0, "nonumber": 0.0, "displaystyle": 0.0, "limits": 0.0, "nolimits": 0.0,
    "theta": 5.5, "eta": 5.5, "delta": 5.0, "sigma": 6.5, "lambda": 6.5, "mu": 6.5, "beta": 6.5,
    "alpha": 7.0, "gamma": 6.0, "epsilon": 5.0, "varepsilon": 5.0, "tau": 5.0, "phi": 6.5, "psi": 7.5,
    "omega": 7.0, "pi": 6.5, "rho": 5.5, "xi": 5.0, "zeta": 5.0, "kappa": 6.0, "nu": 5.5, "chi": 6.5,
}
_SPACES = {",": 1.7, ";": 2.8, ":": 2.2, "!": -1.7, " ": 3.3, "{": 5.0, "}": 5.0, "|": 5.0, "%": 8.0,
           "&": 8.0, "#": 8.0, "_": 5.0, "$": 5.0}
_DELIM = 4.5  # \left( … \right) and \Bigl( … \Bigr)


def width(tex: str) -> float:
    """Estimated printed width of ``tex`` (math mode, display style, 10 pt), in points."""
    return _Reader(tex).run()


class _Reader:
    def __init__(self, tex: str, scale: float = 1.0) -> None:
        self.s, self.i, self.scale = tex, 0, scale

    def run(self) -> float:
        total = 0.0
        while self.i < len(self.s):
            total += self.item()
        return total

    def group(self) -> str:
        """The next {…} group's source (or the next single token)."""
        s = self.s
        while self.i < len(s) and s[self.i] == " ":
            self.i += 1
        if self.i >= len(s):
            return ""
        if s[self.i] != "{":
            start = self.i
            if s[self.i] == "\\":
                self.i += 1
                while self.i < len(s) and s[self.i].isalpha():
                    self.i += 1
                if self.i == start + 1:
                    self.i += 1
            else:
                self.i += 1
            return s[start:self.i]
        depth, start = 0, self.i
        while self.i < len(s):
            if s[self.i] == "\\":
                self.i += 2
                continue
            depth += {"{": 1, "}": -1}.get(s[self.i], 0)
            self.i += 1
            if depth == 0:
                break
        return s[start + 1:self.i - 1]

    def sub(self, tex: str, scale: float | None = None) -> float:
        return _Reader(tex, self.scale if scale is None else scale).run()

    def item(self) -> float:
        s, c = self.s, self.s[self.i]
        if c in "^_":
            self.i += 1
            first = self.sub(self.group(), self.scale * 0.7)
            if self.i < len(s) and s[self.i] in "^_" and s[self.i] != c:  # x^{a}_{b}: stacked
                self.i += 1
                first = max(first, self.sub(self.group(), self.scale * 0.7))
            return first
        if c == "{":
            return self.sub(self.group())
        if c == "}":
            self.i += 1
            return 0.0
        if c != "\\":
            self.i += 1
            if c.isalpha():
                return self.scale * (_UPPER if c.isupper() else _LETTER)
            if c.isdigit():
                return self.scale * _DIGIT
            return self.scale * _CHAR.get(c, 6.0)
        return self.command()

    def command(self) -> float:
        s = self.s
        self.i += 1
        start = self.i
        while self.i < len(s) and s[self.i].isalpha():
            self.i += 1
        word = s[start:self.i]
        if not word:  # \, \; \! \{ …
            self.i += 1
            return self.scale * _SPACES.get(s[self.i - 1], 5.0)
        if word in ("frac", "dfrac", "tfrac"):
            num, den = self.group(), self.group()
            inner = self.scale * (0.7 if word == "tfrac" else 1.0)
            return max(self.sub(num, inner), self.sub(den, inner)) + 2.4 * self.scale
        if word in ("left", "right", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr"):
            delim = self.group()
            return 0.0 if delim == "." else self.scale * _DELIM
        if word in ("hat", "bar", "tilde", "vec", "dot", "ddot", "mathbf", "mathit", "mathsf", "boldsymbol"):
            return self.sub(self.group())
        if word in ("mathrm", "operatorname", "text", "textrm", "mathcal", "mathbb"):
            body = self.group()
            return self.scale * 5.2 * len(body.replace("\\", "")) if word != "mathcal" else self.scale * 8.0
        if word == "sqrt":
            return self.sub(self.group()) + 10.0 * self.scale
        if word in ("label", "tag", "phantom"):
            self.group()
            return 0.0
        if word in ("sum", "prod"):
            below = above = 0.0
            while self.i < len(s) and s[self.i] in "_^":
                mark = s[self.i]
                self.i += 1
                w = self.sub(self.group(), self.scale * 0.7)
                below, above = (w, above) if mark == "_" else (below, w)
            return max(14.5 * self.scale, below, above) + 3.0
        return self.scale * _WORD.get(word, 8.0)
