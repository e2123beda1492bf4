"""Mutations of the shipped specs (examples/*.yaml) and claims files (examples/homework/): text edits,
structural edits of the parsed YAML, and resource bombs. Deterministic for a given random.Random."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "examples").glob("*.yaml"))
WORKS = sorted((ROOT / "examples" / "homework").glob("*.yaml"))
#: the spec each claims file is about
WORK_SPEC = {"office_hours_221_work.yaml": "office_hours_221.yaml"}

NUMBERS = ["0", "-1", "1e309", "-1e309", ".nan", ".inf", "999999999999", "100000000000000000000",
           "1" * 5000, "0x7fffffffffffffff", "1e-400", "2", "65536", "3.5", "true", "null", "~", "[]", "{}",
           "'7'", "-0", "1_000", "0o777", "10000", "1e300"]
FORMULAS = ["x", "exp(1000*x)", "log(x, 0)", "log(0)", "exp(exp(exp(exp(exp(x)))))", "abs(yhat - y)",
            "max(" * 25 + "x" + ", 1)" * 25, "sin(exp(exp(exp(exp(x+3)))))", "x^99999", "1/0", "x/(x-x)",
            "sqrt(-1)*x", "x^(1/3)", "(yhat - y)^2", "-log(yhat)", "y*log(yhat)", "__import__('os')",
            "x" + "+x" * 3000, "(" * 5000 + "x" + ")" * 5000, "tanh(x)^64", "x**-64", "log(yhat, 10)"]
TEXTS = ["", " ", "x1\n", "a" * 100000, "\u202e", "\x00", "\ud800", "!!python/object:os.system", "\\input{x}",
         "\\", "x\\", "\\frac\\frac", "é", "__class__", "{{ 7*7 }}", "${x}", "'\"", "#", "%", "\t"]
LINES = ["  - {units: 999999999999, activation: softmax}", "train: {steps: 1000000000}",
         "  - {units: 3, activation: custom, formula: 'exp(exp(exp(exp(exp(x)))))'}", "name: 5",
         "name: [a]", "learning_rate: 100000000000000000000", "description: \"\\ud800\"", "student: \"\\udc00\"",
         "  - {about: yhat, latex: 'x\\'}", "  - {about: yhat, expr: '" + "max(" * 22 + "yhat" + ", 1)" * 22 + "'}",
         "  - {about: yhat, value: 1e309}", "  - {about: dE/dw5, expr: 'sin(exp(exp(exp(exp(z1+3)))))'}",
         "&a [1, 2]", "*a", "? [a]\n: b", "!!python/object/apply:os.system ['touch CANARY_PWNED']"]


@dataclass
class Case:
    """One fuzz case: the command line and the files it needs (name → bytes)."""

    args: list[str]
    files: dict[str, bytes]
    mutation: str


def billion_laughs(key: str, levels: int = 12) -> str:
    lines = [f"{key}: &l0 [a, a, a, a, a, a, a, a, a, a]"]
    lines[0] = "x0: &l0 [a, a, a, a, a, a, a, a, a, a]"
    for k in range(1, levels):
        lines.append(f"x{k}: &l{k} [" + ", ".join([f"*l{k - 1}"] * 10) + "]")
    lines.append(f"{key}: *l{levels - 1}")
    return "\n".join(lines) + "\n"


def bombs(spec: str) -> list[str]:
    """Resource bombs built on a spec's text."""
    body = spec.rstrip("\n") + "\n"
    layers = "layers:\n" + "  - {units: 1}\n" * 10000
    no_layers = re.sub(r"(?ms)^layers:.*?(?=^\S)", "", body)
    examples = "examples:\n" + "  - {x: [0, 1], y: [1]}\n" * 100000
    no_examples = re.sub(r"(?m)^examples?:.*\n(  .*\n)*", "", body)
    return [
        billion_laughs("description") + re.sub(r"(?m)^description:.*\n", "", body),
        billion_laughs("inputs") + re.sub(r"(?m)^inputs:.*\n", "", body),
        billion_laughs("layers") + no_layers,
        no_layers + layers,
        no_examples + examples,
        body + "train: {steps: 1000000000}\n",
        body.replace("inputs:", "deep: " + "[" * 5000 + "]" * 5000 + "\ninputs:", 1),
        body + "learning_rate: " + "9" * 5000 + "\n",
        "!!python/object/apply:os.system ['touch CANARY_PWNED']\n",
    ]


def _mutate_text(rng: random.Random, text: str) -> tuple[str, str]:
    lines = text.split("\n")
    op = rng.randrange(9)
    if op == 0 and lines:
        del lines[rng.randrange(len(lines))]
        return "\n".join(lines), "delete a line"
    if op == 1 and lines:
        k = rng.randrange(len(lines))
        lines.insert(k, lines[k])
        return "\n".join(lines), "duplicate a line"
    if op == 2:
        numbers = list(re.finditer(r"(?<![\w.])-?\d+(\.\d+)?(e-?\d+)?(?![\w.])", text))
        if numbers:
            m = rng.choice(numbers)
            new = rng.choice(NUMBERS)
            return text[: m.start()] + new + text[m.end():], f"number → {new[:30]}"
    if op == 3:
        k = rng.randrange(len(text) + 1)
        junk = rng.choice(["\x00", "\x07", "\t", ":", "-", "[", "{", "&a ", "*a", "'", '"', "\\", "\ufeff", "\u202e", "!!"])
        return text[:k] + junk + text[k:], f"insert {junk!r}"
    if op == 4:
        k = rng.randrange(len(text) + 1)
        return text[:k], "truncate"
    if op == 5:
        k = rng.randrange(len(lines) + 1)
        line = rng.choice(LINES)
        lines.insert(k, line)
        return "\n".join(lines), f"insert line {line[:40]!r}"
    if op == 6:
        words = list(re.finditer(r"\b[a-z_]{2,}\b", text))
        if words:
            m = rng.choice(words)
            new = rng.choice(["custom", "softmax", "relu", "sigmoid", "mse", "cross_entropy", "adam", "node",
                              "flat", "x", "yhat", "W1", "b1", "__class__", "chek", "formula", "units"])
            return text[: m.start()] + new + text[m.end():], f"word → {new}"
    if op == 7:
        strings = list(re.finditer(r"(?<=: )[A-Za-z\"'][^,}\n]*", text))
        if strings:
            m = rng.choice(strings)
            new = rng.choice(FORMULAS + TEXTS)
            quoted = "'" + new.replace("'", "''").replace("\n", " ") + "'"
            return text[: m.start()] + quoted + text[m.end():], f"string → {new[:30]!r}"
    if op == 8 and len(lines) > 2:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines), "swap lines"
    return text, "unchanged"


def _mutate_data(rng: random.Random, data):
    """Replace one value of the parsed YAML by a value of another kind."""
    nodes = []

    def walk(value, parent, key):
        nodes.append((parent, key))
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, value, k)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, value, i)

    walk(data, None, None)
    parent, key = rng.choice(nodes[1:] or nodes)
    choices = [None, True, 0, -1, 2**64, 10**30, 1e308, float("nan"), "", "x", [], {}, [1] * 3, {"a": 1},
               "custom", 999999999999, rng.choice(FORMULAS), rng.choice(TEXTS)]
    new = rng.choice(choices)
    if parent is None:
        return new, f"document → {new!r:.30}"
    parent[key] = new
    return data, f"{key!r:.20} → {new!r:.30}"


def mutate_yaml(rng: random.Random, text: str) -> tuple[str, str]:
    """One, two or three mutations of a YAML text."""
    notes = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        if rng.random() < 0.3:
            try:
                data = yaml.safe_load(text)
                data, note = _mutate_data(rng, data)
                text = yaml.safe_dump(data, allow_unicode=rng.random() < 0.5, sort_keys=False)
            except Exception:  # the text no longer parses: mutate the text instead
                text, note = _mutate_text(rng, text)
        else:
            text, note = _mutate_text(rng, text)
        notes.append(note)
    return text, "; ".join(notes)


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def make_case(rng: random.Random, allow_slow: bool = True) -> Case:
    """A random case: derive SPEC [--json|--latex], or derive check SPEC WORK, with one file mutated."""
    kind = rng.random()
    if kind < 0.35:
        work = rng.choice(WORKS)
        spec = ROOT / "examples" / WORK_SPEC[work.name]
        spec_text, work_text = spec.read_text(), work.read_text()
        if rng.random() < 0.04:
            work_text, note = rng.choice(bombs(work_text)), "bomb"
        elif rng.random() < 0.75:
            work_text, note = mutate_yaml(rng, work_text)
            note = "work: " + note
        else:
            spec_text, note = mutate_yaml(rng, spec_text)
            note = "spec: " + note
        fmt = rng.choice([[], ["--json"], ["--markdown"], ["--latex"]])
        return Case(["check", "net.yaml", "work.yaml", *fmt],
                    {"net.yaml": _encode(spec_text), "work.yaml": _encode(work_text)}, note)
    specs = [s for s in SPECS if allow_slow or s.name != "mlp_784.yaml"]
    spec = rng.choice(specs)
    text = spec.read_text()
    if rng.random() < 0.05:
        text, note = rng.choice(bombs(text)), "bomb"
    else:
        text, note = mutate_yaml(rng, text)
    fmt = rng.choice([[], ["--json"], ["--latex", "--standalone"], ["--no-expand"]])
    return Case(["net.yaml", *fmt], {"net.yaml": _encode(text)}, f"{spec.name}: {note}")
