"""weights.npz loads into torch.nn.Sequential with the one line of docs/train.md: same outputs."""

from __future__ import annotations

import numpy as np
import pytest

from derive.train.run_dir import weights_npz

torch = pytest.importorskip("torch")


def test_weights_load_into_torch_sequential_float32(float32_model, iris, tmp_path):
    (tmp_path / "weights.npz").write_bytes(weights_npz(float32_model.kernels_.names, float32_model.params_))
    X = float32_model.standardizer_(iris[0]).astype(np.float32)  # the run's standardization, as run.json has it

    w = np.load(tmp_path / "weights.npz")
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3), torch.nn.Softmax(dim=1))
    net.load_state_dict({f"{2 * (int(k[1:]) - 1)}.{'weight' if k[0] == 'W' else 'bias'}": torch.from_numpy(w[k]) for k in w.files})

    with torch.no_grad():
        expected = net(torch.from_numpy(X)).numpy()
    ours = float32_model.predict_proba(iris[0])
    assert ours.dtype == np.float32 and expected.dtype == np.float32
    assert np.abs(ours - expected).max() < 1e-6
    assert (ours.argmax(axis=1) == expected.argmax(axis=1)).all()
