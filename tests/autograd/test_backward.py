"""Focused tests of backward: accumulation, reuse, release, no_grad, depth."""

import sys
from typing import Any

import numpy as np
import pytest

import autograd as ag
from autograd import Value


def test_reused_node_gets_sum_over_paths():
    a = Value(3.0)
    b = a + a
    c = b * b
    c.backward()
    assert a.grad == 2 * 2 * (2 * 3.0)  # dc/da = 2b * 2


def test_diamond_through_reduction_orders_nodes_correctly():
    x = Value(np.arange(1.0, 5.0))
    y = (x * x.sum()).sum()
    y.backward()
    np.testing.assert_allclose(x.grad, np.full(4, 2 * x.data.sum()))


def test_gradients_accumulate_until_zero_grad():
    x = Value(2.0)
    for _ in range(3):
        (x * x).backward()
    assert x.grad == 12.0
    x.zero_grad()
    (x * x).backward()
    assert x.grad == 4.0


def test_every_node_keeps_its_gradient_at_scalar_level():
    a, b = Value(2.0), Value(-3.0)
    e = a * b
    d = e + b
    d.backward()
    assert d.grad == 1.0 and e.grad == 1.0 and b.grad == 3.0
    # recorded gradients (create_graph) are kept on every scalar node too
    x = Value(1.5)
    y = x * x
    z = y.sin()
    z.backward(create_graph=True)
    assert isinstance(y.grad, Value) and y.grad.data == pytest.approx(np.cos(2.25))


def tensor_chain() -> tuple[Value, Value, Value, Value]:
    w = Value(np.array([1.0, -2.0, 3.0]))
    h = w * 2.0
    r = h.relu()
    return w, h, r, r.sum()


def test_inner_tensor_nodes_keep_their_gradient_only_when_asked():
    w, h, r, out = tensor_chain()
    out.backward()
    np.testing.assert_array_equal(w.grad, [2.0, 0.0, 2.0])  # leaves always
    assert h.grad is None and r.grad is None and out.grad is None  # as in PyTorch

    w, h, r, out = tensor_chain()
    h.retain_grad()
    assert h.grad is None  # nothing has arrived yet
    out.backward()
    np.testing.assert_array_equal(h.grad, [1.0, 0.0, 1.0])
    assert r.grad is None

    w, h, r, out = tensor_chain()
    out.backward(inner_grads=True)
    np.testing.assert_array_equal(h.grad, [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(r.grad, [1.0, 1.0, 1.0])
    assert out.grad == 1.0
    np.testing.assert_array_equal(w.grad, [2.0, 0.0, 2.0])  # the leaves' as without it

    # inner_grads=False: not even at scalar level, but retain_grad still counts
    a = Value(2.0)
    e = a * a
    f = e * 3.0
    f.retain_grad()
    (f + 1.0).backward(inner_grads=False)
    assert a.grad == 12.0 and e.grad is None and f.grad == 1.0
    ag.backward(tensor_chain()[3], inner_grads=True)  # the function form takes it too
    w, h, r, out = tensor_chain()
    with pytest.raises(TypeError, match="inner_grads must be None, True or False, got 'all'"):
        out.backward(inner_grads="all")  # type: ignore[arg-type]
    out.backward()  # the refused call left nothing behind
    np.testing.assert_array_equal(w.grad, [2.0, 0.0, 2.0])


def test_a_retained_inner_node_keeps_its_gradient_across_backwards():
    w, h, _, out = tensor_chain()
    h.retain_grad()
    out.backward(retain_graph=True)
    out.backward(retain_graph=True)
    np.testing.assert_array_equal(h.grad, [2.0, 0.0, 2.0])  # summed, as a leaf's
    h.zero_grad()
    assert h.grad is None
    out.backward()
    np.testing.assert_array_equal(h.grad, [1.0, 0.0, 1.0])  # still retained
    w.retain_grad()  # a leaf keeps its gradient anyway: nothing changes
    np.testing.assert_array_equal(w.grad, [6.0, 0.0, 6.0])
    with pytest.raises(RuntimeError, match="retain_grad: this Value does not require grad"):
        Value(np.ones(2), requires_grad=False).retain_grad()


def test_non_scalar_backward_needs_grad():
    y = Value(np.ones((2, 3))) * 2
    with pytest.raises(ValueError, match=r"shape \(2, 3\).*pass grad="):
        y.backward()
    with pytest.raises(
        ValueError, match=r"grad has shape \(3,\) but the output has shape \(2, 3\)"
    ):
        y.backward(np.ones(3))
    y.backward(np.ones((2, 3)))


def test_released_graph_raises_and_retain_graph_allows_twice():
    x = Value(2.0)
    y = x.exp() * 3
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad == pytest.approx(2 * 3 * np.exp(2.0))
    with pytest.raises(ag.GraphReleasedError, match="retain_graph=True"):
        y.backward()


def test_no_grad_records_nothing_as_context_and_decorator():
    x = Value(np.ones(3))
    with ag.no_grad():
        y = x * 2
        with ag.enable_grad():
            z = x * 3
    assert not y.requires_grad and y.parents == ()
    assert z.requires_grad

    @ag.no_grad()
    def f(v):
        return v * 2

    assert not f(x).requires_grad and ag.is_grad_enabled()
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()


def test_function_form_of_backward_matches_the_method():
    x = Value(np.array([1.0, 2.0]))
    ag.backward((x * x).sum())
    assert np.array_equal(x.grad, [2.0, 4.0])
    ag.backward((x * 3).sum(), retain_graph=False)
    assert np.array_equal(x.grad, [5.0, 7.0])  # accumulated, as the method does
    with pytest.raises(TypeError, match="backward: root is a ndarray, not a Value"):
        ag.backward(np.ones(2))


def test_million_node_chain_under_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0


def test_mutating_saved_input_is_detected_at_backward():
    w = Value(np.ones(3))
    y = (w * w).sum()
    w.data = w.data * 2
    with pytest.raises(RuntimeError, match=r"\.data assigned \(or changed in place"):
        y.backward()


def _constant_second(c):
    x = Value(3.0)
    return x, x * c


def _constant_first(c):
    x = Value(3.0)
    return x, c * x


def _dense_layer(c):
    w, b = Value(np.ones((2, 3))), Value(np.zeros(3))
    return w, ag.linear(c, w, b).sum()


@pytest.mark.parametrize("build", [_constant_second, _constant_first, _dense_layer])
@pytest.mark.parametrize("create_graph", [False, True])
def test_changing_a_constant_that_a_rule_reads_is_detected_at_backward(build, create_graph):
    # The constant needs no gradient, but the other input's rule reads it (d(x*c)/dx
    # = c, d(x@W)/dW = x): changed after the forward, it would give a wrong gradient.
    scalar = build is not _dense_layer
    c = Value(2.0 if scalar else np.ones((4, 2)), requires_grad=False)
    x, y = build(c)
    c.data = 5.0 if scalar else np.zeros((4, 2))
    with pytest.raises(RuntimeError, match=r"\.data assigned \(or changed in place"):
        y.backward(create_graph=create_graph)
    assert x.grad is None  # nothing half-accumulated
    x2, y2 = build(c)  # recomputed after the change: fine
    y2.backward()
    assert x2.grad is not None


@pytest.mark.parametrize("data", [2.0, np.ones(2)])
def test_a_leaf_that_turned_off_requires_grad_after_the_forward_gets_no_gradient(data):
    v, w = Value(data), Value(data)
    y = v.relu() + v * w
    v.requires_grad = False
    (y if type(data) is float else y.sum()).backward()
    assert v.grad is None
    np.testing.assert_array_equal(w.grad, data)


def test_broadcasting_sums_back_over_ranks_and_size_one_axes():
    a = Value(np.ones((2, 1, 3)))
    b = Value(np.ones((4, 1)))
    c = Value(2.0)
    y = (a * b * c).sum()
    y.backward()
    assert a.grad.shape == (2, 1, 3) and np.all(a.grad == 8.0)
    assert b.grad.shape == (4, 1) and np.all(b.grad == 12.0)
    assert type(c.grad) is float and c.grad == 24.0


def test_leaf_gradient_from_broadcast_is_writeable():
    w = Value(np.ones((3, 2)))
    w.sum().backward()
    w.grad *= 2
    assert np.all(w.grad == 2)


def test_each_leaf_owns_its_gradient_array():
    # add hands the same gradient to both inputs, and grad= belongs to the caller:
    # each leaf still gets an array of its own, so changing one in place (gradient
    # clipping does) changes nothing else.
    a, b = Value(np.ones(3)), Value(np.ones(3))
    seed = np.ones(3)
    (a + b).backward(seed)
    assert a.grad is not b.grad and a.grad is not seed and b.grad is not seed
    a.grad *= 0.5
    assert np.all(b.grad == 1.0) and np.all(seed == 1.0)
    w = Value(np.ones((2, 3)))
    (w.reshape(6) * 2.0).sum().backward()  # reshape's gradient is a view
    assert w.grad.base is None and np.all(w.grad == 2.0)


def test_gradients_add_up_into_a_new_array_so_a_kept_grad_never_changes():
    w = Value(np.ones(3))
    (w * 2.0).sum().backward()
    (w * 3.0).sum().backward()
    assert np.all(w.grad == 5.0)
    kept = w.grad  # the caller holds the array: the next backward must not change it
    (w * 4.0).sum().backward()
    assert np.all(kept == 5.0) and np.all(w.grad == 9.0)
    # Where one input feeds several nodes, the gradients meet and add up correctly.
    x = Value(np.arange(3.0))
    (x * 2.0 + x * 3.0 + x.exp()).sum().backward()
    np.testing.assert_allclose(x.grad, 5.0 + np.exp(np.arange(3.0)))


def test_a_running_total_shared_by_two_inputs_is_not_added_to_in_place():
    # add hands one gradient array to both its inputs. Here backward goes through
    # that sum first (it is in the second operand), then reaches a and b again through
    # the first operand: each of those sums must be a new array, or adding to one
    # input's total would change the other's with it.
    a, b = Value(np.ones(3)), Value(np.ones(3))
    h = (a + b) * 1.0  # the product's gradient is a new, writeable array
    out = (b * 2.0 + a * 3.0) + h
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, np.full(3, 4.0))
    np.testing.assert_array_equal(b.grad, np.full(3, 3.0))


def test_gradients_leaves_grad_untouched_and_recording_gives_second_order():
    x = Value(0.3)
    y = x.sin() * x
    (gx,) = ag.gradients(y, [x], create_graph=True)
    assert x.grad is None
    assert gx.data == pytest.approx(np.cos(0.3) * 0.3 + np.sin(0.3))
    gx.backward()
    assert x.grad == pytest.approx(2 * np.cos(0.3) - 0.3 * np.sin(0.3))


def test_backward_create_graph_gives_differentiable_grad():
    x = Value(np.array([0.5, -1.0]))
    (x**3).sum().backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Value)
    x.zero_grad()
    g.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * x.data)


def test_gradients_errors():
    x = Value(1.0, requires_grad=False)
    y = Value(2.0)
    with pytest.raises(ValueError, match="requires_grad=False"):
        ag.gradients(y * x, [x])
    z = Value(3.0)
    assert ag.gradients(y * 2, [y, z]) == [2.0, 0.0]


def test_a_passthrough_rule_hands_the_gradient_on_at_every_level():
    # The ready-made rule of a derivative of 1, at both levels and to second order.
    shift = ag.Primitive("shift_for_test", lambda x, c: x + c)  # not registered in OPS
    shift.defvjp(ag.passthrough, None)
    s = Value(2.0)
    (shift(s, 3.0) * s).backward()  # d/ds (s + 3) s = 2s + 3
    assert s.grad == 7.0
    x = Value(np.array([1.0, 2.0], dtype=np.float32))
    y = (shift(x, 1.0) * x).sum()
    (gx,) = ag.gradients(y, [x], create_graph=True)  # a Value: 2x + 1
    assert np.array_equal(gx.data, [3.0, 5.0]) and gx.dtype == np.float32
    gx.sum().backward()
    assert np.array_equal(x.grad, [2.0, 2.0])
    assert ag.passthrough(7.0, None, 1.0, 2.0) == 7.0


def test_product_rules_give_what_calling_them_gives_at_every_level():
    # times_y and times_x serve any primitive, and a recording backward calls them on
    # Values (second order).
    scale = ag.Primitive("scale_for_test", lambda x, y: x * y)  # not registered in OPS
    scale.defvjp(ag.times_y, ag.times_x)
    a, b = Value(3.0), Value(-2.0)
    scale(a, b).backward()
    assert (a.grad, b.grad) == (-2.0, 3.0)
    x = Value(np.array([1.0, 2.0], dtype=np.float32))
    y = scale(x, x * x).sum()  # x^3
    (gx,) = ag.gradients(y, [x], create_graph=True)  # 3x^2, a Value
    assert np.array_equal(gx.data, [3.0, 12.0]) and gx.dtype == np.float32
    gx.sum().backward()
    assert np.array_equal(x.grad, [6.0, 12.0])  # 6x
    assert ag.times_y(2.0, None, 3.0, 5.0) == 10.0 and ag.times_x(2.0, None, 3.0, 5.0) == 6.0


def test_data_assigned_before_a_node_is_used_but_after_one_is_refused_there():
    w, x = Value(2.0), Value(3.0)
    old = w * x
    w.data = 5.0  # after `old` was computed from w, before `new`
    new = w * x
    new.backward()
    assert (w.grad, x.grad) == (3.0, 5.0)
    with pytest.raises(RuntimeError, match=r"'mul' node .*\.data assigned"):
        old.backward()
    h = w * x  # an inner node's own data assigned: the nodes above it are fine, but its
    h.data = 1.0  # own rules would read the new data as their output: refused there
    with pytest.raises(RuntimeError, match=r"'mul' node .*own \.data assigned"):
        (h * 4.0).backward()


def test_the_backward_order_puts_every_node_before_its_inputs():
    # Random graphs with shared subexpressions, constants and leaves used many times:
    # the order holds each node reachable from the root once, before its inputs.
    for seed in range(20):
        rng = np.random.default_rng(seed)
        nodes = [Value(float(v)) for v in rng.normal(size=4)]
        for _ in range(60):
            i, j = rng.integers(0, len(nodes), 2)
            a, b = nodes[i], nodes[j] if rng.random() < 0.8 else 2.0  # b: a constant at times
            nodes.append(a * b if rng.random() < 0.5 else b + a)
        root = nodes[-1]
        for v in nodes[-10:-1]:
            root = root + v
        order = ag.backprop.toposort(root)
        place = {id(v): k for k, v in enumerate(order)}
        reachable, stack = {id(root)}, [root]
        while stack:
            for p in stack.pop().parents:
                if id(p) not in reachable:
                    reachable.add(id(p))
                    stack.append(p)
        assert len(place) == len(order) and set(place) == reachable and order[0] is root
        for v in order:
            for p in v.parents:
                assert place[id(p)] > place[id(v)]


def test_an_interrupted_backward_changes_no_gradient_and_leaves_the_graph_usable():
    interrupts = [False, True]  # popped from the end: the first call interrupts

    def rule(g: Any, out: Any, x: Any) -> Any:
        if interrupts.pop():
            raise KeyboardInterrupt
        return g * 2.0

    twice = ag.Primitive("test_twice", lambda x: x * 2.0)
    twice.defvjp(rule)
    a = Value(2.0)
    y = twice(a * 3.0) + a
    with pytest.raises(KeyboardInterrupt):
        y.backward(retain_graph=True)
    assert a.grad is None  # the leaf had not been reached yet: no partial gradient
    y.backward()  # the graph is still usable
    assert a.grad == 7.0


def test_the_seed_of_a_one_element_output_reaches_leaves_as_their_own_array():
    # The seed of a one-element output is made once per shape and dtype (read-only);
    # a leaf it reaches unchanged still gets a writable array of its own.
    x = Value(np.array([2.0], dtype=np.float32))
    (x + 0.0).backward()  # add's rule hands the seed itself on to x
    z = Value(np.array([7.0], dtype=np.float32))
    z.backward()  # z is the output and a leaf: its .grad is the seed, copied
    for leaf in (x, z):
        assert leaf.grad.flags.writeable and leaf.grad.dtype == np.float32
        leaf.grad[0] = 5.0  # changing one leaf's gradient in place touches nothing else
    assert x.grad[0] == 5.0 and z.grad[0] == 5.0
    w = Value(np.array([1.0], dtype=np.float32))
    (w * 3.0).backward()
    assert w.grad[0] == 3.0  # the shared seed is still 1


def test_requires_grad_is_changed_on_leaves_only():
    w = Value(2.0)
    w.requires_grad = False
    c = w * 3.0
    assert not c.requires_grad and c.is_leaf  # computed from constants: a constant
    w.requires_grad = True
    z = w * 3.0
    assert z.requires_grad and not z.is_leaf
    z.requires_grad = True  # it has it already: nothing changes
    with pytest.raises(RuntimeError, match=r"only a leaf's flag .* 'mul'; use \.detach\(\)"):
        z.requires_grad = False
    c.requires_grad = True  # a constant is a leaf: it may start to require a gradient
    (c * 2.0).backward()
    assert c.grad == 2.0 and w.grad is None


def test_copies_keep_the_layout_of_their_nodes():
    # The layout markers survive copy and pickle: a copied leaf has no inputs, and a
    # copied graph backpropagates like the original.
    import copy
    import pickle

    from autograd.node import inputs_of

    a = Value(2.0, name="a")
    y = (a * 3.0).relu() + a.exp()
    clone = copy.deepcopy(y)
    (relu_node, exp_node) = clone.parents
    (leaf,) = exp_node.parents
    assert leaf.is_leaf and inputs_of(leaf) == () and relu_node.parents[0].parents == (leaf,)
    clone.backward()
    assert leaf.grad == pytest.approx(3.0 + np.exp(2.0)) and a.grad is None
    w = pickle.loads(pickle.dumps(Value(np.ones(2), name="w")))
    c = pickle.loads(pickle.dumps(Value(1.0, requires_grad=False)))
    assert inputs_of(w) == () and w.requires_grad and not c.requires_grad
    (w * 2.0).sum().backward()
    assert np.array_equal(w.grad, [2.0, 2.0])


def test_a_gradient_has_the_type_of_its_nodes_data():
    # A Python float gradient reaching numpy data becomes a numpy scalar of its dtype,
    # whether it is the grad= given to backward or what a rule of floats gave.
    w = Value(np.float64(1.5))
    s = Value(2.0)
    y = w * s
    (y * 3.0).backward(grad=1.0, inner_grads=True)
    assert type(w.grad) is np.float64 and w.grad == 6.0
    assert type(y.grad) is np.float64 and y.grad == 3.0
    assert type(s.grad) is float and s.grad == 4.5


def test_backward_with_a_value_as_grad_leaves_arrays_without_create_graph() -> None:
    x = Value(np.ones(3))
    (x * 2).backward(Value(np.arange(3.0)))
    assert type(x.grad) is np.ndarray
    np.testing.assert_array_equal(x.grad, [0.0, 2.0, 4.0])


def test_gradients_returns_an_array_of_its_own_for_each_input() -> None:
    x, y = Value(np.ones(3)), Value(np.ones(3))
    given = np.arange(3.0)
    gx, gy = ag.gradients(x + y, [x, y], grad_output=given)
    assert gx is not gy and not np.shares_memory(gx, given)
    gx, gy = ag.gradients((x + y).sum(), [x, y])
    gx += 1
    np.testing.assert_array_equal(gy, np.ones(3))


def test_a_released_node_lets_go_of_what_its_forward_saved() -> None:
    from autograd.node import keywords_of

    z = Value(np.random.default_rng(0).standard_normal((5, 3)))
    loss = ag.softmax_cross_entropy(z, labels=np.array([0, 1, 2, 0, 1]))
    assert keywords_of(loss)["saved"] is not None
    loss.backward(retain_graph=True)  # kept for the second backward
    assert "saved" in keywords_of(loss)
    first = z.grad.copy()
    loss.backward()
    np.testing.assert_allclose(z.grad, 2 * first)
    assert "saved" not in keywords_of(loss)  # released: the exponentials are freed


def test_no_grad_restores_each_mode_when_entered_again() -> None:
    @ag.no_grad()
    def depth(n: int) -> bool:
        return depth(n - 1) if n else ag.is_grad_enabled()

    assert depth(2) is False and ag.is_grad_enabled()
    ng = ag.no_grad()
    with ng, ng:
        pass
    assert ag.is_grad_enabled()

    @ag.no_grad  # without parentheses, as PyTorch allows
    def doubled(x: Value) -> Value:
        return x * 2

    assert not doubled(Value(1.0)).requires_grad and ag.is_grad_enabled()


@pytest.mark.parametrize(
    "define, error, message",
    [
        (
            lambda p: None,
            NotImplementedError,
            "primitive 'bad' has no gradient rule; give it one with bad.defvjp",
        ),
        (
            lambda p: p.defvjp(lambda g, out, x, y: g * y),
            IndexError,
            "defvjp gave 1 rules for the node's 2",
        ),
        (
            lambda p: p.defvjp(lambda g, out, x, y: g * y, None),
            TypeError,
            "defvjp gave None for an input",
        ),
        (
            lambda p: p.defvjp(lambda g, out, x, y: None, lambda g, out, x, y: g),
            AttributeError,
            "'bad' node raised AttributeError: .* written with the engine's operations",
        ),
    ],
)
def test_a_badly_defined_primitive_is_named_in_backward(
    define: Any, error: type[Exception], message: str
) -> None:
    bad = ag.Primitive("bad", lambda x, y: x * y)
    define(bad)
    x, y = Value(np.ones(3)), Value(np.ones(3))
    with pytest.raises(error, match=message) as info:
        bad(x, y).sum().backward()
    assert type(info.value) is error


def test_an_exception_of_another_type_from_a_rule_keeps_its_type_and_fields() -> None:
    class RuleError(TypeError):
        def __init__(self, message: str, code: int) -> None:
            super().__init__(message)
            self.code = code

    def rule(g: Any, out: Any, x: Any) -> Any:
        raise RuleError("mine", 7)

    bad = ag.Primitive("bad", lambda x: x * 2)
    bad.defvjp(rule)
    with pytest.raises(RuleError) as info:
        bad(Value(np.ones(3))).sum().backward()
    assert info.value.code == 7
