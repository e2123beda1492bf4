"""derive: symbolic backpropagation for lecture networks and real ones.

Data flows one way: spec -> derivation -> {renderers, checker, codegen}.

In a notebook: ``d = derive.load("net.yaml")`` (or a YAML string, or a dict), then ``d``,
``d.chain("w5")``, ``d.worked_example()`` and ``d.figure()`` display themselves (docs/api.md).
"""

__version__ = "0.1.0"

__all__ = ["load", "Derivation", "ChainView", "SectionView", "FigureView", "InputError", "__version__"]


def __getattr__(name: str):
    """The API on first use (PEP 562), so that ``import derive`` and the command line stay quick."""
    if name == "InputError":
        from .errors import InputError

        return InputError
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'derive' has no attribute {name!r}")
