"""Focused tests of Value: data conversion, dtypes, attributes, errors."""

import numpy as np
import pytest

import autograd as ag
from autograd import Value


def test_micrograd_example_matches_hand_computation():
    a, b = Value(2.0), Value(-3.0)
    c = (a * b + b**2).tanh()
    c.backward()
    t = np.tanh(3.0)
    assert type(a.grad) is float and type(b.grad) is float
    assert a.grad == pytest.approx((1 - t**2) * -3.0)
    assert b.grad == pytest.approx((1 - t**2) * (2.0 + 2 * -3.0))


def test_tensor_example_broadcast_gradients_have_input_shapes():
    rng = np.random.default_rng(0)
    x = Value(rng.standard_normal((32, 3)), requires_grad=False)
    W = Value(rng.standard_normal((3, 4)))
    bias = Value(np.zeros(4))
    loss = ((x @ W + bias).relu() ** 2).mean()
    loss.backward()
    assert W.grad.shape == (3, 4) and bias.grad.shape == (4,)
    assert x.grad is None
    h = x.data @ W.data + bias.data
    dh = 2 * np.maximum(h, 0) * (h > 0) / h.size
    np.testing.assert_allclose(W.grad, x.data.T @ dh)
    np.testing.assert_allclose(bias.grad, dh.sum(0))


@pytest.mark.parametrize(
    "data, kind",
    [(3, float), (True, float), ([1, 2], np.float64), (np.arange(3), np.float64)],
)
def test_ints_bools_lists_become_float64(data, kind):
    v = Value(data)
    if kind is float:
        assert type(v.data) is float
    else:
        assert v.data.dtype == np.float64


def test_object_and_complex_arrays_are_rejected():
    with pytest.raises(TypeError, match="dtype object"):
        Value(np.array([object()]))
    with pytest.raises(TypeError, match="complex"):
        Value(np.ones(2, dtype=complex))
    with pytest.raises(TypeError, match="str"):
        Value("3")


def test_float32_stays_float32_with_python_constants():
    x = Value(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3))
    w = Value(np.ones((3, 2), dtype=np.float32))
    y = (2.5 * x + 1).tanh() @ w
    z = ((y - 0.5) ** 2 / 3.0).sigmoid().logsumexp(axis=1).mean() + x.var() * 1e-3
    for v in (y, z):
        assert v.dtype == np.float32
    z.backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


def test_attributes_and_item():
    v = Value(np.arange(6.0).reshape(2, 3), name="v")
    assert v.shape == (2, 3) and v.ndim == 2 and v.size == 6 and v.dtype == np.float64
    assert Value(np.array([4.0])).item() == 4.0
    s = Value(1.5)
    assert s.shape == () and s.ndim == 0 and s.size == 1 and s.item() == 1.5
    with pytest.raises(ValueError, match=r"shape \(2, 3\)"):
        v.item()
    assert "name='v'" in repr(v) and "Value(" in repr(s)


def test_names_given_set_later_copied_and_pickled():
    import copy
    import pickle

    a, b = Value(2.0), Value(3.0, name="b")
    c = a * b
    assert (a.name, b.name, c.name) == (None, "b", None)
    c.name = "c"
    assert c.name == "c" and b.detach().name == "b"
    for clone in (copy.copy, copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v))):
        assert (clone(a).name, clone(b).name, clone(c).name) == (None, "b", "c")
    c.name = None
    assert c.name is None and "name=" not in repr(c)


def test_data_and_grad_are_assignable_and_another_float_dtype_allowed():
    v = Value(np.ones(3, dtype=np.float32))
    v.data = np.zeros(3, dtype=np.float64)
    assert v.data.dtype == np.float64
    v.grad = np.ones(3)
    v.zero_grad()
    assert v.grad is None


def test_requires_grad_false_and_detach_make_constants():
    x = Value(2.0)
    c = Value(3.0, requires_grad=False)
    y = x * c + x.detach() * 5
    y.backward()
    assert x.grad == 3.0
    assert c.grad is None
    assert not x.detach().requires_grad and x.detach().data == x.data


def test_comparisons_return_plain_boolean_data():
    a = Value(np.array([1.0, 2.0, 3.0]))
    assert (a > 2).dtype == bool and (a == Value(np.array([1.0, 0, 3]))).tolist() == [
        True,
        False,
        True,
    ]
    assert (Value(1.0) < 2.0) is True


def test_reflected_operators():
    v = Value(2.0)
    for expr, value, grad in [
        (lambda: 2 * v, 4.0, 2.0),
        (lambda: 1 - v, -1.0, -1.0),
        (lambda: 8 / v, 4.0, -2.0),
        (lambda: 2**v, 4.0, 4.0 * np.log(2.0)),
        (lambda: v**v, 4.0, 4.0 * (1 + np.log(2.0))),
        (lambda: -v, -2.0, -1.0),
    ]:
        v.zero_grad()
        out = expr()
        out.backward()
        assert out.data == pytest.approx(value) and v.grad == pytest.approx(grad)


def test_numpy_array_on_the_left_defers_to_value():
    v = Value(np.ones(3))
    out = np.arange(3.0) * v
    assert isinstance(out, Value)


def test_functions_on_raw_inputs_return_raw_results():
    assert type(ag.exp(0.0)) is float
    assert isinstance(ag.tanh(np.zeros(2)), np.ndarray)
    assert isinstance(ag.exp(Value(0.0)), Value)


def test_log_and_sqrt_of_negative_behave_as_numpy():
    with np.errstate(invalid="ignore", divide="ignore"):
        assert np.isnan(Value(-1.0).log().data)
        assert Value(0.0).log().data == -np.inf
        assert np.isnan(Value(-4.0).sqrt().data)
        arr = Value(np.array([-1.0, 4.0])).sqrt().data
    assert np.isnan(arr[0]) and arr[1] == 2.0
    with np.errstate(divide="ignore"):
        assert (Value(1.0) / 0.0).data == np.inf


def test_shape_errors_name_op_and_shapes():
    with pytest.raises(ValueError, match=r"matmul: shapes \(3, 4\) and \(5, 2\) are not aligned"):
        Value(np.ones((3, 4))) @ Value(np.ones((5, 2)))
    for op in ("add", "sub", "mul", "div", "maximum", "minimum", "power"):
        with pytest.raises(ValueError, match=rf"{op}: shapes \(3,\) and \(4,\)"):
            getattr(ag, op)(Value(np.ones(3)), Value(np.ones(4)))
    with pytest.raises(ValueError, match=r"concatenate: cannot join shapes \(2, 3\), \(2, 4\)"):
        ag.concatenate([Value(np.ones((2, 3))), Value(np.ones((2, 4)))])
    with pytest.raises(ValueError, match="reshape"):
        Value(np.ones(6)).reshape(4, 2)


def test_reshape_forms_and_transpose():
    v = Value(np.arange(24.0))
    assert v.reshape(6, 4).shape == (6, 4) and v.reshape((6, 4)).shape == (6, 4)
    m = v.reshape(2, 3, 4)
    assert m.transpose(2, 0, 1).shape == (4, 2, 3) and m.T.shape == (4, 3, 2)
    assert m.transpose((1, 0, 2)).shape == (3, 2, 4)


def test_indexing_forms():
    v = Value(np.arange(12.0).reshape(3, 4))
    assert v[1].shape == (4,)
    assert v[:, 1:3].shape == (3, 2)
    assert v[None, ..., 0].shape == (1, 3)
    assert v[v.data > 5].shape == (6,)
    out = v[np.array([0, 0, 2]), np.array([1, 1, 3])].sum()
    out.backward()
    expected = np.zeros((3, 4))
    expected[0, 1] = 2
    expected[2, 3] = 1
    np.testing.assert_array_equal(v.grad, expected)


def test_scalar_level_cannot_be_indexed():
    with pytest.raises(TypeError, match="getitem"):
        Value(1.0)[0]
