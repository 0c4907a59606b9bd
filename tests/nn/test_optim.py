"""Tests for nn.optim: SGD and Adam against closed-form sequences, state, binding, schedules."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Value
from nn import optim, schedules

RNG = np.random.default_rng(0)
STEPS = 5
SHAPE = (3, 2)


def _grads(n: int = STEPS) -> list[np.ndarray]:
    return [RNG.normal(size=SHAPE) for _ in range(n)]


def _run(
    opt_factory: Any, p0: np.ndarray, grads: list[np.ndarray], dtype: Any = np.float64
) -> list[np.ndarray]:
    """Feed the given gradients to an optimizer; the parameter after each step."""
    p = nn.Parameter(p0, dtype=dtype)
    opt = opt_factory([p])
    out = []
    for g in grads:
        p.grad = g.astype(dtype)
        opt.step()
        out.append(p.data.copy())
    return out


def _sgd_reference(
    p0: np.ndarray,
    grads: list[np.ndarray],
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
) -> list[np.ndarray]:
    """PyTorch's SGD, written out from its documentation."""
    p, b, out = p0.copy(), None, []
    for grad in grads:
        g = grad + weight_decay * p
        if momentum:
            b = g.copy() if b is None else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        p = p - lr * g
        out.append(p)
    return out


SGD_CASES = [
    {},
    {"momentum": 0.9},
    {"momentum": 0.9, "nesterov": True},
    {"momentum": 0.8, "dampening": 0.3},
    {"weight_decay": 0.1},
    {"momentum": 0.9, "weight_decay": 0.05, "nesterov": True},
    {"momentum": 0.5, "dampening": 0.5, "weight_decay": 0.2},
]


@pytest.mark.parametrize("kw", SGD_CASES, ids=[str(k) for k in SGD_CASES])
def test_sgd_matches_closed_form(kw: dict[str, Any]) -> None:
    p0, grads = RNG.normal(size=SHAPE), _grads()
    got = _run(lambda ps: nn.SGD(ps, lr=0.1, **kw), p0, grads)
    want = _sgd_reference(p0, grads, 0.1, **kw)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_sgd_momentum_first_steps_by_hand() -> None:
    # p0 = 1, g = 1 each step, lr 0.1, momentum 0.9: b = 1, 1.9, 2.71; p = 0.9, 0.71, 0.439
    got = _run(lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9), np.ones(1), [np.ones(1)] * 3)
    np.testing.assert_allclose(np.concatenate(got), [0.9, 0.71, 0.439], rtol=1e-12)


def test_sgd_equals_keras_rule_at_constant_lr() -> None:
    p0, grads = RNG.normal(size=SHAPE), _grads()
    lr, m = 0.05, 0.9
    for nesterov in (False, True):
        got = _run(lambda ps, n=nesterov: nn.SGD(ps, lr=lr, momentum=m, nesterov=n), p0, grads)
        p, v = p0.copy(), np.zeros(SHAPE)
        for g, mine in zip(grads, got):
            v = m * v - lr * g
            p = p + m * v - lr * g if nesterov else p + v
            np.testing.assert_allclose(mine, p, rtol=1e-10, atol=1e-12)


def _adam_reference(
    p0: np.ndarray,
    grads: list[np.ndarray],
    lr: float,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> list[np.ndarray]:
    """Adam as in REFERENCE.md (PyTorch's rule)."""
    p, m, v, out = p0.copy(), np.zeros_like(p0), np.zeros_like(p0), []
    for t, grad in enumerate(grads, start=1):
        g = grad + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(p)
    return out


ADAM_CASES = [
    {},
    {"betas": (0.8, 0.99)},
    {"weight_decay": 0.1},
    {"eps": 1e-3, "betas": (0.5, 0.9)},
]


@pytest.mark.parametrize("kw", ADAM_CASES, ids=[str(k) for k in ADAM_CASES])
def test_adam_matches_closed_form(kw: dict[str, Any]) -> None:
    p0, grads = RNG.normal(size=SHAPE), _grads(8)
    got = _run(lambda ps: nn.Adam(ps, lr=0.01, **kw), p0, grads)
    ref_kw = {k: v for k, v in kw.items() if k != "betas"}
    b1, b2 = kw.get("betas", (0.9, 0.999))
    want = _adam_reference(p0, grads, 0.01, b1, b2, **ref_kw)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


def test_adam_first_step_moves_each_weight_by_lr() -> None:
    # t = 1: m_hat = g and v_hat = g^2, so the step is lr * sign(g) (up to eps).
    got = _run(lambda ps: nn.Adam(ps, lr=0.01), np.zeros(3), [np.array([3.0, -0.5, 1e-3])])
    np.testing.assert_allclose(got[0], [-0.01, 0.01, -0.01], rtol=1e-4)


def test_adam_counts_steps_per_parameter() -> None:
    a, b = nn.Parameter(np.zeros(2), dtype=np.float64), nn.Parameter(np.zeros(2), dtype=np.float64)
    opt = nn.Adam([a, b], lr=0.1)
    g = np.array([1.0, -2.0])
    a.grad = g
    opt.step()  # b has no gradient: skipped, its step count stays 0
    a.grad, b.grad = g, g
    opt.step()
    np.testing.assert_allclose(b.data, _adam_reference(np.zeros(2), [g], 0.1)[0])
    np.testing.assert_allclose(a.data, _adam_reference(np.zeros(2), [g, g], 0.1)[1])
    states = opt.state_dict()["state"]
    assert states[0]["step"] == 2 and states[1]["step"] == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True),
        lambda ps: nn.Adam(ps, lr=0.01, weight_decay=0.01),
    ],
    ids=["sgd", "adam"],
)
def test_float32_stays_float32_and_matches_float64_closely(make: Any) -> None:
    p0, grads = RNG.normal(size=SHAPE), _grads()
    got32 = _run(make, p0, grads, dtype=np.float32)
    got64 = _run(make, p0, grads, dtype=np.float64)
    for a, b in zip(got32, got64):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_step_updates_in_place_and_builds_no_graph() -> None:
    p = nn.Parameter(np.ones(3))
    array = p.data
    opt = nn.SGD([p], lr=0.5)
    p.grad = np.ones(3, np.float32)
    opt.step()
    assert p.data is array and np.all(array == 0.5)
    assert p.is_leaf and p.op == ""


@pytest.mark.parametrize(
    "make", [lambda ps: nn.SGD(ps, lr=0.1), lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9)]
)
def test_scalar_values_are_updated_too(make: Any) -> None:
    # A micrograd-style parameter holds a Python float: it is replaced, not changed in place.
    p, q = Value(2.0), Value(3.0)
    (p * q).backward()
    make([p, q]).step()
    assert (p.data, q.data) == pytest.approx((2.0 - 0.1 * 3.0, 3.0 - 0.1 * 2.0))
    assert type(p.data) is float


def test_step_invalidates_graphs_built_before_it() -> None:
    p = nn.Parameter(np.ones(2))
    loss = (p * p).sum()
    p.grad = np.ones(2, np.float32)
    nn.SGD([p], lr=0.1).step()
    with pytest.raises(RuntimeError, match="changed in place, as an optimizer step does"):
        loss.backward()


def test_parameters_without_gradient_are_skipped() -> None:
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    a.grad = np.ones(2, np.float32)
    nn.SGD([a, b], lr=0.1, momentum=0.9).step()
    assert np.all(b.data == 1) and np.all(a.data == 0.9)


def test_zero_grad_forgets_gradients() -> None:
    ps = [nn.Parameter(np.ones(2)) for _ in range(2)]
    for p in ps:
        p.grad = np.ones(2, np.float32)
    opt = nn.Adam(ps)
    opt.zero_grad()
    assert all(p.grad is None for p in ps)


# --- binding -----------------------------------------------------------------------------------


def test_optimizer_without_params_binds_later() -> None:
    opt = nn.SGD(lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match=r"SGD.step: the optimizer has no parameters"):
        opt.step()
    p = nn.Parameter(np.ones(2))
    assert opt.bind([p]) is opt and opt.params == [p]
    q = nn.Parameter(np.ones(1))
    opt.add_params([q, p])  # p is not added twice
    assert opt.params == [p, q]
    p.grad = np.ones(2, np.float32)
    opt.step()
    assert np.allclose(p.data, 0.9)


def test_empty_parameter_list_raises_at_step_with_a_hint() -> None:
    model = nn.Sequential(nn.Dense(3), nn.Dense(1))  # unbuilt: no parameters yet
    opt = nn.Adam(model.parameters())
    with pytest.raises(ValueError, match=r"no parameters.*Dense without input_dim"):
        opt.step()


def test_binding_a_lazy_module_picks_up_parameters_once_built() -> None:
    model = nn.Sequential(nn.Dense(3, activation="relu"), nn.Dense(1))
    opt = nn.SGD(lr=0.1).bind(model)
    assert opt.params == []
    x = np.ones((4, 2), np.float32)
    loss = nn.MSELoss()(model(x), np.zeros((4, 1)))
    opt.zero_grad()
    loss.backward()
    opt.step()
    assert len(opt.params) == 4
    kernel = model[0].kernel
    before = kernel.data.copy()
    loss = nn.MSELoss()(model(x), np.ones((4, 1)))
    opt.zero_grad()
    loss.backward()
    opt.step()
    assert not np.array_equal(before, kernel.data)


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="single Value"):
        nn.SGD(nn.Parameter(np.ones(1)))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"params\[0\] is a ndarray"):
        nn.SGD([np.ones(2)])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="nesterov needs momentum > 0 and dampening = 0"):
        nn.SGD(lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="nesterov"):
        nn.SGD(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)
    with pytest.raises(ValueError, match="lr must be a finite number >= 0"):
        nn.SGD(lr=-1.0)
    with pytest.raises(ValueError, match="betas"):
        nn.Adam(betas=(1.0, 0.9))
    with pytest.raises(TypeError, match="not both"):
        nn.Adam(lr=0.1, learning_rate=0.2)


def test_defaults_and_keras_names() -> None:
    assert nn.SGD().lr == 0.01
    assert nn.Adam().lr == 1e-3
    opt = nn.SGD(learning_rate=0.05)
    assert opt.lr == 0.05 and opt.learning_rate == 0.05
    opt.learning_rate = 0.2
    assert opt.lr == 0.2
    assert "SGD(lr=0.2, momentum=0.0" in repr(opt)


# --- state -------------------------------------------------------------------------------------


def _train_steps(model: nn.Module, opt: nn.Optimizer, batches: list[Any]) -> list[float]:
    losses = []
    for x, y in batches:
        loss = nn.CrossEntropyLoss()(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
        lambda ps: nn.Adam(ps, lr=0.01),
    ],
    ids=["sgd", "adam"],
)
def test_optimizer_state_round_trip_resumes_identically(make: Any) -> None:
    batches = [
        (RNG.normal(size=(8, 4)).astype(np.float32), RNG.integers(0, 3, size=8)) for _ in range(6)
    ]

    def fresh() -> nn.Module:
        nn.manual_seed(0)
        return nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))

    # One uninterrupted run of six steps.
    model = fresh()
    full = _train_steps(model, make(model.parameters()), batches)
    # Three steps, save, restore into new objects, three more.
    first = fresh()
    opt = make(first.parameters())
    _train_steps(first, opt, batches[:3])
    weights, state = first.state_dict(), opt.state_dict()
    _train_steps(first, opt, batches[3:4])  # later changes must not leak into the saved state
    resumed = fresh()
    resumed.load_state_dict(weights)
    opt2 = make(resumed.parameters())
    opt2.load_state_dict(state)
    rest = _train_steps(resumed, opt2, batches[3:])
    np.testing.assert_array_equal(rest, full[3:])
    for a, b in zip(model.parameters(), resumed.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_load_state_dict_checks() -> None:
    p = nn.Parameter(np.ones(2))
    sgd = nn.SGD([p], lr=0.1, momentum=0.9)
    p.grad = np.ones(2, np.float32)
    sgd.step()
    state = sgd.state_dict()
    with pytest.raises(ValueError, match="from a SGD optimizer"):
        nn.Adam([p]).load_state_dict(state)
    with pytest.raises(ValueError, match="the state has 1 parameters, this optimizer has 2"):
        nn.SGD([p, nn.Parameter(np.ones(1))], momentum=0.9).load_state_dict(state)
    with pytest.raises(ValueError, match=r"'momentum_buffer' has shape \(2,\).*\(3,\)"):
        nn.SGD([nn.Parameter(np.ones(3))], momentum=0.9).load_state_dict(state)
    other = nn.SGD([p], lr=0.5)
    other.load_state_dict(state)
    assert other.lr == 0.1 and other.momentum == 0.9


# --- schedules ---------------------------------------------------------------------------------


def test_schedule_formulas() -> None:
    s = nn.StepDecay(0.1, step_size=3, gamma=0.5)
    assert [s.lr_at(e) for e in range(7)] == pytest.approx([0.1] * 3 + [0.05] * 3 + [0.025])
    e = nn.ExponentialDecay(1.0, decay_rate=0.9)
    assert e.lr_at(3) == pytest.approx(0.729)
    stair = nn.ExponentialDecay(1.0, decay_rate=0.5, decay_epochs=2, staircase=True)
    assert [stair.lr_at(k) for k in range(5)] == pytest.approx([1, 1, 0.5, 0.5, 0.25])
    smooth = nn.ExponentialDecay(1.0, decay_rate=0.5, decay_epochs=2)
    assert smooth.lr_at(1) == pytest.approx(math.sqrt(0.5))
    c = nn.CosineDecay(0.1, total_epochs=10, min_lr=0.01)
    assert c.lr_at(0) == pytest.approx(0.1)
    assert c.lr_at(5) == pytest.approx(0.055)
    assert c.lr_at(10) == pytest.approx(0.01) and c.lr_at(50) == pytest.approx(0.01)
    assert c(5) == c.lr_at(5)
    with pytest.raises(ValueError):
        nn.StepDecay(0.1, step_size=0)
    with pytest.raises(ValueError):
        nn.CosineDecay(0.1, total_epochs=0)


def test_optimizer_consults_its_schedule_each_epoch() -> None:
    p = nn.Parameter(np.zeros(1), dtype=np.float64)
    sched = nn.StepDecay(1.0, step_size=1, gamma=0.5)
    opt = nn.SGD([p], lr=sched)
    assert opt.schedule is sched and opt.lr == 1.0
    moves = []
    for _ in range(3):  # epochs
        for _ in range(2):  # batches
            before = p.data.copy()
            p.grad = np.ones(1)
            opt.step()
            moves.append(float(before[0] - p.data[0]))
        sched.step()
    assert moves == pytest.approx([1, 1, 0.5, 0.5, 0.25, 0.25])
    opt.set_epoch(0)
    assert opt.lr == 1.0
    opt.lr = 0.3  # a number replaces the schedule
    assert opt.schedule is None and opt.lr == 0.3


def test_schedule_position_is_saved_with_the_optimizer() -> None:
    p = nn.Parameter(np.zeros(1))
    opt = nn.Adam([p], lr=nn.CosineDecay(0.1, total_epochs=4))
    opt.schedule.step()  # type: ignore[union-attr]
    opt.schedule.step()  # type: ignore[union-attr]
    state = opt.state_dict()
    other = nn.Adam([p], lr=nn.CosineDecay(0.1, total_epochs=4))
    other.load_state_dict(state)
    assert other.lr == pytest.approx(0.05)


def test_parameter_value_gradients_as_values_are_accepted() -> None:
    p = nn.Parameter(np.ones(2))
    p.grad = Value(np.ones(2, np.float32))  # what create_graph=True leaves behind
    nn.SGD([p], lr=0.5).step()
    np.testing.assert_allclose(p.data, 0.5)


def test_step_replaces_a_read_only_parameter_array_with_its_own() -> None:
    p = nn.Parameter(np.ones(3))
    frozen = np.full(3, 2.0, dtype=np.float32)
    frozen.flags.writeable = False
    p.data = frozen  # the user's array, which the step may not write into
    p.grad = np.ones(3, dtype=np.float32)
    nn.SGD([p], lr=0.5).step()
    np.testing.assert_array_equal(p.data, [1.5, 1.5, 1.5])
    np.testing.assert_array_equal(frozen, [2.0, 2.0, 2.0])
    assert p.data.dtype == np.float32 and p.data.flags.writeable
    assert p.data.ctypes.data % nn.memory.CACHE_LINE == 0


# --- optimizers made before lazily built layers build ---------------------------------


class _HalfLazy(nn.Module):
    """A PyTorch-style model with a Keras layer that builds at its first call."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 8)
        self.out = nn.Dense(2)

    def forward(self, x: Any) -> Any:
        return self.out(self.fc(x).relu())


@pytest.mark.parametrize("make", [nn.SGD, nn.Adam])
def test_an_optimizer_given_parameters_before_a_lazy_layer_builds_updates_it(make: Any) -> None:
    nn.manual_seed(0)
    net = _HalfLazy()
    params = net.parameters()
    assert isinstance(params, nn.module.UnbuiltParameters) and len(params) == 2
    opt = make(params, lr=0.1)
    x = np.random.default_rng(0).standard_normal((5, 4))
    y = np.array([0, 1, 0, 1, 1])
    for _ in range(2):
        opt.zero_grad()
        nn.CrossEntropyLoss()(net(x), y).backward()
        if _ == 0:
            kernel = net.out.kernel.data.copy()
        opt.step()
    assert [id(p) for p in opt.params] == [id(p) for p in net.parameters()]
    assert not np.array_equal(net.out.kernel.data, kernel)
    # Built now: a plain list, and the optimizer no longer re-reads the module.
    assert type(net.parameters()) is list


def test_an_optimizer_follows_every_lazy_module_in_the_modules_own_order() -> None:
    extra = nn.Parameter(np.ones(3))
    first = nn.Sequential(nn.Dense(4), nn.Linear(4, 2))
    second = nn.Sequential(nn.Dense(5))
    opt = nn.SGD([extra], lr=0.1).add_params(first.parameters())
    opt.add_params(second.parameters())
    first(np.ones((1, 3)))
    second(np.ones((1, 2)))
    expected = [*first.parameters(), *second.parameters(), extra]
    assert [id(p) for p in opt.params] == [id(p) for p in expected]


def test_a_state_saved_before_a_lazy_build_loads_onto_the_same_parameters_after() -> None:
    def model() -> nn.Sequential:
        nn.manual_seed(0)
        return nn.Sequential(nn.Dense(4), nn.Dense(4, input_dim=4))

    early = model()
    before = nn.Adam(early.parameters(), lr=0.1)  # made before the first Dense builds
    x = np.ones((2, 3))
    for _ in range(2):
        before.zero_grad()
        (early(x) ** 2).sum().backward()
        before.step()
    late = model()
    late(x)
    after = nn.Adam(late.parameters(), lr=0.1)  # made after
    after.load_state_dict(before.state_dict())
    for p, q, s, t in zip(before.params, after.params, before._state, after._state):
        assert p.shape == q.shape
        np.testing.assert_array_equal(s["exp_avg"], t["exp_avg"])


def test_zero_grad_set_to_none_false_zeroes_in_place() -> None:
    p = nn.Parameter(np.ones(3))
    q = nn.Parameter(np.ones(2))
    opt = nn.SGD([p, q], lr=0.1)
    (p * 2).sum().backward()
    g = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is g and np.array_equal(g, np.zeros(3))
    assert q.grad is None  # no gradient yet: stays None, as in PyTorch
    opt.zero_grad()
    assert p.grad is None


def test_state_dict_keeps_the_rate_a_schedule_had_reached() -> None:
    p = nn.Parameter(np.ones(3))
    opt = nn.SGD([p], lr=nn.StepDecay(0.1, step_size=1, gamma=0.5), momentum=0.9)
    for _ in range(3):
        opt.schedule.step()
    assert opt.lr == pytest.approx(0.0125)
    plain = nn.SGD([p], lr=0.01, momentum=0.9)
    plain.load_state_dict(opt.state_dict())  # no schedule here: the rate in use, as PyTorch
    assert plain.lr == pytest.approx(0.0125) and plain.schedule is None
    again = nn.SGD([p], lr=nn.StepDecay(0.1, step_size=1, gamma=0.5), momentum=0.9)
    again.load_state_dict(opt.state_dict())  # the same schedule: its position
    assert again.schedule is not None and again.schedule.epoch == 3
    assert again.lr == pytest.approx(0.0125)


def test_schedules_are_importable_from_nn_optim() -> None:
    for name in schedules.__all__:
        assert getattr(optim, name) is getattr(schedules, name)
    for name in optim.__all__:
        assert getattr(optim, name) is not None
