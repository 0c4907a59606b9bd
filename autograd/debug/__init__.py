"""Tools that read a computation graph to help debug it.

- `pictures`: `draw_graph` (alias `draw_dot`), the graph as a graphviz picture, built
  from `walk` (which nodes), `style` (what each shows), `dot` (record labels), `text`
  (numbers and names), `layout` (which way a picture runs, how wide it gets) and `render`
  (graphviz, files, Jupyter, a missing `dot`).
- `explain`: `explain_backward`, the backward pass replayed as a worked example.
- `notebook`: how a Value and a worked backward pass show themselves in Jupyter.

The entry points are also `autograd.draw_graph`, `autograd.draw_dot` and
`autograd.explain_backward`.
"""

# First: one clear ImportError when HIPS autograd shares the environment (autograd.install).
from autograd import install as _install  # noqa: F401
