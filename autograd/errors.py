"""Every error message of the engine's core, built in one place.

Each message names the operation, the argument and the shapes involved, so that
an error deep in a model says which line of the user's model failed and why.
Numpy's own messages (a ufunc's loop signature) name neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.convert import shape_of
from autograd.node import Node


class GraphReleasedError(RuntimeError):
    """Backward through a graph whose first backward did not retain it."""


def kind_of(x: Any) -> str:
    """What an operand is, for messages: 'a Value of shape (2, 3) (float64)', 'a str'."""
    if isinstance(x, Node):
        d = x._data
        dtype = np.dtype(np.float64) if type(d) is float else d.dtype
        return f"a Value of shape {shape_of(d)} ({dtype})"
    if isinstance(x, np.ndarray | np.generic):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    if type(x) is float:
        return "a float"
    return f"a {type(x).__name__}"


def shapes_text(args: Sequence[Any]) -> str:
    """The shapes of the array-like arguments, as '(2, 3) and (3,)'."""
    shaped = (Node, np.ndarray, np.generic, float)
    return " and ".join(str(shape_of(a)) for a in args if isinstance(a, shaped))


def value_error_text(op: Any, datas: Sequence[Any], kw: dict[str, Any], exc: Exception) -> str:
    """The message of a ValueError raised by `op`'s forward: the op's own words when it
    has a `format_error`, else the op's name, the shapes and numpy's message."""
    if op.format_error is not None:
        return str(op.format_error(*datas, **kw))
    return f"{op.name}: shapes {shapes_text(datas)}: {exc}"


def _is_axis(axis: Any) -> bool:
    """Whether `axis` has the type of a reduction's axis (None, an int, ints in a tuple)."""
    ints = int | np.integer
    if axis is None or isinstance(axis, ints):
        return True
    return isinstance(axis, tuple) and all(isinstance(a, ints) for a in axis)


def type_error_text(op: Any, datas: Sequence[Any], kw: dict[str, Any], exc: Exception) -> str:
    """The message of a TypeError raised by `op`'s forward. A message that already
    starts with the op's name is kept as it is."""
    text = str(exc)
    if text.startswith(f"{op.name}:"):
        return text
    shapes = shapes_text(datas) or "(none)"
    inputs = f"input shape{'s' if ' and ' in shapes else ''} {shapes}"
    if "axis" in kw and not _is_axis(kw["axis"]):
        axis = kw["axis"]
        return (
            f"{op.name}: axis must be None, an int or a tuple of ints, got {axis!r} "
            f"({type(axis).__name__}); {inputs}"
        )
    kinds = ", ".join(kind_of(d) for d in datas)
    given = "".join(f", {k}={v!r}" for k, v in kw.items() if k != "saved")
    return f"{op.name}: cannot compute this from {kinds} ({inputs}{given}): {exc}"


def complex_operand_error(op: Any, value: Node, other: Any) -> TypeError:
    return TypeError(
        f"{op.name}: the operand {other!r} ({type(other).__name__}) would make the result "
        f"complex, with {kind_of(value)}; the engine differentiates real numbers only "
        "(keep a complex quantity as two real Values, its real and imaginary parts)"
    )


def operands_error(op: Any, first: Any, second: Any, exc: Exception) -> TypeError:
    return TypeError(f"{op.name}: cannot combine {kind_of(first)} and {kind_of(second)}: {exc}")


def changed_error(node: Node, changed: Node) -> RuntimeError:
    """An input's data changed after `node` was computed from it."""
    op = node._op.name if node._op is not None else ""
    return RuntimeError(
        f"backward: an input of this '{op}' node (shape {shape_of(changed)}) had its "
        ".data assigned (or changed in place, as an optimizer step does) after the "
        "node was computed, so the gradients through this node would be wrong; "
        "recompute the forward pass after changing data"
    )


def output_changed_error(node: Node) -> RuntimeError:
    """A node's own data changed after it was computed (its rules read its output)."""
    return RuntimeError(
        f"backward: this '{node._op.name}' node (shape {shape_of(node)}) had its own .data "
        "assigned (or changed in place) after it was computed, so the gradients through "
        "it would be wrong; recompute the forward pass after changing data"
    )


def released_error(node: Node) -> GraphReleasedError:
    return GraphReleasedError(
        f"backward: the graph through this '{node._op.name}' node was already used by a "
        "backward pass and released; pass retain_graph=True to the first backward "
        "to backpropagate through it again"
    )


def no_rule_error(op: Any) -> NotImplementedError:
    return NotImplementedError(
        f"backward: the primitive '{op.name}' has no gradient rule; give it "
        f"one with {op.name}.defvjp(...) (or defvjp_all)"
    )


def misfit_error(node: Node, i: int, target: Node, exc: Exception) -> Exception:
    """A rule's gradient for input i cannot be fitted to that input's shape or dtype."""
    kind = TypeError if isinstance(exc, TypeError) else ValueError
    return kind(
        f"backward: the gradient rule of this '{node._op.name}' node gave its input {i} "
        f"(shape {shape_of(target)}) a gradient that does not fit it: {exc}"
    )


def rule_error_text(node: Node, exc: BaseException) -> str:
    """Python's own words from inside a gradient rule, with the node named and what a
    rule must be."""
    op = node._op
    rules = op.vjps
    n = len(node._inputs)
    if rules is not None and len(rules) < n:
        hint = f"defvjp gave {len(rules)} rules for the node's {n} inputs"
    elif rules is not None and None in rules:
        hint = "defvjp gave None for an input that needs a gradient"
    elif not op.builtin:
        hint = (
            "each rule given to defvjp is a function of (g, out, *inputs) that returns the "
            "gradient of its input, written with the engine's operations (autograd.cos, not "
            "np.cos) so that create_graph can record it"
        )
    else:
        hint = "an error inside the engine's own rule: please report it"
    return (
        f"backward: the gradient rule of this '{op.name}' node raised "
        f"{type(exc).__name__}: {exc} ({hint})"
    )


def complex_gradient_error(gdtype: Any, dtype: Any) -> TypeError:
    return TypeError(
        f"a complex gradient ({gdtype}) for real data ({dtype}): a complex "
        "constant entered the graph at this node, and the engine differentiates "
        "real numbers only"
    )


def seed_complex_error(who: str, root: Node) -> TypeError:
    op = root._op.name if root._op is not None else ""
    return TypeError(
        f"{who}: the output is complex ({root._data!r}), computed by '{op}' from a "
        "complex constant; the engine differentiates real numbers only"
    )


def seed_not_scalar_error(who: str, shape: tuple[int, ...]) -> ValueError:
    return ValueError(
        f"{who}: output has shape {shape}; backward without a gradient works "
        "only for a scalar output, so pass grad= (an array of that shape) or "
        "reduce the output first (for example .sum() or .mean())"
    )
