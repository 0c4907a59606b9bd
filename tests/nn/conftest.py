"""Fixtures shared by the tests of nn."""

from __future__ import annotations

import numpy as np
import pytest

from nn.datasets import make_moons


@pytest.fixture(scope="module")
def moons() -> tuple[np.ndarray, np.ndarray]:
    return make_moons(400, noise=0.1, seed=0)
