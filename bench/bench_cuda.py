"""Generated CUDA kernels against PyTorch on the same GPU: samples per second of a training epoch.

For each case: generate the CUDA module, check its gradients on one batch against the CPU module
(and PyTorch's, when PyTorch sees the GPU), then time `train_epoch` with parameters and data
already on the device, against a PyTorch loop over the same shuffled batches (nn.Linear, fused
loss, torch.optim.SGD), synchronising before the clock stops. Ratio > 1: the generated kernels
are faster.

    python bench/bench_cuda.py                                # needs an NVIDIA GPU
    NUMBA_ENABLE_CUDASIM=1 python bench/bench_cuda.py --smoke # runs the script on tiny sizes under
                                                              # the simulator: its times mean nothing

PyTorch must be a CUDA build for its rows (the CPU build of torch==2.13.0 reports them missing).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_kernels import TorchNet, _median_time, _mlp, bench_data  # bench/ is on the path
from derive.codegen.emit import generate, write_module
from derive.spec import load_network, parse_network


@dataclass
class Case:
    label: str
    spec: str  # a path under examples/ or YAML text
    batch: int
    steps: int  # steps in one timed epoch
    dtype: str
    strategy: str = "auto"


MLP_2_16_16_1 = _mlp((2, 16, 16, 1), "tanh", "sigmoid", "binary_cross_entropy")
CASES = [
    Case("2-2-1 office-hours net, batch 65536", "examples/office_hours_221.yaml", 65536, 16, "float64"),
    Case("784-128-64-10 ReLU/softmax, batch 1024, float32", "examples/mlp_784.yaml", 1024, 20, "float32"),
    # which strategy suits a mid-sized net on a GPU is for this benchmark to say
    Case("2-16-16-1 tanh/sigmoid, batch 4096, unrolled", MLP_2_16_16_1, 4096, 20, "float32", "unrolled"),
    Case("2-16-16-1 tanh/sigmoid, batch 4096, layer", MLP_2_16_16_1, 4096, 20, "float32", "layer"),
]
SMOKE = [Case("2-2-1 office-hours net, batch 64 (smoke)", "examples/office_hours_221.yaml", 64, 2, "float64")]


def _load(network, workdir: Path, dtype: str, target: str, strategy: str = "auto"):
    path = write_module(generate(network, dtype, strategy, target), workdir)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TorchGpuNet(TorchNet):
    """The CPU benchmark's PyTorch model, moved to the GPU with its data."""

    def __init__(self, torch, network, params, dtype):
        super().__init__(torch, network, params, dtype)
        self.model.to("cuda")

    def epoch_on_device(self, X, Y, lr, batch, order):
        for group in self.opt.param_groups:
            group["lr"] = lr
        for start in range(0, len(X), batch):
            rows = order[start:start + batch]
            self.opt.zero_grad()
            self._loss(X[rows], Y[rows]).backward()
            self.opt.step()
        self.torch.cuda.synchronize()


def bench_case(case: Case, workdir: Path, repeats: int, torch) -> list[tuple[str, float]]:
    network = load_network(ROOT / case.spec) if case.spec.endswith(".yaml") else parse_network(case.spec, "bench.yaml")
    kernels = _load(network, workdir, case.dtype, "cuda", case.strategy)
    reference = _load(network, workdir, case.dtype, "cpu")
    dtype = np.dtype(case.dtype)
    n = case.batch * case.steps
    X, Y, init = bench_data(network, kernels, n, dtype)
    tol = {"rtol": 2e-3, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-8, "atol": 1e-12}
    Xb, Yb = X[: case.batch], Y[: case.batch]
    mine = kernels.gradients(init, Xb, Yb)
    for ours, cpu in zip(mine, reference.gradients(init, Xb, Yb)):
        np.testing.assert_allclose(ours, cpu, err_msg=f"{case.label}: CUDA and CPU gradients differ", **tol)

    from numba import cuda

    lr = 0.05
    params = kernels.to_device(init)
    Xd, Yd = cuda.to_device(X), cuda.to_device(Y)
    kernels.train_epoch(params, Xd, Yd, lr, case.batch, 0)  # compile every kernel
    t = _median_time(lambda: kernels.train_epoch(params, Xd, Yd, lr, case.batch, 0), repeats)
    results = [("derive (generated numba.cuda)", n / t)]

    if torch is not None:
        net = TorchGpuNet(torch, network, init, getattr(torch, case.dtype))
        Xt, Yt = torch.from_numpy(X).cuda(), torch.from_numpy(Y).cuda()
        net.model.zero_grad()
        net._loss(Xt[: case.batch], Yt[: case.batch]).backward()
        theirs = [p.grad.cpu().numpy() for p in net.model.parameters()]
        for ours, other in zip(mine, theirs):
            np.testing.assert_allclose(other, ours, err_msg=f"{case.label}: PyTorch gradients differ", **tol)
        order = torch.from_numpy(np.random.RandomState(0).permutation(n)).cuda()
        net.epoch_on_device(Xt, Yt, lr, case.batch, order)
        t = _median_time(lambda: net.epoch_on_device(Xt, Yt, lr, case.batch, order), repeats)
        results.append(("PyTorch (same GPU, eager)", n / t))
    return results


def _torch_on_gpu():
    try:
        import torch
    except ImportError:
        return None, "PyTorch is not installed"
    if not torch.cuda.is_available():
        return None, f"PyTorch {torch.__version__} cannot see a GPU"
    return torch, f"PyTorch {torch.__version__} on {torch.cuda.get_device_name()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repeat: checks the script runs")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from derive.codegen.cuda_support import require_cuda

    where = require_cuda()
    if where != "gpu" and not args.smoke:
        sys.exit("bench_cuda: no GPU here (the simulator's times mean nothing); use --smoke to check the script")
    torch, torch_note = _torch_on_gpu()
    print(f"# CUDA target on: {where}; {torch_note}")
    with tempfile.TemporaryDirectory() as tmp:
        for case in SMOKE if args.smoke else CASES:
            results = bench_case(case, Path(tmp), 1 if args.smoke else args.repeats, torch)
            ours = results[0][1]
            print(f"\n## {case.label}")
            for name, rate in results:
                print(f"{name:32s} {rate:14,.0f} samples/s   ratio {ours / rate:6.2f}")


if __name__ == "__main__":
    main()
