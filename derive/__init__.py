"""derive: symbolic backpropagation for lecture networks and real ones.

Data flows one way: spec -> derivation -> {renderers, checker, codegen}.
"""

__version__ = "0.1.0"
