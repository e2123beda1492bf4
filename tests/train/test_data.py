"""Data sources: bundled sets, CSV and NPZ, and the one-line errors for bad files."""

from __future__ import annotations

import numpy as np
import pytest

from derive.errors import InputError
from derive.train.data import Standardizer, load_data, split


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_bundled_sets_load_without_download():
    digits = load_data("digits", 64, 10, every_class=True)
    assert digits.X.shape == (1797, 64) and digits.Y.shape == (1797, 10)
    assert (digits.Y.argmax(axis=1) == digits.labels).all()
    cancer = load_data("breast_cancer", 30, 1, every_class=True)  # two classes, one sigmoid output
    assert cancer.Y.shape == (569, 1) and set(np.unique(cancer.Y)) == {0.0, 1.0}


def test_bundled_set_against_the_wrong_net():
    with pytest.raises(InputError, match="the data has 4 features, the net has 64 inputs"):
        load_data("iris", 64, 3)
    with pytest.raises(InputError, match="the labels name 3 classes, the output layer has 10 units"):
        load_data("iris", 4, 10, every_class=True)


def test_csv_with_labels_or_one_hot_targets_and_a_header(tmp_path):
    labels = load_data(write(tmp_path / "a.csv", "x1,x2,label\n0.5,1,2\n1.5,-2,0\n3,4,1\n"), 2, 3)
    assert labels.labels.tolist() == [2, 0, 1] and labels.Y.tolist()[0] == [0, 0, 1]
    one_hot = load_data(write(tmp_path / "b.csv", "0.5,1,0,0,1\n1.5,-2,1,0,0\n"), 2, 3)
    assert one_hot.labels.tolist() == [2, 0] and one_hot.X.tolist() == [[0.5, 1], [1.5, -2]]
    inputs_only = load_data(write(tmp_path / "c.csv", "0.5,1\n1.5,-2\n"), 2, 3, targets=False)
    assert inputs_only.Y is None and inputs_only.X.shape == (2, 2)


@pytest.mark.parametrize("text, line, message", [
    ("x1,x2,y\n1,2,0\n1,2\n", 3, "2 columns; expected 3 (2 inputs and a class label) or 5 (2 inputs and 3 one-hot"),
    ("1,2,0,0,0,0\n", 1, "6 columns; expected 3"),
    ("1,2,0\n1,nan,1\n", 2, "column 2: 'nan' is not a finite number"),
    ("1,2,0\n1,abc,1\n", 2, "column 2: 'abc' is not a finite number"),
    ("1,2,0\n1,2,3\n", 2, "label 3 is not a class of a 3-output net (expected an integer from 0 to 2)"),
    ("1,2,0\n1,2,1.5\n", 2, "label 1.5 is not a class"),
    ("1,2,-1\n", 1, "label -1 is not a class"),
])
def test_bad_csv_is_one_error_with_its_line(tmp_path, text, line, message):
    path = write(tmp_path / "bad.csv", text)
    with pytest.raises(InputError) as caught:
        load_data(path, 2, 3)
    assert caught.value.line == line and caught.value.file == path
    assert message in caught.value.message


def test_a_label_count_that_does_not_match_the_output_layer(tmp_path):
    path = write(tmp_path / "two.csv", "1,2,0\n3,4,1\n")
    with pytest.raises(InputError, match="the labels name 2 classes, the output layer has 3 units"):
        load_data(path, 2, 3, every_class=True)
    assert load_data(path, 2, 3).labels.tolist() == [0, 1]  # fine for evaluate and predict


def test_npz_with_labels_or_targets(tmp_path):
    X = np.arange(12.0).reshape(6, 2)
    np.savez(tmp_path / "l.npz", X=X, y=np.array([0, 1, 2, 0, 1, 2]))
    np.savez(tmp_path / "t.npz", X=X.astype(np.float32), Y=np.eye(3)[[2, 1, 0, 2, 1, 0]])
    assert load_data(str(tmp_path / "l.npz"), 2, 3, every_class=True).labels.tolist() == [0, 1, 2, 0, 1, 2]
    assert load_data(str(tmp_path / "t.npz"), 2, 3).labels.tolist() == [2, 1, 0, 2, 1, 0]


@pytest.mark.parametrize("arrays, message", [
    ({"x": np.zeros((2, 2))}, "no array X (found: x)"),
    ({"X": np.zeros((2, 3)), "y": np.zeros(2)}, "X has shape (2, 3); expected (examples, 2)"),
    ({"X": np.zeros((2, 2)), "y": np.zeros(3)}, "y has shape (3,); expected (2,)"),
    ({"X": np.zeros((2, 2)), "Y": np.zeros((2, 2))}, "Y has shape (2, 2); expected (examples, 3)"),
    ({"X": np.array([[0.0, np.nan]]), "y": np.zeros(1)}, "X[0, 1] is not a finite number"),
    ({"X": np.zeros((2, 2))}, "no targets"),
    ({"X": np.zeros((2, 2)), "y": np.array([0, 7])}, "label 7 is not a class"),
])
def test_bad_npz_is_one_error(tmp_path, arrays, message):
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(InputError) as caught:
        load_data(str(tmp_path / "bad.npz"), 2, 3)
    assert message in caught.value.message


def test_unknown_sources():
    with pytest.raises(InputError, match="unknown data source"):
        load_data("mnist", 784, 10)
    with pytest.raises(InputError, match="no such file"):
        load_data("missing.csv", 2, 3)


def test_stratified_split_and_standardizer():
    data = load_data("iris", 4, 3)
    train, val = split(data, 0.2, seed=1)
    assert (train.rows, val.rows) == (120, 30)
    assert np.bincount(val.labels).tolist() == [10, 10, 10]
    both = np.concatenate([train.X, val.X])
    assert sorted(map(tuple, both)) == sorted(map(tuple, data.X))  # a partition of the rows
    scale = Standardizer.fit(train.X)
    np.testing.assert_allclose(scale(train.X).mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(scale(train.X).std(axis=0), 1)
    again = Standardizer.from_json(scale.to_json())
    np.testing.assert_array_equal(again(val.X), scale(val.X))


@pytest.mark.parametrize("name, inputs, outputs", [("digits", 64, 10), ("iris", 4, 3), ("wine", 13, 3),
                                                   ("breast_cancer", 30, 1)])
def test_bundled_files_read_as_scikit_learn_loads_them(name, inputs, outputs):
    from sklearn import datasets

    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    data = load_data(name, inputs, outputs, every_class=True)
    np.testing.assert_array_equal(data.X, X)
    np.testing.assert_array_equal(data.labels, y)


def test_a_split_that_leaves_one_side_empty_is_refused():
    data = load_data("iris", 4, 3)
    with pytest.raises(ValueError, match="leaves no examples"):
        split(data.subset(np.arange(3)), 0.1, seed=0)  # 10 % of three examples rounds to none
    unlabelled = type(data)("x", data.X[:10], data.Y[:10], None)
    train, val = split(unlabelled, 0.3, seed=0)
    assert (train.rows, val.rows) == (7, 3)
