"""One generated module for every test here: the iris net, float64, from a cache folder of the
session (compiled once; later tests load it from sys.modules)."""

from __future__ import annotations

from pathlib import Path

import pytest

SPEC = Path(__file__).resolve().parent / "iris_4_8_3.yaml"


@pytest.fixture(scope="session", autouse=True)
def kernel_cache(tmp_path_factory):
    """Generated modules go to a folder of this session, not the user's cache."""
    with pytest.MonkeyPatch.context() as patch:
        folder = tmp_path_factory.mktemp("kernels")
        patch.setenv("DERIVE_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def spec() -> Path:
    return SPEC


@pytest.fixture(scope="session")
def kernels(kernel_cache):
    from derive.spec import load_network
    from derive.train import kernels_for

    return kernels_for(load_network(SPEC))


@pytest.fixture(scope="session")
def iris():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    return X, y


@pytest.fixture(scope="session")
def float32_model(iris, kernel_cache):
    """The iris net trained briefly with float32 kernels (one more compilation, shared)."""
    from derive.train import Model

    X, y = iris
    return Model(SPEC, dtype="float32", epochs=3, standardize=True).fit(X, y)
