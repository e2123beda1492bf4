"""Every shipped example and random nets up to 64 parameters, compiled by pdflatex on the default
article page: no compile error, no Overfull \\hbox over 1 pt, no character lost or turned into ?."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from latex_tools import LECTURE, compile_tex, needs_pdflatex, with_lost_chars_traced

from derive.cli import main
from derive.render.layout import SECTIONS

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
TOLERANCE_PT = 1.0


def derive_latex(*args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--latex"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def assert_clean(compiled, what: str) -> None:
    assert compiled.returncode == 0 and not compiled.errors, f"{what}: {compiled.errors}\n{compiled.log[-2000:]}"
    assert max(compiled.overfull, default=0.0) <= TOLERANCE_PT, f"{what}: Overfull \\hbox {compiled.overfull}"
    assert max(compiled.overfull_vertical, default=0.0) <= TOLERANCE_PT, f"{what}: Overfull \\vbox {compiled.overfull_vertical}"
    assert not compiled.lost_characters, f"{what}: {compiled.lost_characters}"


@needs_pdflatex
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_standalone_example_fits_the_page(example, tmp_path):
    tex = derive_latex(str(example), "--standalone")
    assert "?" not in tex.replace("?", "", example.read_text(encoding="utf-8").count("?"))
    compiled = compile_tex(with_lost_chars_traced(tex), tmp_path)
    assert_clean(compiled, example.stem)
    if example.stem == "delta_node_numbered":
        assert compiled.pages <= 8, compiled.pages  # 21 before chains were elided; one is the figure


@needs_pdflatex
@pytest.mark.parametrize("name", ["delta_node_numbered", "three_layer"])
def test_everything_shown_still_fits(name, tmp_path):
    """The long examples with every chain and every section: longer, and still within the page."""
    example = EXAMPLES[[p.stem for p in EXAMPLES].index(name)]
    tex = derive_latex(str(example), "--standalone", "--no-elide", "--sections", ",".join(SECTIONS))
    assert "similarly" not in tex and "Closed forms" in tex and "Layer-level" in tex
    assert_clean(compile_tex(with_lost_chars_traced(tex), tmp_path), name)


@needs_pdflatex
def test_fragment_pastes_into_a_lecture_and_its_labels_resolve(tmp_path):
    """The issue's 'done when': the fragment \\input into a lecture compiles, and \\eqref finds it."""
    fragment = derive_latex(str(EXAMPLES[[p.stem for p in EXAMPLES].index("office_hours_221")]))
    assert r"\documentclass" not in fragment and r"\begin{document}" not in fragment
    (tmp_path / "derivation.tex").write_text(fragment, encoding="utf-8")
    body = (r"\section{Backpropagation by hand}" "\n"
            r"By \eqref{eq:grad:w5} and \eqref{eq:delta:delta3}, the step \eqref{eq:update:w5} follows."
            "\n" r"\input{derivation}")
    compiled = compile_tex(LECTURE % body, tmp_path, "lecture", runs=2)
    assert_clean(compiled, "lecture")
    assert "undefined" not in compiled.log.split("(./derivation.tex")[-1], "a label did not resolve"


def _random_spec(rng: np.random.Generator, n: int) -> str:
    """A random net of at most 64 parameters, with numbers, in a random notation."""
    while True:
        sizes = [int(rng.integers(1, 8)) for _ in range(int(rng.integers(2, 5)))]
        bias = bool(rng.integers(0, 2))
        count = sum(a * b + (b if bias else 0) for a, b in zip(sizes, sizes[1:]))
        if count <= 64:
            break
    hidden = ["sigmoid", "tanh", "relu", "softplus", "swish", "gelu", "elu", "leaky_relu", "linear"]
    softmax = sizes[-1] > 1 and bool(rng.integers(0, 2))
    acts = [str(rng.choice(hidden)) for _ in sizes[1:-1]] + ["softmax" if softmax else str(rng.choice(["sigmoid", "linear", "tanh"]))]
    losses = ["categorical_cross_entropy"] if softmax else ["half_squared_error", "mean_squared_error", "huber",
                                                             "binary_cross_entropy" if acts[-1] == "sigmoid" else "squared_error"]
    style = str(rng.choice(["flat", "layered", "node"]))
    layers = "\n".join(f"  - {{units: {u}, activation: {a}, bias: {str(bias).lower()}}}" for u, a in zip(sizes[1:], acts))
    params = []
    for l, (a, b) in enumerate(zip(sizes, sizes[1:]), start=1):
        params.append(f"  W{l}: {np.round(rng.uniform(-1, 1, (b, a)), 2).tolist()}")
        if bias:
            params.append(f"  b{l}: {np.round(rng.uniform(-1, 1, b), 2).tolist()}")
    x = np.round(rng.uniform(-1, 1, sizes[0]), 2).tolist()
    y = [0.0] * sizes[-1]
    y[int(rng.integers(0, sizes[-1]))] = 1.0
    return (f"name: random_{n}\ndescription: \"Zufallsnetz Nr. {n}: Übung für ℓ und δ — naïve café\"\n"
            f"inputs: {sizes[0]}\nlayers:\n{layers}\nloss: {rng.choice(losses)}\nnotation: {{style: {style}}}\n"
            "parameters:\n" + "\n".join(params) + f"\nexample: {{x: {x}, y: {y}}}\nlearning_rate: 0.1\n")


@needs_pdflatex
def test_random_nets_fit_the_page(tmp_path):
    """Eight random nets (≤ 64 parameters), each a fragment with its own label prefix, in one lecture."""
    rng = np.random.default_rng(12)
    fragments = []
    for n in range(8):
        spec = tmp_path / f"random_{n}.yaml"
        spec.write_text(_random_spec(rng, n), encoding="utf-8")
        fragments.append(derive_latex(str(spec), "--label-prefix", f"net{n}"))
    compiled = compile_tex(with_lost_chars_traced(LECTURE % "\n\\clearpage\n".join(fragments)), tmp_path)
    assert_clean(compiled, "random nets")
    assert "Übung für $\\ell$ und $\\delta$ --- naïve café" in fragments[0]
