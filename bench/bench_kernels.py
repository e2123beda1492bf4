"""Generated Numba kernels against hand-written NumPy, PyTorch eager and JAX, in one process.

For each network: the same initial weights and data for every framework; first a check that all
compute the same gradients on one batch, then the median time per SGD step over repeated epochs
(every step shuffled mini-batch SGD), samples per second, and each framework's time as a ratio
to the generated kernels (> 1: the generated kernels are faster).

    python bench/bench_kernels.py            # every case (a few minutes on 2 cores)
    python bench/bench_kernels.py --quick    # fewer repeats
    python bench/bench_kernels.py --markdown # the README table
    python bench/bench_kernels.py --load 4   # also: derive with 4 busy processes beside it
    python bench/bench_kernels.py --threads 1 --math libm   # derive's thread count; today's calls

derive's kernels run inside ``derive.threads.thread_limit(--threads)`` (default: the
DERIVE_NUM_THREADS variable, else ``auto``: the cores free of other load). With ``--load N`` each
case is timed again with N busy background processes, with that limit and without it (BLAS's own
default), and beside derive single-threaded with no added load: the within-run ratio that the
issue's "≤ 1.2× single-threaded under load" is about.

PyTorch (pip install torch==2.13.0) and JAX (pip install jax jaxlib) are optional; a missing
framework is reported and skipped.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from busy import busy_processes  # noqa: E402
from derive.codegen.emit import generate, write_module  # noqa: E402
from derive.codegen.loading import import_generated  # noqa: E402
from derive.spec import load_network, parse_network  # noqa: E402
from derive.threads import thread_limit  # noqa: E402


@dataclass
class Case:
    label: str
    spec: str  # a path under examples/ or YAML text
    batch: int
    samples: int  # examples in one epoch
    dtype: str = "float64"
    torch_samples: int | None = None  # a shorter epoch where PyTorch eager is slow per step


def _mlp(sizes, hidden, out, loss):
    layers = "\n".join(f"  - {{units: {n}, activation: {hidden}}}" for n in sizes[1:-1])
    return (f"name: mlp_{'_'.join(map(str, sizes))}\ninputs: {sizes[0]}\nlayers:\n{layers}\n"
            f"  - {{units: {sizes[-1]}, activation: {out}}}\nloss: {loss}\n")


CASES = [
    Case("1-1-1 lecture net, 1 sample/step", "examples/lecture_111.yaml", 1, 20000, torch_samples=400),
    Case("2-2-1 office-hours net, 1 sample/step", "examples/office_hours_221.yaml", 1, 20000, torch_samples=400),
    Case("2-16-16-1 tanh/sigmoid, batch 32", _mlp((2, 16, 16, 1), "tanh", "sigmoid", "binary_cross_entropy"),
         32, 32 * 400, torch_samples=32 * 100),
    Case("784-128-64-10 ReLU/softmax, batch 128, float32", "examples/mlp_784.yaml", 128, 128 * 40, "float32"),
    Case("784-1024-1024-10 ReLU/softmax, batch 512, float32",
         _mlp((784, 1024, 1024, 10), "relu", "softmax", "categorical_cross_entropy"), 512, 512 * 6, "float32"),
]


# ---------------------------------------------------------------------------------------------
# Hand-written references, written as a user would for these layer types.

def _log_base(network) -> float:
    """ln b for the loss's logarithm base b (its ``base`` hyperparameter; e unless the spec sets it):
    the log losses divide by it."""
    return float(np.log(dict(network.loss.params).get("base", np.e)))


def _act(name, z, xp):
    if name == "sigmoid":
        return 1 / (1 + xp.exp(-z))
    if name == "tanh":
        return xp.tanh(z)
    if name == "relu":
        return xp.maximum(z, 0)
    raise ValueError(name)


def _slope(name, z, a):
    return {"sigmoid": lambda: a * (1 - a), "tanh": lambda: 1 - a * a, "relu": lambda: (z > 0).astype(a.dtype)}[name]()


class NumpyNet:
    """Textbook NumPy backprop for the bench's networks (sigmoid/tanh/relu hidden layers;
    sigmoid + half/BCE or softmax + cross-entropy outputs)."""

    def __init__(self, network):
        self.acts = [layer.activation.name for layer in network.layers]
        self.loss = network.loss.name
        self.base = _log_base(network)
        self.bias = [layer.bias for layer in network.layers]

    def grads(self, params, X, Y):
        Ws = params[0::2] if all(self.bias) else params
        bs = params[1::2] if all(self.bias) else [None] * len(Ws)
        zs, acts = [], [X]
        for W, b, name in zip(Ws, bs, self.acts):
            z = acts[-1] @ W.T + (b if b is not None else 0)
            if name == "softmax":
                e = np.exp(z - z.max(axis=1, keepdims=True))
                a = e / e.sum(axis=1, keepdims=True)
            else:
                a = _act(name, z, np)
            zs.append(z)
            acts.append(a)
        a = acts[-1]
        if self.loss == "half_squared_error":
            delta = (a - Y) * _slope(self.acts[-1], zs[-1], a)
        else:  # sigmoid + BCE or softmax + CE: the fused form
            delta = (a - Y) / self.base
        delta = delta / len(X)
        out = []
        for l in range(len(Ws) - 1, -1, -1):
            gb = delta.sum(axis=0)
            gW = delta.T @ acts[l]
            out = ([gW, gb] if bs[l] is not None else [gW]) + out
            if l:
                delta = (delta @ Ws[l]) * _slope(self.acts[l - 1], zs[l - 1], acts[l])
        return out

    def epoch(self, params, X, Y, lr, batch, order):
        for start in range(0, len(X), batch):
            rows = order[start:start + batch]
            for p, g in zip(params, self.grads(params, X[rows], Y[rows])):
                p -= lr * g


def _loss_torch(torch, network, out, Y):
    name = network.loss.name
    if name == "half_squared_error":
        return 0.5 * ((out - Y) ** 2).sum(dim=1).mean()
    if name == "binary_cross_entropy":
        return torch.nn.functional.binary_cross_entropy_with_logits(out, Y, reduction="sum") / len(Y) \
            / _log_base(network)
    return torch.nn.functional.cross_entropy(out, Y, reduction="sum") / len(Y) / _log_base(network)


class TorchNet:
    """nn.Linear layers and autograd; logits into the fused losses, as users write it."""

    def __init__(self, torch, network, params, dtype):
        self.torch, self.network = torch, network
        layers = []
        for l, layer in enumerate(network.layers):
            linear = torch.nn.Linear(network.sizes[l], layer.units, bias=layer.bias, dtype=dtype)
            layers.append(linear)
            name = layer.activation.name
            if l < network.depth - 1:
                layers.append({"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[name]())
        self.model = torch.nn.Sequential(*layers)
        self.last = network.layers[-1].activation.name
        with torch.no_grad():
            for p, value in zip(self.model.parameters(), params):
                p.copy_(torch.from_numpy(np.array(value)))
        self.opt = torch.optim.SGD(self.model.parameters(), lr=0.0)

    def _loss(self, X, Y):
        out = self.model(X)
        if self.network.loss.name == "half_squared_error":
            out = self.torch.sigmoid(out)
        return _loss_torch(self.torch, self.network, out, Y)

    def grads(self, X, Y):
        self.model.zero_grad()
        self._loss(self.torch.from_numpy(X), self.torch.from_numpy(Y)).backward()
        return [p.grad.numpy().copy() for p in self.model.parameters()]

    def epoch(self, X, Y, lr, batch, order):
        for group in self.opt.param_groups:
            group["lr"] = lr
        X, Y, order = self.torch.from_numpy(X), self.torch.from_numpy(Y), self.torch.from_numpy(order)
        for start in range(0, len(X), batch):
            rows = order[start:start + batch]
            self.opt.zero_grad()
            self._loss(X[rows], Y[rows]).backward()
            self.opt.step()


class JaxNet:
    """A pure loss function, ``jax.grad``; the step under ``jit``, and the epoch under ``lax.scan``."""

    def __init__(self, jax, network):
        import jax.numpy as jnp

        self.jax, self.jnp, self.network = jax, jnp, network
        acts = [layer.activation.name for layer in network.layers]
        bias = [layer.bias for layer in network.layers]
        loss_name, base = network.loss.name, _log_base(network)

        def loss(params, X, Y):
            a, i = X, 0
            for l, name in enumerate(acts):
                z = a @ params[i].T
                i += 1
                if bias[l]:
                    z = z + params[i]
                    i += 1
                if l < len(acts) - 1:
                    a = _act(name, z, jnp)
            if loss_name == "half_squared_error":
                return 0.5 * ((jax.nn.sigmoid(z) - Y) ** 2).sum(axis=1).mean()
            if loss_name == "binary_cross_entropy":
                terms = Y * jax.nn.softplus(-z) + (1 - Y) * jax.nn.softplus(z)
                return terms.sum(axis=1).mean() / base
            return -(Y * jax.nn.log_softmax(z)).sum(axis=1).mean() / base

        self.grad = jax.jit(jax.grad(loss))

        def step(params, batch, lr):
            X, Y = batch
            g = jax.grad(loss)(params, X, Y)
            return tuple(p - lr * gp for p, gp in zip(params, g))

        self.step = jax.jit(step)

        def scan_epoch(params, X, Y, lr, key, batch):
            """Shuffle, cut into batches, scan the step over them: one compiled epoch."""
            order = jax.random.permutation(key, X.shape[0])
            n = X.shape[0] // batch * batch
            Xb = X[order[:n]].reshape(-1, batch, X.shape[1])
            Yb = Y[order[:n]].reshape(-1, batch, Y.shape[1])

            def body(p, b):
                return step(p, b, lr), None

            return jax.lax.scan(body, params, (Xb, Yb))[0]

        self.scan_epoch = jax.jit(scan_epoch, static_argnums=5)

        def scan_batches(params, Xb, Yb, lr):
            """The scan alone, over batches shuffled beforehand (no shuffle in the timing)."""
            def body(p, b):
                return step(p, b, lr), None

            return jax.lax.scan(body, params, (Xb, Yb))[0]

        self.scan_batches = jax.jit(scan_batches)

    def batches(self, X, Y, batch, order):
        n = len(X) // batch * batch
        return self.jnp.asarray(X[order[:n]].reshape(-1, batch, X.shape[1])), \
            self.jnp.asarray(Y[order[:n]].reshape(-1, batch, Y.shape[1]))


# ---------------------------------------------------------------------------------------------


def bench_data(network, kernels, n: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray, tuple]:
    """n random examples (one-hot targets for softmax, 0/1 otherwise) and the initial parameters:
    the spec's own where it has them, else the module's init_params(0)."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (n, network.sizes[0])).astype(dtype)
    if network.layers[-1].activation.name == "softmax":
        Y = np.eye(network.sizes[-1], dtype=dtype)[rng.integers(0, network.sizes[-1], n)]
    else:
        Y = rng.uniform(0, 1, (n, network.sizes[-1])).round().astype(dtype)
    init = kernels.spec_params() if hasattr(kernels, "spec_params") else kernels.init_params(0)
    return X, Y, tuple(np.ascontiguousarray(p, dtype=dtype) for p in init)


def _median_time(run, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_case(case: Case, workdir: Path, repeats: int, frameworks: dict, options: argparse.Namespace
               ) -> list[tuple[str, float]]:
    network = load_network(ROOT / case.spec) if case.spec.endswith(".yaml") else parse_network(case.spec, "bench.yaml")
    module_info = generate(network, case.dtype, math=options.math)
    path = write_module(module_info, workdir)
    kernels = import_generated(path)

    dtype = np.dtype(case.dtype)
    n = case.samples
    X, Y, init = bench_data(network, kernels, n, dtype)
    lr = 0.05
    order = np.random.default_rng(1).permutation(n)
    steps = -(-n // case.batch)

    # Same gradients everywhere, on one batch, before anything is timed.
    Xb, Yb = X[: case.batch], Y[: case.batch]
    reference = kernels.gradients(init, Xb, Yb)
    tol = dict(rtol=2e-3, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-8, atol=1e-12)
    checks = {"NumPy": NumpyNet(network).grads([p.copy() for p in init], Xb, Yb)}
    if "torch" in frameworks:
        torch = frameworks["torch"]
        checks["PyTorch"] = TorchNet(torch, network, init, getattr(torch, case.dtype)).grads(Xb, Yb)
    if "jax" in frameworks:
        checks["JAX"] = [np.asarray(g) for g in JaxNet(frameworks["jax"], network).grad(tuple(init), Xb, Yb)]
    for name, grads in checks.items():
        for mine, theirs in zip(reference, grads):
            np.testing.assert_allclose(theirs, mine, err_msg=f"{case.label}: {name} gradients differ", **tol)

    results = []
    params = tuple(p.copy() for p in init)
    kernels.train_epoch(params, X, Y, lr, case.batch, 0)  # compile

    def derive_step(threads) -> float:
        with thread_limit(threads):
            return _median_time(lambda: kernels.train_epoch(params, X, Y, lr, case.batch, 0), repeats) / steps

    results.append((f"derive (generated Numba, --math {options.math})", derive_step(options.threads)))
    if options.load:
        results.append(("derive, 1 thread, no added load", derive_step(1)))
        with busy_processes(options.load):
            results.append((f"derive, {options.load} busy processes, thread_limit", derive_step(options.threads)))
            results.append((f"derive, {options.load} busy processes, BLAS default threads",
                            _median_time(lambda: kernels.train_epoch(params, X, Y, lr, case.batch, 0), repeats)
                            / steps))

    numpy_net = NumpyNet(network)
    params = [p.copy() for p in init]
    short = case.torch_samples or n
    t = _median_time(lambda: numpy_net.epoch(params, X[:short], Y[:short], lr, case.batch, order[order < short]),
                     max(3, repeats // 2))
    results.append(("NumPy (hand-written)", t / -(-short // case.batch)))

    if "torch" in frameworks:
        torch = frameworks["torch"]
        net = TorchNet(torch, network, init, getattr(torch, case.dtype))
        sub = order[order < short]
        net.epoch(X[:short], Y[:short], lr, case.batch, sub)
        t = _median_time(lambda: net.epoch(X[:short], Y[:short], lr, case.batch, sub), max(3, repeats // 2))
        results.append(("PyTorch eager", t / -(-short // case.batch)))

    if "jax" in frameworks:
        jax_net = JaxNet(frameworks["jax"], network)
        Xs, Ys = jax_net.batches(X, Y, case.batch, order)
        p = tuple(jax_net.jnp.asarray(v) for v in init)
        Xj, Yj, key = jax_net.jnp.asarray(X), jax_net.jnp.asarray(Y), frameworks["jax"].random.PRNGKey(0)

        def scan():
            return jax_net.jax.block_until_ready(jax_net.scan_epoch(p, Xj, Yj, lr, key, case.batch))

        scan()
        t = _median_time(scan, repeats)
        results.append(("JAX lax.scan epoch, shuffling inside", t / len(Xs)))
        jax_net.jax.block_until_ready(jax_net.scan_batches(p, Xs, Ys, lr))
        t = _median_time(lambda: jax_net.jax.block_until_ready(jax_net.scan_batches(p, Xs, Ys, lr)), repeats)
        results.append(("JAX lax.scan, pre-shuffled", t / len(Xs)))
        jit_steps = min(len(Xs), 2000)
        jax_net.jax.block_until_ready(jax_net.step(p, (Xs[0], Ys[0]), lr))

        def jit_loop():
            q = p
            for k in range(jit_steps):
                q = jax_net.step(q, (Xs[k], Ys[k]), lr)
            jax_net.jax.block_until_ready(q)

        t = _median_time(jit_loop, max(3, repeats // 2))
        results.append(("JAX jit step (Python loop)", t / jit_steps))
    return results


def _format_time(seconds: float) -> str:
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    return f"{seconds * 1e3:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--only", help="run the cases whose label contains this text")
    parser.add_argument("--threads", default=None, help="derive's threads: a number or 'auto' (default: "
                        "DERIVE_NUM_THREADS, else auto)")
    parser.add_argument("--load", type=int, default=0, help="also time derive beside N busy processes")
    parser.add_argument("--math", choices=("fast", "libm"), default="fast", help="derive codegen --math")
    args = parser.parse_args()
    frameworks = {}
    for name in ("torch", "jax"):
        try:
            frameworks[name] = __import__(name)
        except ImportError:
            print(f"({name} not installed: skipped)")
    if "jax" in frameworks:
        frameworks["jax"].config.update("jax_enable_x64", True)
    if "torch" in frameworks:
        frameworks["torch"].set_num_threads(max(1, __import__("os").cpu_count() or 1))
    repeats = 3 if args.quick else 7
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            if args.only and args.only not in case.label:
                continue
            results = bench_case(case, Path(tmp), repeats, frameworks, args)
            ours = results[0][1]
            for name, per_step in results:
                rows.append((case.label, name, per_step, case.batch / per_step, per_step / ours))
            if not args.markdown:
                print(f"\n{case.label}  (gradients agree across frameworks)")
                for name, per_step in results:
                    print(f"  {name:38s} {_format_time(per_step):>10s}/step  {case.batch / per_step:14,.0f} samples/s"
                          f"  {per_step / ours:9.2f}× the generated kernels' time")
    if args.markdown:
        print("| network | implementation | time per SGD step | samples/s | × generated |")
        print("|---|---|---:|---:|---:|")
        for label, name, per_step, rate, ratio in rows:
            print(f"| {label} | {name} | {_format_time(per_step)} | {rate:,.0f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
