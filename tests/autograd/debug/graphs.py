"""Graphs that the tests of the debugging tools draw and explain."""

from __future__ import annotations

from autograd import Value


def micrograd_expression() -> dict[str, Value]:
    """a=2, b=-3, c=10, e=a*b, d=e+c, f=-2, L=d*f (the classic hand-worked example)."""
    a, b, c = Value(2.0, name="a"), Value(-3.0, name="b"), Value(10.0, name="c")
    e = a * b
    e.name = "e"
    d = e + c
    d.name = "d"
    f = Value(-2.0, name="f")
    L = d * f
    L.name = "L"
    return {"a": a, "b": b, "c": c, "e": e, "d": d, "f": f, "L": L}
