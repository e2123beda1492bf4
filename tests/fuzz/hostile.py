"""The hostile corpus: strings an attacker (or an unlucky student) might write, and every place a
user's text goes — custom activation and loss formulas, claims in text and in LaTeX, a claim's
quantity, the student's name, the network's name, input names and description (which reach
generated Python and LaTeX)."""

from __future__ import annotations

from pathlib import Path

from harness import CANARY

ROOT = Path(__file__).resolve().parents[2]
TOUCH = f"touch {CANARY}"

STRINGS: list[str] = [
    # Python: dunders, attribute chains, builtins, code
    f"__import__('os').system('{TOUCH}')",
    "__import__",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__.__mro__[1].__subclasses__()",
    "x.__dict__",
    "x.__globals__['os']",
    "getattr(x, '__class__')",
    "lambda: 0",
    "(lambda: __import__('os'))()",
    "exec('import os')",
    f"eval(\"__import__('os').system('{TOUCH}')\")",
    "open('/etc/passwd').read()",
    f"open('{CANARY}', 'w')",
    "compile('1', 'f', 'eval')",
    "globals()",
    "locals()['x']",
    "f'{__import__(\"os\").system(\"" + TOUCH + "\")}'",
    "f\"{x!r}\"",
    "x if x else x",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "x; import os",
    "x\nimport os",
    "import os",
    "os.system('ls')",
    "sys.exit(3)",
    "Symbol('x')",
    "sympify('x')",
    "S('1/0')",
    "Function('f')(x)",
    # resource bombs
    "x ** 99999999999",
    "10 ** 10 ** 10",
    "9 ** 9 ** 9 ** 9",
    "2 ^ 2 ^ 2 ^ 2 ^ 2 ^ 2",
    "factorial(100000)",
    "100000!",
    "9" * 5000,
    "1e999999",
    "(" * 10000 + "x" + ")" * 10000,
    "[" * 10000 + "x" + "]" * 10000,
    "x+" * 500000 + "x",
    "x" * 1_000_000,
    "exp(exp(exp(exp(exp(exp(x))))))",
    "sin(exp(exp(exp(exp(x+3)))))",
    "max(" * 30 + "x" + ", 1)" * 30,
    "log(" * 38 + "x" + ")" * 38,
    "(x+1)^4096",
    "tanh(x)^64^64",
    # bytes and Unicode
    "x\x00",
    "\x00",
    "x\u202e1+",
    "\u202ex\u202c",
    "\ufeffx",
    "x\ud800",
    "x\x1b[2J",
    "x\r\nimport os",
    "ｘ",
    "x\u200b",
    # YAML
    "!!python/object/apply:os.system ['" + TOUCH + "']",
    "!!python/object:os.system",
    "!!python/name:os.system",
    "&a [*a]",
    "*undefined",
    # LaTeX
    "\\input{/etc/passwd}",
    "\\include{x}",
    "\\write18{" + TOUCH + "}",
    "\\immediate\\write18{" + TOUCH + "}",
    "\\catcode`\\^^M=13",
    "\\def\\x{1}\\x",
    "\\csname input\\endcsname{/etc/passwd}",
    "\\openout1=" + CANARY,
    "x\\",
    "\\frac\\frac",
    "\\frac{1}",
    "\\hat",
    "}{",
    "$x$",
    "% comment",
    "\\\\",
    # Jinja2 and templates
    "{{ 7*7 }}",
    "{% for x in range(10**9) %}{% endfor %}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "${x}",
    "#{x}",
    "\"\"\"",
    "'''",
    "\\n\\nimport os",
]

PLACES = ("activation", "loss", "claim_expr", "claim_latex", "claim_about", "student", "name", "description",
          "input")
OFFICE = (ROOT / "examples" / "office_hours_221.yaml").read_text()
LECTURE = (ROOT / "examples" / "lecture_111.yaml").read_text()


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar holding ``text`` exactly (lone surrogates as \\uXXXX escapes)."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF or code in (0x202E, 0x202C, 0xFEFF, 0x200B):
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _raw(text: str) -> bool:
    """A YAML-level payload (a tag, an anchor): placed as written, not quoted."""
    return text.startswith(("!!", "&", "*"))


def case(text: str, place: str, codegen: bool = False) -> tuple[list[str], dict[str, bytes], str]:
    """The command line and files that put ``text`` in ``place``."""
    value = text if _raw(text) else _quoted(text)
    if place in ("activation", "loss", "name", "description", "input"):
        spec = LECTURE
        if place == "activation":
            spec = spec.replace("activation: sigmoid", f"activation: custom, formula: {value}", 1)
        elif place == "loss":
            spec = spec.replace("loss: half_squared_error", f"loss: {{type: custom, formula: {value}}}")
        elif place == "name":
            spec = f"name: {value}\n" + "\n".join(l for l in spec.split("\n") if not l.startswith("name:"))
        elif place == "description":
            spec = f"description: {value}\n" + "\n".join(l for l in spec.split("\n")
                                                         if not l.startswith("description:"))
        else:
            spec = spec.replace("inputs: [x]", f"inputs: [{value}]").replace("inputs: 1", f"inputs: [{value}]")
        args = ["net.yaml", "--latex", "--standalone", "-o", "out.tex"]
        if place in ("name", "description") and codegen:
            args = ["codegen", "net.yaml", "-o", "gen"]
        return args, {"net.yaml": spec.encode("utf-8", "surrogatepass")}, f"{place}: {text[:60]!r}"
    claim = {"claim_expr": f"  - {{about: yhat, expr: {value}}}\n",
             "claim_latex": f"  - {{about: yhat, latex: {value}}}\n",
             "claim_about": f"  - {{about: {value}, value: 0.5}}\n",
             "student": "  - {about: yhat, value: 0.66}\n"}[place]
    work = ("student: " + value + "\n" if place == "student" else "") + "claims:\n" + claim
    files = {"net.yaml": OFFICE.encode(), "work.yaml": work.encode("utf-8", "surrogatepass")}
    return ["check", "net.yaml", "work.yaml", "--latex", "-o", "out.tex"], files, f"{place}: {text[:60]!r}"


def hostile_cases(places: tuple[str, ...] = PLACES, codegen: bool = True):
    """Every string in every place (names and descriptions also through codegen), in rounds: the
    first round puts every string in one place (rotating), the next in the next place, and so on."""
    for round_ in range(len(places)):
        for i, text in enumerate(STRINGS):
            place = places[(i + round_) % len(places)]
            yield case(text, place)
            if codegen and place in ("name", "description"):
                yield case(text, place, codegen=True)
