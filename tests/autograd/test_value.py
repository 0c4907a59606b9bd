"""Focused tests of Value: data conversion, dtypes, attributes, errors."""

import re
import warnings

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


# --- Review fixes: lists inside tuple indices, power at a zero base or exponent, the
# check of sum_to's shapes, reductions of 0-d and degenerate inputs, hyperparameters
# given as Values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "index, expected",
    [
        ((slice(None), [0, 0]), [[2, 0, 0], [2, 0, 0]]),
        (([0, 0], [1, 1]), [[0, 2, 0], [0, 0, 0]]),
        ((0, [1, 1]), [[0, 2, 0], [0, 0, 0]]),
        ((Ellipsis, [0, 0]), [[2, 0, 0], [2, 0, 0]]),
        (((0, 0),), [[2, 2, 2], [0, 0, 0]]),  # a tuple inside the index: a sequence
        ((slice(None), (2, 2)), [[0, 0, 2], [0, 0, 2]]),
        ([[1, 1]], [[0, 0, 0], [2, 2, 2]]),  # a nested list: a (1, 2) index array
        (([True, False], [1, 1]), [[0, 2, 0], [0, 0, 0]]),  # a mask beside repeats
        ([], [[0, 0, 0], [0, 0, 0]]),  # an empty list: an empty integer index
    ],
)
def test_lists_and_tuples_inside_an_index_add_up_repeated_indices(index, expected):
    x = Value(np.arange(6.0).reshape(2, 3))
    out = x[index]
    np.testing.assert_array_equal(out.data, x.data[index])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, expected)


def test_getitem_called_directly_with_a_list_in_the_index_adds_up_repeats():
    x = Value(np.zeros((2, 3)))
    ag.getitem(x, index=(slice(None), [0, 0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [[2, 0, 0], [2, 0, 0]])


def test_repeated_list_index_second_derivative():
    h = ag.hessian(lambda x: (x.reshape(1, 3)[0, [0, 0, 2]] ** 2).sum())(np.zeros(3))
    np.testing.assert_array_equal(h, np.diag([4.0, 0.0, 2.0]))


@pytest.mark.parametrize(
    "f, at, expected",
    [
        (lambda: ag.grad(lambda x: x**0), 0.0, 0.0),
        (lambda: ag.grad(lambda x: x**0.0), 0.0, 0.0),
        (lambda: ag.grad(lambda x: sum(x**k for k in range(3))), 0.0, 1.0),
        (lambda: ag.grad(ag.grad(lambda x: x**1)), 0.0, 0.0),
        (lambda: ag.grad(ag.grad(ag.grad(lambda x: x**2))), 0.0, 0.0),
        (lambda: ag.grad(lambda b: Value(0.0, requires_grad=False) ** b), 2.0, 0.0),
        (lambda: ag.grad(lambda b: Value(0.0, requires_grad=False) ** b), 0.0, 0.0),
        (lambda: ag.grad(lambda b: 0.0**b), 0.5, 0.0),
        (lambda: ag.grad(ag.grad(lambda b: 0.0**b)), 2.0, 0.0),
        # correctly infinite, and negative bases with integer exponents, stay as they were
        (lambda: ag.grad(lambda x: x**0.5), 0.0, np.inf),
        (lambda: ag.grad(lambda x: x**-1), 0.0, -np.inf),
        (lambda: ag.grad(lambda x: x**3), -2.0, 12.0),
        (lambda: ag.grad(ag.grad(lambda x: x**3)), -2.0, -12.0),
    ],
)
def test_power_gradients_at_a_zero_base_or_exponent_scalar_level(f, at, expected):
    with np.errstate(divide="ignore"):
        got = f()(at)
    assert type(got) is float and got == expected


def test_power_gradients_at_a_zero_base_or_exponent_tensor_level():
    zeros = np.zeros(3)
    k = np.array([0.0, 1.0, 2.0])
    np.testing.assert_array_equal(ag.grad(lambda x: (x**0).sum())(zeros), [0, 0, 0])
    np.testing.assert_array_equal(ag.grad(lambda x: (x**k).sum())(zeros), [0, 1, 0])
    np.testing.assert_array_equal(ag.hessian(lambda x: (x**k).sum())(zeros), np.diag([0, 0, 2]))
    third = ag.jacobian(ag.grad(lambda x: (x ** (k + 1)).sum()))
    np.testing.assert_array_equal(third(zeros), np.diag([0, 2, 0]))
    np.testing.assert_array_equal(ag.grad(lambda b: (zeros**b).sum())(k), [0, 0, 0])
    np.testing.assert_array_equal(ag.hessian(lambda b: (zeros**b).sum())(k + 1), np.zeros((3, 3)))
    # both differentiated: finite at (0, 0), and the mixed derivative a^(b-1) (1 + b log a)
    # is still right where only the exponent is 0
    h = ag.hessian(lambda v: v[0] ** v[1])
    assert np.isfinite(h(np.zeros(2))).all()
    np.testing.assert_allclose(h(np.array([2.0, 0.0])), [[0, 0.5], [0.5, np.log(2) ** 2]])
    dx, dy = ag.grad(lambda x, y: x**y, argnums=(0, 1))(0.0, 0.0)
    assert (dx, dy) == (0.0, 0.0)
    assert ag.grad(ag.grad(lambda x, y: x**y, 0), 1)(2.0, 0.0) == pytest.approx(0.5)
    # float32 stays float32; negative bases with integer exponents keep working
    x32 = np.array([-2.0, 0.0, 3.0], dtype=np.float32)
    g = ag.grad(lambda x: (x ** np.array([3.0, 0.0, 2.0], dtype=np.float32)).sum())(x32)
    assert g.dtype == np.float32
    np.testing.assert_array_equal(g, [12, 0, 6])


def test_sum_to_refuses_a_shape_broadcasting_cannot_have_made():
    for src, target in [((4,), (3,)), ((2, 3), (2, 1, 3)), ((2, 3), (3, 3)), ((), (1,))]:
        pattern = rf"sum_to: .*{re.escape(str(src))}.*{re.escape(str(target))}"
        with pytest.raises(ValueError, match=pattern):
            ag.sum_to(np.ones(src), shape=target)
        with pytest.raises(ValueError, match=pattern):  # the raw path backward takes
            ag.sum_to.fn(np.ones(src), target)
    for src, target, expected in [
        ((2, 3), (3,), np.full(3, 2.0)),
        ((2, 3), (2, 1), np.full((2, 1), 3.0)),
        ((4, 2, 3), (2, 1), np.full((2, 1), 12.0)),
        ((0, 3), (1, 3), np.zeros((1, 3))),
        ((2, 3), (), 6.0),
    ]:
        np.testing.assert_array_equal(ag.sum_to(np.ones(src), shape=target), expected)


def test_a_rule_giving_a_gradient_of_the_wrong_shape_is_named():
    bad = ag.Primitive("bad_rule_for_test", lambda x: x * 2)  # not registered in OPS
    bad.defvjp(lambda g, out, x: np.ones(4))
    x = Value(np.ones(3))
    with pytest.raises(
        ValueError, match=r"'bad_rule_for_test' node gave its input 0 .*sum_to: .*\(4,\).*\(3,\)"
    ):
        bad(x).sum().backward()


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: Value(2.0).logsumexp(), 1.0),
        (lambda: Value(np.array(2.0)).logsumexp(), 1.0),
        (lambda: Value(np.array(2.0)).logsumexp(axis=0, keepdims=True), 1.0),
        (lambda: Value(np.array(2.0)).max(axis=-1), 1.0),
        (lambda: Value(np.array(2.0)).min(axis=0), 1.0),
        (lambda: Value(np.array(2.0)).sum(axis=0), 1.0),
        (lambda: Value(np.array(2.0)).sum(axis=-1, keepdims=True), 1.0),
        (lambda: Value(2.0).sum(axis=0), 1.0),
        (lambda: Value(2.0).max(axis=-1), 1.0),
    ],
)
def test_reductions_of_0d_data_over_axis_0_or_minus_1_backpropagate(make, expected):
    # numpy's reductions take axis 0 or -1 on a 0-d array (the one element)
    out = make()
    out.backward()
    x = out
    while x.parents:
        x = x.parents[0]
    assert x.grad == expected and np.shape(x.grad) == x.shape


def test_reductions_refuse_axes_a_0d_value_lacks_at_both_levels():
    for x in (Value(2.0), Value(np.array(2.0))):
        for method, axis in [
            ("sum", 1),
            ("max", (0,)),
            ("min", -2),
            ("mean", 0),
            ("var", 0),
            ("logsumexp", 1),
        ]:
            with pytest.raises(ValueError, match=rf"^{method}: .*axis"):
                getattr(x, method)(axis=axis)


def test_var_without_degrees_of_freedom_gives_nan_and_inf_gradients_as_numpy():
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        x = Value(np.ones((3, 1)))
        out = x.var(axis=1, ddof=1)
        assert np.isnan(out.data).all()
        out.backward(np.ones(3))
        assert x.grad.shape == (3, 1) and np.isnan(x.grad).all()
        y = Value(np.array([1.0, 3.0]))
        out = y.var(ddof=2)  # numpy: a sum of squares 2 over 0 degrees of freedom
        assert out.data == np.inf
        out.backward()
        np.testing.assert_array_equal(y.grad, [-np.inf, np.inf])
        e = Value(np.ones(0))
        e.var().backward()
        assert e.grad.shape == (0,)
        e2 = Value(np.ones((0, 3)))
        e2.var(axis=0).backward(np.ones(3))
        assert e2.grad.shape == (0, 3)
        s = Value(2.0)
        s.var(ddof=1).backward()  # numpy's var(2.0, ddof=1) is nan
        assert type(s.grad) is float and np.isnan(s.grad)
        assert ag.grad(lambda v: v.var())(2.0) == 0.0


def test_hyperparameters_given_as_values_are_refused_by_name():
    for x in (Value(np.array([-1.0, 2.0])), Value(-1.0)):
        with pytest.raises(TypeError, match=r"leaky_relu: negative_slope must be a number.*prelu"):
            x.leaky_relu(Value(0.2))
        with pytest.raises(TypeError, match=r"elu: alpha must be a number"):
            x.elu(Value(0.5))
        with pytest.raises(TypeError, match=r"clip: lo must be a number or None.*maximum"):
            x.clip(Value(-0.5), 1)
        with pytest.raises(TypeError, match=r"clip: hi must be a number or None.*minimum"):
            x.clip(-0.5, Value(1.0))
        with pytest.raises(TypeError, match=r"leaky_relu: negative_slope .* got str"):
            x.leaky_relu("0.2")
    # numbers of any kind still work, and a numpy scalar does not promote float32
    x32 = Value(np.array([-1.0, 2.0], dtype=np.float32))
    for out in (x32.leaky_relu(np.float64(0.2)), x32.elu(1), x32.clip(np.float64(-0.5), 1)):
        assert out.dtype == np.float32
    assert type(Value(-1.0).leaky_relu(np.float64(0.5)).data) is float
    assert Value(-1.0).leaky_relu(0).data == 0.0


def test_numpy_float64_constants_act_as_python_floats() -> None:
    # np.float64 subclasses float (np.sqrt(4.0) gives one): numpy would promote
    # float32 data to float64 with it, and make a scalar-level result a numpy scalar.
    x = Value(np.ones(3, dtype=np.float32))
    for y in (x * np.float64(0.5), np.float64(0.5) * x, x / np.sqrt(4.0), np.sqrt(4.0) - x):
        assert y.dtype == np.float32
    (x / np.sqrt(4.0)).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, np.full(3, 0.5, dtype=np.float32))
    s = Value(2.0) * np.float64(3.0)
    assert type(s.data) is float
    s.backward()


def test_a_graph_pickles_and_copies_with_its_primitives_named_not_copied():
    import copy
    import pickle

    x = Value(np.array([0.5, 1.0]), name="x")
    y = (x.exp() * 2.0).sum()
    for clone in (pickle.loads(pickle.dumps(y)), copy.deepcopy(y)):
        assert clone._op is y._op  # the registered primitive itself
        clone.backward()
        (leaf,) = [p for p in clone.parents[0].parents[0].parents]
        np.testing.assert_allclose(leaf.grad, 2 * np.exp([0.5, 1.0]))
        assert x.grad is None  # the original graph is untouched
    y.backward()
    released = pickle.loads(pickle.dumps(y))
    with pytest.raises(ag.GraphReleasedError):
        released.backward()
    unregistered = ag.Primitive("test_unregistered", lambda a: a * 2)
    unregistered.defvjp(lambda g, out, a: 2 * g)
    with pytest.raises(pickle.PicklingError, match=r"test_unregistered: .*not registered"):
        pickle.dumps(unregistered(x))
    assert copy.deepcopy(unregistered(x))._op is unregistered


def test_hyperparameters_may_be_arrays_of_one_value_per_channel():
    x = Value(np.array([[-1.0, -2.0], [1.0, -1.0]]))
    y = x.leaky_relu(negative_slope=np.array([0.1, 0.2]))
    np.testing.assert_allclose(y.data, [[-0.1, -0.4], [1.0, -0.2]])
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [[0.1, 0.2], [1.0, 0.2]])
    lo = np.array([-1.0, 0.0, 0.0])
    np.testing.assert_array_equal(ag.clip(np.array([-3.0, 0.5, 3.0]), lo=lo, hi=1.0), [-1, 0.5, 1])


def test_a_graph_pickled_in_another_process_keeps_its_staleness_check(tmp_path):
    import pickle
    import subprocess
    import sys

    path = tmp_path / "graph.pkl"
    script = (
        "import pickle, sys, numpy as np, autograd.value as v\n"
        "from autograd import Value\n"
        "v._CLOCK = 10**12  # a process whose clock has run far ahead\n"
        "w = Value(np.array([1.0, 2.0]), name='w')\n"
        "g = (w * w).sum()\n"
        "pickle.dump((w, g), open(sys.argv[1], 'wb'))\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=True)
    w, g = pickle.loads(path.read_bytes())
    w.data = np.array([10.0, 20.0])  # after the graph was computed, here as there
    with pytest.raises(RuntimeError, match=r"had its \.data assigned"):
        g.backward()
    w2, g2 = pickle.loads(path.read_bytes())
    g2.backward()  # unchanged: backpropagates
    np.testing.assert_array_equal(w2.grad, [2.0, 4.0])


def test_array_hyperparameters_keep_the_datas_dtype_and_need_array_data():
    x = Value(np.array([-1.0, 2.0], dtype=np.float32))
    for y in (
        x.leaky_relu(negative_slope=np.array([0.1, 0.2])),
        x.elu(alpha=np.array([1.0, 0.5])),
        x.clip(lo=np.array([-0.5, 0.0])),
    ):
        assert y.dtype == np.float32
    with pytest.raises(TypeError, match=r"leaky_relu: negative_slope .* for scalar-level data"):
        Value(-1.0).leaky_relu(negative_slope=np.array([0.1, 0.2]))
