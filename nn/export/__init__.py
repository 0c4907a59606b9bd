"""Moving models out: weights PyTorch loads, and graphs any ONNX runtime runs.

- `nn.export.torch_layout`: the correspondence between our state dict and PyTorch's for
  the same architecture (its keys, and a Linear's weight as (out, in)).
- `nn.export.safetensors_weights`: ``.safetensors`` files in that layout, which
  ``model.save_weights`` and ``model.load_weights`` write and read for a path with that
  suffix (registered here, below).
- `nn.export.onnx_graph`: ``model.export(path, format="onnx")`` for chains of layers.

The file formats' packages (safetensors, onnx) are imported when first used, so ``import
nn`` needs neither; they come with the ``interop`` extra.
"""

from nn.export import onnx_graph, safetensors_weights, torch_layout
from nn.state_dict import WeightsFormat, register_weights_format

__all__ = ["onnx_graph", "safetensors_weights", "torch_layout"]

register_weights_format(
    ".safetensors", WeightsFormat(safetensors_weights.save, safetensors_weights.load)
)
