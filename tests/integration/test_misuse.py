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


# --- Engine misuse: raw numpy/Python errors become errors that name the operation ---
# (indexing, operands of the wrong kind, keyword arguments of the wrong type, labels of
# the fused cross-entropy, complex numbers, and the results of create_graph=True)


@pytest.mark.parametrize(
    "index, shown",
    [(5, "5"), ("x", "'x'"), ([0, 5], "[0 5]"), ((0, 9), "(0, 9)"), (1.5, "1.5")],
)
def test_bad_index_raises_index_error_naming_getitem_the_index_and_the_shape(index, shown):
    a = Value(np.ones((2, 3)))
    with pytest.raises(IndexError, match=r"^getitem: index .* shape \(2, 3\)") as info:
        a[index]
    assert f"index {shown} " in str(info.value)


@pytest.mark.parametrize("data", [np.ones((2, 3)), 2.0], ids=["tensor", "scalar"])
@pytest.mark.parametrize(
    "expr, symbol",
    [
        (lambda a: a + "x", r"\+"),
        (lambda a: a - None, "-"),
        (lambda a: a * object(), r"\*"),
        (lambda a: a / "x", "/"),
        (lambda a: a ** "x", r"\*\* or pow\(\)"),
        (lambda a: a @ "x", "@"),
    ],
)
def test_operand_that_is_not_a_number_gets_pythons_unsupported_operand_error(expr, symbol, data):
    a = Value(data)
    with pytest.raises(TypeError, match=rf"unsupported operand type\(s\) for {symbol}: 'Value'"):
        expr(a)


@pytest.mark.parametrize("data", [np.ones((2, 3)), 2.0], ids=["tensor", "scalar"])
def test_reflected_operand_that_is_not_a_number_names_value(data):
    a = Value(data)
    with pytest.raises(TypeError, match="Value") as info:
        None - a
    assert type(info.value) is TypeError  # not numpy's UFuncTypeError
    with pytest.raises(TypeError, match="Value"):
        "x" + a


def test_array_operand_of_strings_names_the_op_and_both_operands():
    a = Value(np.ones((2, 3)))
    with pytest.raises(TypeError, match=r"^add: .*\(2, 3\).*\(1,\).*<U1") as info:
        a + np.array(["x"])
    assert type(info.value) is TypeError
    with pytest.raises(TypeError, match=r"^mul: .*list"):
        a * [1.0, "x", 2.0]


def test_list_operand_of_a_scalar_value_is_converted_as_at_tensor_level():
    x = Value(2.0)
    y = x * [1.0, 2.0]
    np.testing.assert_array_equal(y.data, [2.0, 4.0])
    y.sum().backward()
    assert x.grad == 3.0
    np.testing.assert_array_equal(([1, 2] - Value(1.0)).data, [0.0, 1.0])


@pytest.mark.parametrize("method", ["sum", "mean", "max", "min"])
@pytest.mark.parametrize("data", [np.ones((2, 3)), 2.0], ids=["tensor", "scalar"])
def test_reduction_with_an_axis_of_the_wrong_type_names_the_op_and_axis(method, data):
    a = Value(data)
    with pytest.raises(TypeError, match=rf"^{method}: axis .*1\.0"):
        getattr(a, method)(axis=1.0)


def test_raw_data_with_an_axis_of_the_wrong_type_names_the_op_and_axis():
    with pytest.raises(TypeError, match=r"^sum: axis .*'x'"):
        ag.sum(np.ones(3), axis="x")


def test_gradients_of_a_non_value_output_names_the_argument():
    a = Value(np.ones(2))
    with pytest.raises(TypeError, match=r"^gradients: output .*float"):
        ag.gradients(3.0, [a])


@pytest.mark.parametrize("name", ["sigmoid", "abs", "leaky_relu", "elu", "relu", "exp"])
def test_activations_take_a_list_as_relu_and_exp_do(name):
    f = getattr(ag, name)
    np.testing.assert_allclose(f([1.0, -2.0]), f(np.array([1.0, -2.0])))


@pytest.mark.parametrize(
    "labels, match",
    [
        (np.array([0, 5]), r"shape \(2,\).*label 5 at position 1"),
        ([0, 5], r"shape \(2,\).*label 5 at position 1"),
        (np.array([-1, 0]), r"shape \(2,\).*label -1 at position 0"),
        (np.array([0.0, 1.0]), r"integer.*shape \(2,\).*float64"),
        (np.array([True, False]), r"integer.*shape \(2,\).*bool"),
        (np.array([0, 1, 2]), r"shape \(3,\)"),
        (np.array([[0], [1]]), r"shape \(2, 1\)"),
    ],
)
@pytest.mark.parametrize("level", ["value", "raw"])
def test_softmax_cross_entropy_checks_its_labels(labels, match, level):
    z = np.zeros((2, 3)) if level == "raw" else Value(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=rf"^softmax_cross_entropy: .*{match}"):
        ag.softmax_cross_entropy(z, labels=labels)


def test_softmax_cross_entropy_takes_a_list_of_labels():
    z = Value(np.arange(6.0).reshape(2, 3))
    loss = ag.softmax_cross_entropy(z, labels=[0, 2])
    loss.backward()
    w = Value(np.arange(6.0).reshape(2, 3))
    ref = ag.softmax_cross_entropy(w, labels=np.array([0, 2]))
    ref.backward()
    assert loss.item() == pytest.approx(ref.item())
    np.testing.assert_allclose(z.grad, w.grad)


@pytest.mark.parametrize(
    "expr",
    [
        lambda a: a * 1j,
        lambda a: 1j - a,
        lambda a: a + (1 + 1j),
        lambda a: a**1j,
        lambda a: a / np.complex128(1j),
        lambda a: a * np.complex64(1j),
    ],
)
@pytest.mark.parametrize("data", [np.array([1.0, 2.0]), 2.0], ids=["tensor", "scalar"])
def test_complex_constant_operand_is_refused_by_the_operator(expr, data):
    with pytest.raises(TypeError, match=r"^(mul|sub|add|power|div): .*complex"):
        expr(Value(data))


def test_complex_array_constant_is_refused_at_backward_naming_the_op():
    a = Value(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"^backward: .*'mul' node.*complex"):
        (a * np.array([1j, 1.0])).sum().backward()
    with pytest.raises(TypeError, match=r"^backward: .*'mul' node.*complex"):
        abs(a * np.array([1j, 1.0])).sum().backward()
    assert a.grad is None
    x = Value(2.0)
    with pytest.raises(TypeError, match=r"^backward: .*complex.*'mul'"):
        ag.mul(x, 1j).backward()


@pytest.mark.parametrize(
    "f",
    [lambda x: x * 1, lambda x: x + 1, lambda x: ag.identity(x), lambda x: 3 - x],
    ids=["mul", "add", "identity", "rsub"],
)
@pytest.mark.parametrize(
    "data", [2.0, np.array([1.0, 2.0], dtype=np.float32)], ids=["scalar", "tensor"]
)
def test_gradients_with_create_graph_returns_values_even_for_constant_gradients(f, data):
    x, other = Value(data), Value(data)
    out = f(x)
    out = out if isinstance(data, float) else out.sum()
    gx, gother = ag.gradients(out, [x, other], create_graph=True)
    assert isinstance(gx, Value) and isinstance(gother, Value)
    assert gx.shape == x.shape and gx.dtype == x.dtype
    np.testing.assert_allclose(gother.data, np.zeros_like(other.data))
    plain = ag.gradients(f(x) if isinstance(data, float) else f(x).sum(), [x])[0]
    np.testing.assert_allclose(gx.data, plain)
