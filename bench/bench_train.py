"""Time to accuracy: derive's generated kernels against scikit-learn's MLPClassifier and PyTorch eager.

    python bench/bench_train.py                     # digits and make_classification(100k rows)
    python bench/bench_train.py --skip-large        # digits only
    python bench/bench_train.py --no-cli            # skip the fresh-process `derive train` timing
    python bench/bench_train.py --batch 200         # digits in batches of 200 (MLPClassifier's default)

Every method trains the same net (inputs-32-10 for digits, 20-64-10 for the synthetic set: ReLU,
softmax + cross-entropy), on the same standardized split, with the same optimizer, learning
rate, batch size and epochs, and no L2 penalty, no early stopping. Wall times include
compilation: derive's first fit generates and compiles its module into an empty cache; the
"cached" row is a second fit, the kernels already compiled. All methods run on one thread
(threadpoolctl for BLAS, torch.set_num_threads(1)), so that a shared machine's other load hurts
them alike; the ratios within one run are what to read, and on a busy machine the CPU seconds
(this process's, all threads) more than the wall seconds.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SPEC = """\
name: {name}
inputs: {inputs}
layers:
  - {{units: {hidden}, activation: relu}}
  - {{units: {classes}, activation: softmax}}
loss: categorical_cross_entropy
"""


def datasets(rows: int, skip_large: bool):
    from sklearn.datasets import load_digits, make_classification

    X, y = load_digits(return_X_y=True)
    yield "digits", X, y, 32
    if not skip_large:
        X, y = make_classification(n_samples=rows, n_features=20, n_informative=12, n_redundant=4, n_classes=10,
                                   n_clusters_per_class=1, class_sep=1.5, random_state=0)
        yield f"make_classification({rows // 1000}k)", X, y, 64


def split(X, y):
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def timed(function):
    """Accuracy, wall seconds, and CPU seconds of this process (all its threads)."""
    start, cpu = time.perf_counter(), time.process_time()
    accuracy = function()
    return accuracy, time.perf_counter() - start, time.process_time() - cpu


def run_derive(network, optimizer, lr, epochs, batch, data):
    from derive.train import Model

    X_train, X_test, y_train, y_test = data
    model = Model(network, optimizer=optimizer, lr=lr, epochs=epochs, batch_size=batch, seed=0, threads=1)
    return model.fit(X_train, y_train).score(X_test, y_test)


def run_sklearn(solver, hidden, lr, epochs, batch, data):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X_train, X_test, y_train, y_test = data
    model = MLPClassifier((hidden,), activation="relu", solver=solver, alpha=0.0, batch_size=batch,
                          learning_rate_init=lr, max_iter=epochs, momentum=0.0, nesterovs_momentum=False,
                          tol=0.0, n_iter_no_change=epochs + 1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    return model.score(X_test, y_test)


def run_torch(optimizer, hidden, lr, epochs, batch, data):
    import torch

    X_train, X_test, y_train, y_test = data
    torch.manual_seed(0)
    X, y = torch.tensor(X_train, dtype=torch.float64), torch.tensor(y_train)
    net = torch.nn.Sequential(torch.nn.Linear(X.shape[1], hidden), torch.nn.ReLU(),
                              torch.nn.Linear(hidden, int(y.max()) + 1)).double()
    opt = (torch.optim.Adam if optimizer == "adam" else torch.optim.SGD)(net.parameters(), lr=lr)
    lossf = torch.nn.CrossEntropyLoss()
    for _ in range(epochs):
        order = torch.randperm(len(X))
        for start in range(0, len(X), batch):
            rows = order[start:start + batch]
            opt.zero_grad()
            lossf(net(X[rows]), y[rows]).backward()
            opt.step()
    with torch.no_grad():
        predicted = net(torch.tensor(X_test, dtype=torch.float64)).argmax(dim=1).numpy()
    return float((predicted == y_test).mean())


def cli_times(epochs: int) -> list[tuple[float, float]]:
    """Wall and CPU seconds of `derive train` on digits in a fresh process: empty kernel cache, then warm."""
    import resource

    spec = ROOT / "examples" / "digits_64_32_10.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DERIVE_CACHE_DIR": str(Path(tmp) / "cache"), "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "derive.cli", "train", str(spec), "--data", "digits", "--epochs",
                   str(epochs), "--out", str(Path(tmp) / "run"), "--quiet"]
        times = []
        for _ in range(2):
            start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(command, env=env, check=True, capture_output=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            times.append((time.perf_counter() - start, cpu))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=30, help="epochs on digits (the large set: a third)")
    parser.add_argument("--batch", type=int, default=32, help="batch size on digits (the large set: 128)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--no-cli", action="store_true")
    args = parser.parse_args()

    import torch
    from threadpoolctl import threadpool_limits

    from derive.spec import parse_network

    torch.set_num_threads(1)
    os.environ["DERIVE_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench_train_")  # an empty cache: compile
    rows = []
    with threadpool_limits(limits=1):
        for name, X, y, hidden in datasets(args.rows, args.skip_large):
            data = split(X, y)
            epochs = args.epochs if name == "digits" else max(1, args.epochs // 3)
            batch = args.batch if name == "digits" else 128
            classes = int(y.max()) + 1
            for optimizer, lr in (("adam", 0.01), ("sgd", 0.1)):
                text = SPEC.format(name=f"bench_{name.split('(')[0]}_{optimizer}", inputs=X.shape[1],
                                   hidden=hidden, classes=classes)
                network = parse_network(text, "<bench>")
                cases = [
                    ("derive (compile included)", lambda: run_derive(network, optimizer, lr, epochs, batch, data)),
                    ("derive (cached)", lambda: run_derive(network, optimizer, lr, epochs, batch, data)),
                    (f"MLPClassifier ({optimizer})", lambda: run_sklearn(optimizer, hidden, lr, epochs, batch, data)),
                    ("PyTorch eager", lambda: run_torch(optimizer, hidden, lr, epochs, batch, data)),
                ]
                results = [(label, *timed(case)) for label, case in cases]
                base, cached = results[0][2], results[1][3]
                for label, accuracy, seconds, cpu in results:
                    rows.append((name, optimizer, label, epochs, batch, accuracy, seconds, cpu, seconds / base,
                                 cpu / cached))
                    print(f"{name:26} {optimizer:5} {label:27} {accuracy:.4f} {seconds:8.2f} s {cpu:8.2f} s cpu",
                          flush=True)
    print()
    print("| data | optimizer | method | epochs | batch | test accuracy | wall s | cpu s "
          "| wall ÷ derive's (compile incl.) | cpu ÷ derive's (cached) |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, optimizer, label, epochs, batch, accuracy, seconds, cpu, ratio, cpu_ratio in rows:
        print(f"| {name} | {optimizer} | {label} | {epochs} | {batch} | {accuracy:.4f} | {seconds:.2f} | {cpu:.2f} "
              f"| {ratio:.2f} | {cpu_ratio:.2f} |")
    if not args.no_cli:
        (fresh, fresh_cpu), (warm, warm_cpu) = cli_times(args.epochs)
        print(f"\n`derive train examples/digits_64_32_10.yaml --data digits --epochs {args.epochs}` in a fresh "
              f"process: {fresh:.2f} s ({fresh_cpu:.2f} s cpu) with an empty kernel cache, "
              f"{warm:.2f} s ({warm_cpu:.2f} s cpu) with a warm one")


if __name__ == "__main__":
    main()
