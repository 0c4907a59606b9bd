"""Inputs that are not numbers, shared by the layer and loss tests: each case is
(input, error type, what the message says after "<Module>: <argument> ")."""

from __future__ import annotations

from typing import Any

import numpy as np

NOT_NUMBERS: dict[str, tuple[Any, type[Exception], str]] = {
    "ragged": (
        [[1, 2, 3], [1]],
        ValueError,
        r"must be a rectangular array of numbers, got a ragged list: row 0 has 3 items, "
        r"row 1 has 1 item",
    ),
    "str": ("abc", TypeError, r"must be numbers, got str 'abc'"),
    "None": (None, TypeError, r"must be numbers, got None$"),
    "dict": ({"a": 1}, TypeError, r"must be numbers, got dict \{'a': 1\}"),
    "object-array": (
        np.array([[1, None, 2]], dtype=object),
        TypeError,
        r"must be numbers, got ndarray of dtype object and shape \(1, 3\) holding None at "
        r"flat position 1",
    ),
    "strings": (
        [["a", "b", "c"]],
        TypeError,
        r"must be numbers, got list of shape \(1, 3\) holding str 'a' at flat position 0",
    ),
}
