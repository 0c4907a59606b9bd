"""Primitives defined by users: the README's example, the checks that name a primitive
defined wrongly, and the shortcut rules handed to a primitive from outside the engine."""

from __future__ import annotations

import traceback
from typing import Any

import numpy as np
import pytest

import autograd as ag
from autograd import Value
from autograd.testing import gradcheck, gradgradcheck


@pytest.fixture(autouse=True)
def _unregister() -> Any:
    """The table is the engine's own: what a test registers leaves with the test."""
    yield
    ag.OPS.pop("test_cube", None)


def _cube() -> ag.Primitive:
    @ag.primitive("test_cube")
    def cube(x: Any) -> Any:
        """x ** 3.  d/dx = 3 x^2."""
        return x * x * x

    cube.defvjp(lambda g, out, x: g * 3 * x * x)
    return cube


def test_the_readme_example_gives_first_and_second_derivatives() -> None:
    cube = _cube()
    x = Value(np.array([1.0, 2.0]))
    cube(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 12.0])
    np.testing.assert_allclose(ag.hessian(lambda v: cube(v).sum())(np.array([1.0, 2.0])),
                               np.diag([6.0, 12.0]))  # fmt: skip
    assert gradcheck(lambda v: cube(v).sum(), np.array([0.3, -1.2]))
    assert gradgradcheck(lambda v: cube(v).sum(), np.array([0.3, -1.2]))


def test_running_a_definition_again_replaces_it_and_a_clash_is_refused() -> None:
    first, again = _cube(), _cube()  # a notebook cell run twice
    assert ag.OPS["test_cube"] is again and first is not again
    with pytest.raises(ValueError, match=r"'exp' is defined twice \(first in autograd\.ops"):
        ag.primitive("exp")(lambda x: x)


@pytest.mark.parametrize(
    "forward, saves, message",
    [
        (lambda x: (x * 2, x * 3), False, "returned an object of type tuple"),
        (lambda x: 3, False, "returned an object of type int"),
        (lambda x: np.ones(3, dtype=int), False, "returned an array of dtype int64"),
        (lambda x: x * 2, True, "saves=True returns \\(out, saved\\)"),
    ],
)
def test_a_forward_that_does_not_give_engine_data_is_named(
    forward: Any, saves: bool, message: str
) -> None:
    bad = ag.Primitive("test_bad_forward", forward, saves=saves)
    bad.defvjp(lambda g, out, x, saved=None: g)
    with pytest.raises(TypeError, match=f"test_bad_forward: .*{message}"):
        bad(Value(np.ones(3)))


def test_the_engines_named_rules_given_to_a_users_primitive_are_fitted_and_checked() -> None:
    # A float output from an array input: passthrough hands the float on, which is
    # fitted to the array input; a gradient that cannot fit is named.
    add_total = ag.Primitive("test_add_total", lambda a, b: a + float(np.sum(b)))
    add_total.defvjp(ag.passthrough, ag.passthrough)
    with pytest.raises(ValueError, match="'test_add_total' node gave its input 1"):
        add_total(Value(1.0), Value(np.ones(3))).backward()
    scale = ag.Primitive("test_scale", lambda x, y: x * y)
    scale.defvjp(ag.times_y, ag.times_x)
    x, y = Value(np.array([1.0, 2.0])), Value(3.0)
    scale(x, y).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])
    assert y.grad == pytest.approx(3.0)


def test_an_error_in_a_users_forward_keeps_its_own_traceback() -> None:
    def helper(x: Any) -> Any:
        return x + None  # the user's own mistake

    op = ag.Primitive("test_helper_error", lambda x, alpha=0.1: helper(x))
    with pytest.raises(TypeError, match="test_helper_error") as info:
        op(Value(np.ones(3)))
    cause = info.value.__cause__
    assert isinstance(cause, TypeError)  # Python's words, with the user's own lines
    assert "helper" in {frame.name for frame in traceback.extract_tb(cause.__traceback__)}


def test_a_users_primitive_keeps_its_signature_and_lambdas_do_not_replace_each_other() -> None:
    import inspect

    @ag.primitive("test_cube")
    def cube(x: Any, alpha: float = 0.1) -> Any:
        return x * x * x

    assert list(inspect.signature(cube.fn).parameters) == ["x", "alpha"]
    ag.primitive("test_lambda")(lambda x: x * 2)
    try:
        with pytest.raises(ValueError, match="'test_lambda' is defined twice"):
            ag.primitive("test_lambda")(lambda x: x * 3)
    finally:
        ag.OPS.pop("test_lambda", None)


def test_a_notebook_cell_defining_a_lambda_primitive_runs_again() -> None:
    cell = compile('ag.primitive("test_cell")(lambda x: 2 * x)\n', "<cell>", "exec")
    try:
        for _ in range(2):  # the same cell, run twice
            exec(cell, {"__name__": "__main__", "ag": ag})
        other = compile('ag.primitive("test_cell")(lambda x: 3 * x)\n', "<cell>", "exec")
        with pytest.raises(ValueError, match="'test_cell' is defined twice"):
            exec(other, {"__name__": "__main__", "ag": ag})
    finally:
        ag.OPS.pop("test_cell", None)


def test_a_pickled_graph_imports_the_module_of_its_primitive(tmp_path: Any) -> None:
    import pickle
    import subprocess
    import sys

    (tmp_path / "test_prim_module_xyz.py").write_text(
        "import autograd as ag\n"
        "@ag.primitive('test_prim_xyz')\n"
        "def triple(x):\n"
        "    return 3 * x\n"
        "triple.defvjp(lambda g, out, x: 3 * g)\n"
    )
    path = tmp_path / "graph.pkl"
    script = (
        "import pickle, sys, numpy as np\n"
        "sys.path.insert(0, sys.argv[2])\n"
        "from autograd import Value\n"
        "from test_prim_module_xyz import triple\n"
        "pickle.dump(triple(Value(np.ones(2))).sum(), open(sys.argv[1], 'wb'))\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path), str(tmp_path)], check=True)
    sys.path.insert(0, str(tmp_path))
    try:
        assert "test_prim_xyz" not in ag.OPS
        y = pickle.loads(path.read_bytes())  # imports the module, as pickle does for functions
        y.backward()
        assert y.op == "sum" and "test_prim_xyz" in ag.OPS
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("test_prim_module_xyz", None)
        ag.OPS.pop("test_prim_xyz", None)
