"""derive: symbolic backpropagation for lecture networks and real ones.

Data flows one way: spec -> derivation -> {renderers, checker, codegen}.

In a notebook: ``d = derive.load("net.yaml")`` (or a YAML string, or a dict), then ``d``,
``d.chain("w5")``, ``d.worked_example()`` and ``d.figure()`` display themselves (docs/api.md).
"""

__version__ = "0.1.0"

from .api import ChainView, Derivation, FigureView, SectionView, load  # noqa: E402  (the notebook API)
from .errors import InputError  # noqa: E402

__all__ = ["load", "Derivation", "ChainView", "SectionView", "FigureView", "InputError", "__version__"]
