"""Tools that read a computation graph to help debug it.

- `pictures`: `draw_graph` (alias `draw_dot`), the graph as a graphviz picture, built
  from `walk` (which nodes), `style` (what each shows), `dot` (record labels), `text`
  (numbers and names) and `render` (graphviz, files, a missing `dot`).
- `explain`: `explain_backward`, the backward pass replayed as a worked example.

The entry points are also `autograd.draw_graph`, `autograd.draw_dot` and
`autograd.explain_backward`.
"""
