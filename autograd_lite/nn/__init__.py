"""Neural networks on the engine, in the course's layout (examples are columns).

- :class:`Module`, :class:`Parameter`: parameters, gradients, ``state_dict``, ``save``/``load``.
- :class:`Dense`, :class:`Sequential`, :class:`MLP`: layers and the course's L-layer network
  (parameters "W1", "b1", ..., "WL", "bL"); ``model.summary(m)`` prints the dimension table.
- Costs: :func:`binary_cross_entropy`, :func:`binary_cross_entropy_with_logits`,
  :func:`squared_error`, :func:`cross_entropy`.
- :func:`fit`: the training loop, with a progress bar.
- :func:`load_model`: rebuild a saved Dense / Sequential / MLP from its file.

Written with the public API only, as a user would write it.
"""

from autograd_lite.nn.fit import LOSSES, fit
from autograd_lite.nn.init import INITS, initialize_weights
from autograd_lite.nn.layers import ACTIVATIONS, MLP, Dense, Sequential, load_model
from autograd_lite.nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    squared_error,
)
from autograd_lite.nn.module import Module, Parameter, StateDictError
from autograd_lite.nn.serialization import ModelFileError

__all__ = [
    "ACTIVATIONS", "INITS", "LOSSES",
    "Module", "Parameter", "Dense", "Sequential", "MLP",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "squared_error",
    "cross_entropy",
    "fit", "initialize_weights", "load_model",
    "StateDictError", "ModelFileError",
]
