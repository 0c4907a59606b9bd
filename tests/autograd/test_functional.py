"""The function transforms, against closed forms."""

import numpy as np
import pytest

import autograd as ag
from autograd import Value


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
