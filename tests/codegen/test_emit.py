"""derive codegen: importable modules for every example, generated/ up to date, clean refusals
(the command line: tests/test_cli.py)."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from derive.codegen.emit import generate, write_module
from derive.spec import load_network, parse_network

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


GENERATED = sorted(p for p in (ROOT / "generated").glob("*.py") if not p.name.startswith("derive_layers_"))
SHARED = sorted((ROOT / "generated").glob("derive_layers_*.py"))


def test_generated_folder_is_up_to_date():
    """`derive codegen examples/*.yaml [--target cuda] -o generated/` reproduces the committed
    modules exactly: one CPU and one CUDA module per example, and the layer kernels they share."""
    expected = {path.name for path in GENERATED + SHARED}
    produced = {}
    for example in EXAMPLES:
        for target in ("cpu", "cuda"):
            module = generate(load_network(example), target=target)
            produced.update(module.support)
            produced[module.filename] = module.source
    assert set(produced) == expected, "generated/ holds other files than the examples produce"
    stale = [name for name, source in produced.items()
             if (ROOT / "generated" / name).read_text(encoding="utf-8") != source]
    assert not stale, (f"generated/ is stale: {stale}; run: derive codegen examples/*.yaml -o generated/ "
                       "and NUMBA_ENABLE_CUDASIM=1 derive codegen examples/*.yaml --target cuda -o generated/")


@pytest.mark.parametrize("path", GENERATED + SHARED, ids=lambda p: p.stem)
def test_generated_module_imports_only_numpy_and_numba(path):
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    third_party = imported - sys.stdlib_module_names - {p.stem for p in SHARED}
    # a layer module's compiled code is all in its shared file: it needs only numpy itself
    assert third_party == {"numba", "numpy"} or (third_party == {"numpy"} and "from derive_layers_" in source)
    assert imported & sys.stdlib_module_names <= {"math", "numbers", "threading"}
    assert "Do not edit" in source and (path in SHARED or "sha256" in source.split("\n\n")[1])
    assert "object" not in source.split('"""', 2)[2] or "forceobj" not in source


def test_generated_modules_import_in_a_fresh_process(tmp_path):
    """The modules are plain files: importable from their folder with only numpy and numba
    present, the layer modules with the shared kernels file beside them."""
    folder = GENERATED[0].parent
    code = (
        "import importlib, sys\n"
        f"sys.path.insert(0, {str(folder)!r})\n"
        f"for name in {[p.stem for p in GENERATED]!r}:\n"
        "    module = importlib.import_module(name)\n"
        "    assert callable(module.train_epoch) and module.init_params(1)\n"
        "assert 'sympy' not in sys.modules and 'derive' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)


def test_layer_modules_share_one_kernels_file(tmp_path):
    """Two layer nets with the same activations, loss and optimizer import one kernels file;
    another optimizer makes another file; writing again leaves an unchanged file untouched."""
    def net(units, optimizer="sgd"):
        return parse_network(f"name: n{units}_{optimizer}\ninputs: 8\nlayers:\n  - {{units: {units}, activation: tanh}}\n"
                             f"  - {{units: 3, activation: softmax}}\nloss: categorical_cross_entropy\n"
                             f"optimizer: {optimizer}\n", "n.yaml")

    modules = [generate(net(16)), generate(net(40)), generate(net(16, "adam"))]
    assert [m.strategy for m in modules] == ["layer"] * 3
    assert modules[0].support == modules[1].support != modules[2].support
    first = write_module(modules[0], tmp_path)
    shared = tmp_path / modules[0].support[0][0]
    stamp = shared.stat().st_mtime_ns
    write_module(modules[1], tmp_path)
    assert shared.stat().st_mtime_ns == stamp  # Numba's cache of it stays valid
    assert f"from {shared.stem} import" in first.read_text()


SPEC = """\
inputs: 1
layers:
  - {units: 2, activation: custom, formula: "abs(x) + x*x"}
  - {units: 1, activation: sigmoid}
loss: squared_error
"""


def test_uncompilable_activation_is_refused_with_its_line(tmp_path):
    """Every whitelisted formula compiles; a network built in code can still hold a function
    Numba cannot evaluate (Heaviside, Bessel): refused, located, nothing written."""
    import sympy as sp

    from derive.codegen.emit import write_module
    from derive import activations as fn
    from derive.errors import InputError

    net = parse_network(SPEC, "net.yaml")
    out = tmp_path / "out"
    out.mkdir()
    write_module(generate(net), out)  # abs compiles: |x|' = sign(x)
    for formula in (sp.besselj(0, fn.X), sp.Heaviside(fn.X) * fn.X):
        layers = (replace(net.layers[0], activation=fn.custom_activation(formula)), net.layers[1])
        with pytest.raises(InputError) as error:
            generate(replace(net, layers=layers))
        assert str(error.value).startswith("net.yaml:3: cannot generate Numba code: layer 1")
    assert [p.name for p in out.iterdir()] == ["net.py"]


def test_strategy_choice():
    net = parse_network("inputs: 2\nlayers:\n  - {units: 2, activation: sigmoid}\n  - {units: 1, activation: sigmoid}\n"
                        "loss: squared_error\n", "x.yaml")
    assert generate(net).strategy == "unrolled"
    assert generate(net, strategy="layer").strategy == "layer"
    assert generate(load_network(ROOT / "examples" / "mlp_784.yaml")).strategy == "layer"


def test_cuda_target_without_numba_cuda_names_the_extra(monkeypatch):
    import numba

    from derive.codegen.cuda_support import require_cuda
    from derive.errors import InputError

    monkeypatch.delattr(numba, "cuda", raising=False)
    monkeypatch.setitem(sys.modules, "numba.cuda", None)
    with pytest.raises(InputError, match=r'numba-cuda .*pip install "derive\[cuda\]"'):
        require_cuda()


def test_uncompilable_loss_is_refused_at_the_loss_line():
    """The refusal is located from the spec path the error carries, not from its message."""
    import sympy as sp

    from derive import losses
    from derive.errors import InputError

    net = parse_network(SPEC, "net.yaml")
    with pytest.raises(InputError) as error:
        generate(replace(net, loss=losses.custom_loss(sp.Heaviside(losses.A - losses.T) * losses.A)))
    assert str(error.value).startswith("net.yaml:5: cannot generate Numba code: the loss of custom")
