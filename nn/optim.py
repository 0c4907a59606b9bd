"""Optimizers (SGD, Adam) with PyTorch's exact update rules.

An optimizer updates each parameter's ``.data`` in place with numpy, from its ``.grad``;
it never builds graph nodes, and it keeps each parameter's dtype (Python-float
hyperparameters do not promote float32 arrays). Parameters without a gradient are
skipped, as in PyTorch.

Late binding: ``SGD(lr=0.1)`` without parameters is valid; ``bind(params)`` (replace)
or ``add_params(params)`` (extend) supplies them later, which is what a Keras-style
``compile`` does. A Module, or its ``parameters()``, also works while the module still
has lazily built layers: the parameter list is refreshed at each ``step()``/``zero_grad()``
until the module reports ``built``, then frozen. ``step()`` with no parameters raises
ValueError.

The learning rate may be a number or a `Schedule` (`nn.schedules`, re-exported here):
with a schedule the optimizer reads ``schedule.lr_at(schedule.epoch)`` at every step;
advance it once per epoch with ``opt.schedule.step()`` (PyTorch's ``scheduler.step()``),
or set it with ``opt.set_epoch(e)`` (what a ``fit`` loop with ``initial_epoch`` does).
Assigning a number to ``opt.lr`` replaces any schedule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Value
from nn.arguments import nonnegative_float
from nn.memory import aligned_copy
from nn.module import Module, UnbuiltParameters
from nn.parameter import zero_grads
from nn.schedules import CosineDecay, ExponentialDecay, Schedule, StepDecay, lr_argument

__all__ = [
    "SGD",
    "Adam",
    "CosineDecay",
    "ExponentialDecay",
    "Optimizer",
    "Schedule",
    "StepDecay",
]


ParamsLike = Iterable[Value] | Module


class Optimizer:
    """Holds parameters, their per-parameter state and the learning rate (or schedule).

    Subclasses define ``_update(p, grad, state, lr)``, which changes ``p.data``.
    """

    def __init__(self, params: ParamsLike | None, lr: float | Schedule) -> None:
        self._params: list[Value] = []
        self._state: list[dict[str, Any]] = []
        self._following: list[Module] = []  # modules with lazy layers still to build
        self.schedule: Schedule | None = None
        self._lr = 0.0
        self.lr = lr
        if params is not None:
            self.bind(params)

    # --- learning rate ---------------------------------------------------------------
    @property
    def lr(self) -> float:
        """The learning rate used by the next step (the schedule's, if there is one)."""
        s = self.schedule
        return self._lr if s is None else s.lr_at(s.epoch)

    @lr.setter
    def lr(self, value: float | Schedule) -> None:
        if isinstance(value, Schedule):
            self.schedule = value
            self._lr = value.initial_lr
        else:
            self._lr = nonnegative_float(type(self).__name__, "lr", value)
            self.schedule = None

    # Keras' name for the same thing.
    learning_rate = lr

    def set_epoch(self, epoch: int) -> None:
        """Tell the schedule (if any) which epoch is starting."""
        if self.schedule is not None:
            self.schedule.epoch = int(epoch)

    # --- parameters --------------------------------------------------------------------
    def bind(self, params: ParamsLike) -> Optimizer:
        """Use these parameters (a Module or an iterable of Values), dropping any state;
        returns self."""
        self._params, self._state, self._following = [], [], []
        return self.add_params(params)

    def add_params(self, params: ParamsLike) -> Optimizer:
        """Add parameters (a parameter already held is not added twice); returns self.

        A module, or the `parameters()` of one, whose lazily built layers have not built
        yet is followed: the parameters those layers create are added when they appear.
        """
        if isinstance(params, Module):
            params = params.parameters()
        if isinstance(params, Value):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of Parameters or a "
                "Module, got a single Value (wrap it in a list)"
            )
        if isinstance(params, UnbuiltParameters) and params.module not in self._following:
            self._following.append(params.module)
        held = {id(p) for p in self._params}
        for i, p in enumerate(params):
            if not isinstance(p, Value):
                raise TypeError(
                    f"{type(self).__name__}: params[{i}] is a {type(p).__name__}, not a Parameter"
                )
            if id(p) not in held:
                held.add(id(p))
                self._params.append(p)
                self._state.append({})
        return self

    def _refresh(self) -> None:
        """Take up the parameters that the followed modules' lazy layers have made since,
        keeping the state of those already held, and stop following a module once built.

        The order is each followed module's own (`parameters()`), then any other
        parameter held: the order an optimizer made after the build has, so that a
        state saved from one loads onto the same parameters in the other."""
        if not self._following:
            return
        old = {id(p): st for p, st in zip(self._params, self._state)}
        mine: list[Value] = []
        seen: set[int] = set()
        still = []
        for module in self._following:
            params = module.parameters()
            for p in params:
                if id(p) not in seen:
                    seen.add(id(p))
                    mine.append(p)
            if isinstance(params, UnbuiltParameters):
                still.append(module)
        self._params = [*mine, *(p for p in self._params if id(p) not in seen)]
        self._state = [old.get(id(p), {}) for p in self._params]
        self._following = still

    @property
    def params(self) -> list[Value]:
        """The parameters this optimizer updates (a copy of its list)."""
        self._refresh()
        return list(self._params)

    # --- the step ----------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient: ``.grad`` becomes None (PyTorch's default),
        or with ``set_to_none=False`` an existing gradient is filled with zeros."""
        self._refresh()
        if set_to_none:  # the common case spelled out: it runs every step
            for p in self._params:
                p.grad = None
        else:
            zero_grads(self._params, False)

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        self._refresh()
        if not self._params:
            raise ValueError(
                f"{type(self).__name__}.step: the optimizer has no parameters; pass "
                "model.parameters() when creating it or call bind(...) first (a model whose "
                "layers build at their first call, such as Dense without input_dim, has no "
                "parameters until it has seen a batch)"
            )
        lr = self.lr
        for p, state in zip(self._params, self._state):
            g = p.grad
            if g is None:
                continue
            if type(g) is not np.ndarray:  # a float, or a Value recorded with create_graph
                g = np.asarray(g.data if isinstance(g, Value) else g)
            delta = self._update(p, g, state, lr)
            # p.data -= delta, in place when the array allows it (no new allocation, and
            # the dtype is kept); `data_changed` (or assigning .data) tells the engine
            # the value changed, so a graph computed before the step refuses to
            # backpropagate. Written here, not in a helper: this runs for every
            # parameter of every step.
            d = p.data
            if type(d) is not np.ndarray:  # a float: nothing to change in place
                p.data = float(d - delta)
                continue
            try:
                d -= delta
            except ValueError:  # a read-only array (e.g. one the user assigned): replace it
                p.data = aligned_copy(d - delta, d.dtype)  # (on a cache line: nn.memory)
                continue
            p.data_changed()

    def _update(self, p: Value, grad: np.ndarray, state: dict[str, Any], lr: float) -> Any:
        """The amount to subtract from parameter `p` this step, given its gradient,
        its state (a dict this method may fill) and the learning rate."""
        raise NotImplementedError

    # --- saving and resuming -----------------------------------------------------------
    def _hyperparams(self) -> dict[str, Any]:
        return {}

    def state_dict(self) -> dict[str, Any]:
        """Hyperparameters, the schedule's position and a copy of each parameter's state
        (listed in parameter order)."""
        self._refresh()
        state = [
            {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items()}
            for s in self._state
        ]
        return {
            "type": type(self).__name__,
            "lr": self.lr,  # the rate in use (the schedule's now, if there is one)
            "hyperparams": self._hyperparams(),
            "schedule": None if self.schedule is None else self.schedule.state_dict(),
            "state": state,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what `state_dict` returned, for the same parameters in the same order.

        Everything is checked before anything changes: mismatches raise ValueError, and
        so do settings the constructor refuses (with the constructor's message).
        """
        self._refresh()
        who = f"{type(self).__name__}.load_state_dict"
        kind = state_dict.get("type")
        if kind != type(self).__name__:
            raise ValueError(f"{who}: the state is from a {kind} optimizer")
        states = state_dict["state"]
        if len(states) != len(self._params):
            raise ValueError(
                f"{who}: the state has {len(states)} parameters, this optimizer has "
                f"{len(self._params)}"
            )
        new_states = []
        for i, (p, s) in enumerate(zip(self._params, states)):
            restored: dict[str, Any] = {}
            for key, v in s.items():
                if isinstance(v, np.ndarray):
                    if v.shape != p.shape:
                        raise ValueError(
                            f"{who}: parameter {i}: {key!r} has shape {v.shape}, the "
                            f"parameter has shape {p.shape}"
                        )
                    v = np.array(v, dtype=p.dtype)
                restored[key] = v
            new_states.append(restored)
        known = self._hyperparams()  # only this optimizer's own settings, nothing else
        saved = {k: v for k, v in state_dict.get("hyperparams", {}).items() if k in known}
        lr = nonnegative_float(type(self).__name__, "lr", state_dict.get("lr", self._lr))
        self._configure(**{**known, **saved})  # checks them all before setting any
        self._state = new_states
        sched = state_dict.get("schedule")
        if self.schedule is None:  # the saved rate in use, as PyTorch's state keeps it
            self._lr = lr
        elif sched is not None:
            self.schedule.load_state_dict(sched)

    def _configure(self, **settings: Any) -> None:
        """Set the settings `_hyperparams` lists; the constructor and `load_state_dict`
        call it. Subclasses check them all first (ValueError) and set none if one fails."""
        for key, value in settings.items():
            setattr(self, key, value)

    def __repr__(self) -> str:
        parts = [f"lr={self.schedule!r}" if self.schedule else f"lr={self._lr:g}"]
        parts += [f"{k}={v!r}" for k, v in self._hyperparams().items()]
        return f"{type(self).__name__}({', '.join(parts)}, params={len(self._params)})"


class SGD(Optimizer):
    """Stochastic gradient descent with PyTorch's rule (momentum, dampening, Nesterov,
    weight decay).

        g = grad + weight_decay * p
        if momentum:  b = g on the first step, else b = momentum * b + (1 - dampening) * g
                      g = g + momentum * b  if nesterov  else  b
        p = p - lr * g

    With a constant learning rate this equals Keras' ``v = momentum v - lr g; p += v``.
    Nesterov needs momentum > 0 and dampening 0.
    """

    def __init__(
        self,
        params: ParamsLike | None = None,
        lr: float | Schedule | None = None,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        learning_rate: float | Schedule | None = None,
    ) -> None:
        self._configure(momentum, dampening, weight_decay, nesterov)
        super().__init__(params, lr_argument("SGD", lr, learning_rate, 0.01))

    def _configure(  # type: ignore[override]
        self, momentum: Any, dampening: Any, weight_decay: Any, nesterov: Any
    ) -> None:
        m = nonnegative_float("SGD", "momentum", momentum)
        wd = nonnegative_float("SGD", "weight_decay", weight_decay)
        d, n = float(dampening), bool(nesterov)
        if n and (m <= 0 or d != 0):
            raise ValueError("SGD: nesterov needs momentum > 0 and dampening = 0")
        self.momentum, self.dampening, self.weight_decay, self.nesterov = m, d, wd, n

    def _hyperparams(self) -> dict[str, Any]:
        return {
            "momentum": self.momentum,
            "dampening": self.dampening,
            "weight_decay": self.weight_decay,
            "nesterov": self.nesterov,
        }

    def _update(self, p: Value, grad: np.ndarray, state: dict[str, Any], lr: float) -> Any:
        if not (self.momentum or self.weight_decay):  # plain SGD: p -= lr * g
            return lr * grad
        g = grad
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        m = self.momentum
        if m:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = np.array(g, copy=True)  # PyTorch: the first buffer is the gradient
                state["momentum_buffer"] = buf
            else:
                buf *= m
                buf += (1.0 - self.dampening) * g
            g = g + m * buf if self.nesterov else buf
        return lr * g


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015) with PyTorch's rule; t counts this parameter's steps.

    g = grad + weight_decay * p
    m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2
    p = p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
    """

    def __init__(
        self,
        params: ParamsLike | None = None,
        lr: float | Schedule | None = None,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        *,
        learning_rate: float | Schedule | None = None,
    ) -> None:
        self._configure(betas, eps, weight_decay)
        super().__init__(params, lr_argument("Adam", lr, learning_rate, 1e-3))

    def _configure(self, betas: Any, eps: Any, weight_decay: Any) -> None:  # type: ignore[override]
        b1, b2 = (float(b) for b in betas)
        if not (0.0 <= b1 < 1.0 and 0.0 <= b2 < 1.0):
            raise ValueError(f"Adam: betas must lie in [0, 1), got {tuple(betas)}")
        e = nonnegative_float("Adam", "eps", eps)
        wd = nonnegative_float("Adam", "weight_decay", weight_decay)
        self.betas, self.eps, self.weight_decay = (b1, b2), e, wd

    def _hyperparams(self) -> dict[str, Any]:
        return {"betas": self.betas, "eps": self.eps, "weight_decay": self.weight_decay}

    def _update(self, p: Value, grad: np.ndarray, state: dict[str, Any], lr: float) -> Any:
        b1, b2 = self.betas
        g = grad
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_avg_sq"] = np.zeros_like(p.data)
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= b1
        m += (1.0 - b1) * g
        v *= b2
        v += (1.0 - b2) * (g * g)
        # PyTorch's arrangement: (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps).
        bias1 = 1.0 - b1**t
        bias2 = 1.0 - b2**t
        denom = np.sqrt(v)
        denom /= math.sqrt(bias2)
        denom += self.eps
        return (lr / bias1) * m / denom
