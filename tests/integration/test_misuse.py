"""The misuse catalogue: each mistake raises a specific exception with a message
that says what went wrong and what to do. The README's troubleshooting section
lists the same cases."""

import zipfile

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Value

BINARY = sorted(n for n, op in ag.OPS.items() if op.check.kind == "binary")


@pytest.mark.parametrize("name", BINARY)
def test_shape_mismatch_in_every_binary_op_names_op_and_both_shapes(name):
    with pytest.raises(ValueError, match=rf"^{name}: shapes \(2, 3\) and \(4,\)"):
        ag.OPS[name](Value(np.ones((2, 3))), Value(np.ones(4)))


def test_matmul_mismatch():
    with pytest.raises(ValueError, match=r"matmul: shapes \(3, 4\) and \(5, 2\) are not aligned"):
        Value(np.ones((3, 4))) @ np.ones((5, 2))


def test_backward_on_non_scalar_without_grad():
    with pytest.raises(ValueError, match=r"output has shape \(2, 2\).*pass grad="):
        (Value(np.ones((2, 2))) * 2).backward()


def test_backward_twice_through_released_graph():
    y = Value(np.ones(3)).exp().sum()
    y.backward()
    with pytest.raises(ag.GraphReleasedError, match="retain_graph=True"):
        y.backward()


def test_gradients_of_constant():
    c = Value(np.ones(2), requires_grad=False)
    with pytest.raises(ValueError, match=r"inputs\[0\].*requires_grad=False"):
        ag.gradients((c * Value(np.ones(2))).sum(), [c])


def test_mutating_saved_data_is_caught_at_backward():
    w = Value(np.ones(3))
    loss = (w * w).sum()
    w.data = np.zeros(3)
    with pytest.raises(RuntimeError, match=r"\.data assigned \(or changed in place"):
        loss.backward()


@pytest.mark.parametrize("bad", [np.array(["a"]), np.array([object()]), np.ones(2, complex)])
def test_non_float_arrays_are_rejected(bad):
    with pytest.raises(TypeError, match="Value"):
        Value(bad)


def test_integer_data_becomes_float64():
    assert Value(np.arange(3)).dtype == np.float64


def test_labels_out_of_range_and_float_labels():
    logits = Value(np.zeros((2, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="range"):
        nn.CrossEntropyLoss()(logits, np.array([0, 3]))
    with pytest.raises((TypeError, ValueError), match="integer"):
        nn.CrossEntropyLoss()(logits, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="batch"):
        nn.CrossEntropyLoss()(logits, np.array([0, 1, 2]))


def test_load_weights_of_foreign_and_truncated_files(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    good = tmp_path / "good.npz"
    model.save_weights(good)
    other = nn.Sequential(nn.Linear(3, 5), nn.Linear(5, 2))
    both_shapes = r"0\.weight.*(\(3, 4\).*\(3, 5\)|\(3, 5\).*\(3, 4\))"
    with pytest.raises(ValueError, match=both_shapes):
        other.load_weights(good)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:40])
    with pytest.raises(ValueError, match=r"truncated\.npz"):
        model.load_weights(truncated)
    foreign = tmp_path / "foreign.npz"
    with zipfile.ZipFile(foreign, "w") as z:
        z.writestr("readme.txt", "not weights")
    with pytest.raises(ValueError, match=r"foreign\.npz"):
        model.load_weights(foreign)


def test_optimizer_without_parameters():
    with pytest.raises(ValueError, match="no parameters"):
        nn.SGD(lr=0.1).step()


def test_dense_with_non_positive_units():
    with pytest.raises(ValueError, match="units"):
        nn.Dense(0)


def test_unknown_activation_lists_known_names_at_construction():
    with pytest.raises(ValueError, match="rectifier") as info:
        nn.Dense(4, activation="rectifier")
    for name in ("relu", "sigmoid", "tanh", "leaky_relu", "prelu", "elu", "softmax"):
        assert name in str(info.value)


def test_fit_with_x_and_y_of_different_lengths_raises_before_training():
    model = nn.Sequential(nn.Dense(2, activation="softmax", input_dim=3))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"10.*9|9.*10"):
        model.fit(np.zeros((10, 3)), np.zeros(9, dtype=int), verbose=0)


def test_unknown_loss_name_at_compile_lists_known_names():
    model = nn.Sequential(nn.Dense(2, input_dim=3))
    with pytest.raises(ValueError, match="crossentropy_typo") as info:
        model.compile(optimizer="sgd", loss="crossentropy_typo")
    for name in ("mse", "mae", "binary_crossentropy", "sparse_categorical_crossentropy"):
        assert name in str(info.value)
