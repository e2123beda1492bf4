"""The scikit-learn-style Model: fit, predict, predict_proba, score, history_, callbacks."""

from __future__ import annotations

import numpy as np
import pytest

from derive.spec import load_network
from derive.train import Model, fit
from derive.train.model import make_named_optimizer


@pytest.fixture(scope="module")
def fitted(spec, iris):
    X, y = iris
    return Model(spec, epochs=25, batch_size=16, validation_fraction=0.2, standardize=True, seed=3).fit(X, y)


def test_fit_learns_iris(fitted, iris):
    X, y = iris
    assert fitted.score(X, y) > 0.9
    assert len(fitted.history_) == 25 and fitted.n_train_ == 120 and fitted.n_val_ == 30
    first, last = fitted.history_[0], fitted.history_[-1]
    assert last.train_loss < first.train_loss and last.val_loss < first.val_loss
    assert 0 <= last.val_accuracy <= 1 and last.seconds > first.seconds


def test_predict_proba_rows_are_distributions_and_predict_their_argmax(fitted, iris):
    X, _ = iris
    proba = fitted.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (fitted.predict(X) == proba.argmax(axis=1)).all()


def test_the_reported_loss_is_the_kernels_loss_on_standardized_data(fitted, iris):
    X, y = iris
    Y = np.eye(3)[y]
    X_std = fitted.standardizer_(X)
    expected = -np.mean(np.sum(Y * np.log(fitted.kernels_.module.forward(fitted.params_, X_std)), axis=1))
    assert fitted.loss(X, Y) == pytest.approx(expected, rel=1e-12)


def test_any_labels_map_to_classes(spec, iris):
    X, y = iris
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    model = Model(spec, epochs=15, standardize=True).fit(X, names)
    assert model.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    assert set(model.predict(X)) <= set(names) and model.score(X, names) > 0.8


def test_same_seed_same_weights_other_seed_others(spec, iris):
    X, y = iris
    a, b, c = (fit(spec, X, y, epochs=3, seed=s) for s in (5, 5, 6))
    for p, q in zip(a.params_, b.params_):
        np.testing.assert_array_equal(p, q)
    assert not np.array_equal(a.params_[0], c.params_[0])


def test_the_thread_count_does_not_change_the_weights(spec, iris):
    X, y = iris
    one, auto = (fit(spec, X, y, epochs=3, seed=5, threads=t) for t in (1, "auto"))
    for p, q in zip(one.params_, auto.params_):
        np.testing.assert_array_equal(p, q)


def test_a_callback_sees_every_epoch_and_can_stop(spec, iris):
    X, y = iris
    seen = []

    def log(model, record):
        seen.append((record.epoch, record.train_loss))
        return record.epoch == 4

    model = Model(spec, epochs=50, callbacks=[log]).fit(X, y)
    assert [e for e, _ in seen] == [1, 2, 3, 4] and model.result_.stopped == "callback"
    assert [r.train_loss for r in model.history_] == [loss for _, loss in seen]


def test_early_stopping_keeps_the_best_epoch(spec, iris):
    X, y = iris
    model = Model(spec, epochs=200, lr=0.3, validation_fraction=0.3, early_stopping=3, seed=1).fit(X, y)
    result = model.result_
    assert result.stopped == "early_stopping" and len(model.history_) == result.best_epoch + 3
    best = model.history_[result.best_epoch - 1]
    val = model.loss(*_val_split(model, X, y))
    assert val == pytest.approx(best.val_loss, rel=1e-12)  # the weights are the best epoch's


def _val_split(model, X, y):
    from derive.train.data import Dataset, split

    _, val = split(Dataset("fit", X, np.eye(3)[y], y), 0.3, 1)
    return val.X, val.Y


def test_ctrl_c_keeps_the_last_completed_epoch(spec, iris):
    X, y = iris

    def interrupt(model, record):
        if record.epoch == 3:
            raise KeyboardInterrupt

    stopped = Model(spec, epochs=10, callbacks=[interrupt]).fit(X, y)
    plain = Model(spec, epochs=3).fit(X, y)
    assert stopped.result_.stopped == "interrupted" and len(stopped.history_) == 3
    for p, q in zip(stopped.params_, plain.params_):
        np.testing.assert_array_equal(p, q)


def test_optimizer_override_generates_its_own_module(spec, fitted):
    model = Model(spec, optimizer="momentum")
    model._prepare()  # generated and imported, not compiled
    assert model.network_.optimizer.label == "sgd (momentum 0.9)"
    assert "momentum" in model.kernels_.module.__doc__
    assert model.module_path_ != fitted.module_path_ and "adam" in fitted.kernels_.module.__doc__
    assert make_named_optimizer("adam", 0.01).label == "adam (weight_decay 0.01)"
    assert load_network(spec).optimizer.name == "adam"


@pytest.mark.parametrize("y, message", [
    (np.zeros(150, dtype=int), "y has 1 classes; the output layer has 3 units"),
    (np.zeros((150, 2)), r"Y has shape \(150, 2\); expected \(150, 3\)"),
])
def test_targets_that_do_not_fit_the_net(spec, iris, y, message):
    X, _ = iris
    with pytest.raises(ValueError, match=message):
        Model(spec, epochs=1).fit(X, y)


def test_settings_are_checked(spec, iris):
    X, y = iris
    for options in ({"epochs": 0}, {"batch_size": 0}, {"validation_fraction": 1.0}, {"early_stopping": 0},
                    {"threads": 0}, {"threads": "many"}):
        with pytest.raises(ValueError):
            Model(spec, **options).fit(X, y)


def test_float32_kernels_take_float64_data(iris, float32_model):
    X, _ = iris
    assert float32_model.kernels_.dtype == np.float32 and float32_model.params_[0].dtype == np.float32
    assert float32_model.predict_proba(X).dtype == np.float32  # float64 X converted at the boundary
