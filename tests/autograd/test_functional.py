"""The function transforms, against closed forms."""

import numpy as np
import pytest

import autograd as ag
from autograd import Value
from autograd.testing import GradcheckError, gradcheck, gradgradcheck, numerical_gradient


def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def rosenbrock_hessian(x):
    a, b = x
    return np.array([[2 - 400 * (b - a**2) + 800 * a**2, -400 * a], [-400 * a, 200.0]])


def test_grad_of_array_function_returns_array():
    g = ag.grad(lambda x: (x**3).sum())(np.array([1.0, 2.0]))
    assert isinstance(g, np.ndarray)
    np.testing.assert_allclose(g, [3.0, 12.0])


def test_second_derivative_of_tanh_is_a_float():
    d2 = ag.grad(ag.grad(lambda x: x.tanh()))(0.5)
    t = np.tanh(0.5)
    assert type(d2) is float
    assert d2 == pytest.approx(-2 * t * (1 - t**2))


def test_third_derivative_of_tanh():
    d3 = ag.grad(ag.grad(ag.grad(lambda x: x.tanh())))(0.3)
    t = np.tanh(0.3)
    assert d3 == pytest.approx(-2 * (1 - t**2) ** 2 + 4 * t**2 * (1 - t**2))


def test_four_nested_grads_of_sin():
    assert ag.grad(ag.grad(ag.grad(ag.grad(lambda x: x.sin()))))(1.0) == pytest.approx(np.sin(1.0))


def test_rosenbrock_hessian_closed_form():
    for point in ([1.0, 2.0], [-0.5, 0.3]):
        x = np.array(point)
        np.testing.assert_allclose(ag.hessian(rosenbrock)(x), rosenbrock_hessian(x))


def test_jacobian_of_grad_equals_hessian():
    x = np.array([0.3, -0.7])
    np.testing.assert_allclose(ag.jacobian(ag.grad(rosenbrock))(x), ag.hessian(rosenbrock)(x))


def test_jacobian_shape_is_output_shape_plus_input_shape():
    J = ag.jacobian(lambda x: x.tanh() * 2)(np.ones(3))
    assert J.shape == (3, 3)
    np.testing.assert_allclose(J, np.diag(2 * (1 - np.tanh(1.0) ** 2) * np.ones(3)))
    J2 = ag.jacobian(lambda x: x @ np.ones((4, 5)))(np.ones((2, 4)))
    assert J2.shape == (2, 5, 2, 4)


def test_jacobian_of_softmax():
    x = np.array([0.1, -1.2, 2.0, 0.5])
    s = np.exp(x - x.max())
    s /= s.sum()
    np.testing.assert_allclose(ag.jacobian(ag.softmax)(x), np.diag(s) - np.outer(s, s), atol=1e-12)


def mlp_loss(w):
    x = np.linspace(-1, 1, 12).reshape(4, 3)
    h = (x @ w[:6].reshape(3, 2)).tanh()
    return ((h @ w[6:8] - 0.5) ** 2).mean()


def test_hvp_equals_hessian_times_vector():
    rng = np.random.default_rng(0)
    w = rng.standard_normal(8)
    v = rng.standard_normal(8)
    np.testing.assert_allclose(ag.hvp(mlp_loss)(w, v), ag.hessian(mlp_loss)(w) @ v, atol=1e-12)


def test_value_and_grad_with_tuple_argnums_and_aux():
    w, b = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    value, (gw, gb) = ag.value_and_grad(lambda w, b: (w * b).sum(), argnums=(0, 1))(w, b)
    assert value == pytest.approx(1.0)
    np.testing.assert_allclose(gw, b)
    np.testing.assert_allclose(gb, w)
    (value, aux), g = ag.value_and_grad(lambda w: ((w**2).sum(), "aux"), has_aux=True)(w)
    assert aux == "aux" and value == pytest.approx(5.0)
    np.testing.assert_allclose(g, 2 * w)


def test_vjp_returns_output_and_pullback():
    out, vjp_fn = ag.vjp(lambda x, y: x * y, np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    np.testing.assert_allclose(out, [3.0, 8.0])
    gx, gy = vjp_fn(np.array([1.0, 10.0]))
    np.testing.assert_allclose(gx, [3.0, 40.0])
    np.testing.assert_allclose(gy, [1.0, 20.0])
    gx2, _ = vjp_fn(np.ones(2))  # callable more than once
    np.testing.assert_allclose(gx2, [3.0, 4.0])


def test_grad_of_non_scalar_names_the_shape():
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        ag.grad(lambda x: x * 2)(np.ones(3))


def test_nested_transform_does_not_confuse_variables():
    # d/dx [ d/dy (x * y) at y=2 ] = d/dx [x] = 1
    assert ag.grad(lambda x: ag.grad(lambda y: x * y)(2.0))(3.0) == pytest.approx(1.0)
    # d/dx [ d/dy (x * y) at y=x ] = 1, not 2 (perturbation confusion)
    assert ag.grad(lambda x: ag.grad(lambda y: x * y)(x))(3.0) == pytest.approx(1.0)


def test_transforms_given_values_return_values_with_graphs():
    x = Value(0.5)
    g = ag.grad(lambda t: t**3)(x)
    assert isinstance(g, Value)
    g.backward()
    assert x.grad == pytest.approx(6 * 0.5)


def test_gradient_of_unused_argument_is_zero():
    g = ag.grad(lambda a, b: a * 2, argnums=1)(1.0, np.ones(2))
    np.testing.assert_array_equal(g, np.zeros(2))


# --- transforms and gradcheck ignore an outer no_grad -------------------------------


def cube_sum(x):
    return (x**3).sum()


@pytest.mark.parametrize(
    ("transform", "expected"),
    [
        (lambda: ag.grad(lambda x: x**3)(2.0), 12.0),
        (lambda: ag.value_and_grad(lambda x: x**3)(2.0), (8.0, 12.0)),
        (lambda: ag.grad(cube_sum)(np.ones(2)), [3.0, 3.0]),
        (lambda: ag.jacobian(lambda x: x**3)(np.ones(2)), np.diag([3.0, 3.0])),
        (lambda: ag.hessian(cube_sum)(np.ones(2)), np.diag([6.0, 6.0])),
        (lambda: ag.hvp(cube_sum)(np.ones(2), np.array([1.0, 2.0])), [6.0, 12.0]),
        (lambda: ag.vjp(lambda x: x**3, np.ones(2))[1](np.ones(2))[0], [3.0, 3.0]),
        (lambda: ag.grad(ag.grad(lambda x: x**3))(2.0), 12.0),
    ],
    ids=["grad", "value_and_grad", "grad_array", "jacobian", "hessian", "hvp", "vjp", "grad2"],
)
def test_transforms_ignore_an_outer_no_grad(transform, expected):
    with ag.no_grad():
        got = transform()
        assert not ag.is_grad_enabled()  # the caller's mode is restored
    for v in got if isinstance(got, tuple) else (got,):
        assert not isinstance(v, Value)  # raw in, raw out, as outside no_grad
    np.testing.assert_allclose(np.asarray(got, dtype=float), expected)
    assert ag.is_grad_enabled()


def test_vjp_pullback_called_under_no_grad_still_differentiates():
    _, vjp_fn = ag.vjp(lambda x: x**3, np.ones(2))
    with ag.no_grad():
        (g,) = vjp_fn(np.ones(2))
    np.testing.assert_allclose(g, [3.0, 3.0])


def test_transform_under_no_grad_given_values_returns_values_without_graph():
    x = Value(0.5)
    with ag.no_grad():
        value, g = ag.value_and_grad(lambda t: t**3)(x)
        (out, aux), _ = ag.value_and_grad(lambda t: (t**3, {"t2": t * t}), has_aux=True)(x)
        (gv,) = ag.vjp(lambda t: t**3, x)[1](1.0)
    for v in (value, g, out, aux["t2"], gv):
        assert isinstance(v, Value) and not v.requires_grad and v.is_leaf
    assert g.data == pytest.approx(0.75) and gv.data == pytest.approx(0.75)
    assert aux["t2"].data == pytest.approx(0.25)


def test_vjp_pullback_under_no_grad_returns_no_graph_even_when_vjp_kept_one():
    x = Value(0.5)
    _, vjp_fn = ag.vjp(lambda t: t**3, x)
    (kept,) = vjp_fn(1.0)
    assert kept.requires_grad  # recorded: reaches back to x
    with ag.no_grad():
        (plain,) = vjp_fn(1.0)
    assert not plain.requires_grad and plain.data == pytest.approx(0.75)


def test_transform_restores_no_grad_after_an_exception():
    def broken(x):
        raise RuntimeError("boom")

    with ag.no_grad():
        with pytest.raises(RuntimeError, match="boom"):
            ag.grad(broken)(1.0)
        assert not ag.is_grad_enabled()
    with pytest.raises(RuntimeError, match="boom"):
        ag.jacobian(broken)(1.0)
    assert ag.is_grad_enabled()


def test_no_grad_inside_the_function_still_holds():
    def f(x):
        with ag.no_grad():
            c = x * 2  # a constant to the transform
            inner = ag.grad(lambda y: x * y * y)(x)  # 2 x * x, but a constant here
        return x * c + inner

    # d/dx [x * c] with c = 2 x held constant: 2 x = 6
    assert ag.grad(f)(3.0) == pytest.approx(6.0)


def test_gradcheck_and_gradgradcheck_under_no_grad():
    x = np.array([0.5, -1.0])
    with ag.no_grad():
        assert gradcheck(cube_sum, x)
        assert gradgradcheck(cube_sum, x)
        assert not ag.is_grad_enabled()


# --- gradcheck at float32 ----------------------------------------------------------


X32 = np.array([0.3, -0.7, 1.1], np.float32)


def test_gradcheck_accepts_correct_float32_gradients():
    assert gradcheck(lambda a: (a * 30).sin().sum(), X32)
    assert gradcheck(lambda a: ((a * 10).tanh() ** 2).sum(), X32)
    assert gradgradcheck(lambda a: ((a * 10).tanh() ** 2).sum(), X32)
    assert gradgradcheck(lambda a: (a * 30).sin().sum(), X32)


def test_gradcheck_step_suits_float64_differences():
    # The differences are computed in float64: a float32 input gets float64's step,
    # and so the same numbers as its float64 copy.
    f = lambda a: (a * 30).sin().sum()  # noqa: E731
    n32 = numerical_gradient(f, [X32], 0)
    np.testing.assert_array_equal(n32, numerical_gradient(f, [X32.astype(np.float64)], 0))
    np.testing.assert_allclose(n32, 30 * np.cos(30 * X32.astype(np.float64)), rtol=1e-7)


def _sin_with_vjp_scaled_by(factor):
    """A sin primitive whose gradient rule is off by `factor` (1 is right)."""
    op = ag.Primitive("sin_for_test", np.sin)  # not registered in OPS
    op.defvjp(lambda g, out, x: g * ag.cos(x) * factor)
    return op


def _sin_with_second_derivative_scaled_by(factor):
    """sin with a right first derivative (a cos primitive) whose own rule is off."""
    cos = ag.Primitive("cos_for_test", np.cos)
    cos.defvjp(lambda g, out, x: -g * ag.sin(x) * factor)
    op = ag.Primitive("sin_for_test", np.sin)
    op.defvjp(lambda g, out, x: g * cos(x))
    return op


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("factor", [1.01, 0.99, 2.0])
def test_gradcheck_catches_a_wrong_rule(dtype, factor):
    x = X32.astype(dtype)
    assert gradcheck(lambda a: _sin_with_vjp_scaled_by(1.0)(a * 3).sum(), x)
    with pytest.raises(GradcheckError, match="reverse mode"):
        gradcheck(lambda a: _sin_with_vjp_scaled_by(factor)(a * 3).sum(), x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("factor", [1.01, 2.0])
def test_gradgradcheck_catches_a_wrong_second_order_rule(dtype, factor):
    x = X32.astype(dtype)
    f = lambda a: _sin_with_second_derivative_scaled_by(factor)(a * 3).sum()  # noqa: E731
    assert gradcheck(f, x)  # the first derivative is right
    assert gradgradcheck(lambda a: _sin_with_second_derivative_scaled_by(1.0)(a * 3).sum(), x)
    with pytest.raises(GradcheckError, match="gradgradcheck"):
        gradgradcheck(f, x)


# --- what grad accepts as an output ------------------------------------------------


@pytest.mark.parametrize(
    ("output", "what"),
    [
        (lambda x: None, "None"),
        (lambda x: "loss", "str"),
        (lambda x: [(x * x).sum()], "list"),
        (lambda x: ((x * x).sum(), 1.0), "tuple"),
        (lambda x: True, "bool"),
    ],
    ids=["None", "str", "list", "tuple", "bool"],
)
@pytest.mark.parametrize("transform", [ag.grad, ag.value_and_grad], ids=["grad", "value_and_grad"])
def test_grad_rejects_an_output_that_is_not_a_number(transform, output, what):
    name = transform.__name__
    with pytest.raises(TypeError, match=rf"^{name}: .*returned.*{what}"):
        transform(output)(np.ones(3))


def test_jacobian_and_vjp_reject_none():
    with pytest.raises(TypeError, match=r"jacobian: .*None"):
        ag.jacobian(lambda x: None)(np.ones(3))
    with pytest.raises(TypeError, match=r"vjp: .*None"):
        ag.vjp(lambda x: None, np.ones(3))


def test_has_aux_needs_a_pair():
    with pytest.raises(TypeError, match=r"value_and_grad: with has_aux=True .*pair"):
        ag.value_and_grad(lambda x: (x * x).sum(), has_aux=True)(np.ones(3))


@pytest.mark.parametrize(
    "constant",
    [lambda x: 3.0, lambda x: 2, lambda x: np.float32(2.0), lambda x: np.ones(1)],
    ids=["float", "int", "float32", "array"],
)
def test_grad_of_a_constant_function_is_zero(constant):
    np.testing.assert_array_equal(ag.grad(constant)(np.ones(3)), np.zeros(3))
