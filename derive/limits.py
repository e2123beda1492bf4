"""Every limit on user input, in one place.

Each limit is checked *before* the work that would exceed it, and a violation is one InputError
(``derive: error: FILE:LINE: … (limit: N)``, exit 2). The README's section on bad input lists them.

=========================  ===========  =============================================================
limit                      value        what it bounds
=========================  ===========  =============================================================
MAX_INPUT_BYTES            1,000,000    a spec or claims file, read before parsing
MAX_YAML_DEPTH             64           nesting of YAML lists and mappings (checked on the event stream,
                                        with the length of the lists layers, examples and inputs)
MAX_YAML_NODES             200,000      YAML nodes after aliases are expanded (billion laughs)
MAX_SCALAR_CHARS           100,000      one YAML scalar (a description, a name, a formula)
MAX_NUMBER_CHARS           100          a YAML number as written (Python refuses ints > 4,300 digits)
MAX_LAYERS                 64           layers in a network
MAX_UNITS                  100,000      units in one layer, and inputs
MAX_PARAMETERS             100,000,000  weights and biases in all (the kernels' arrays: 800 MB in float64)
MAX_DERIVED_PARAMETERS     300,000      weights and biases of a net that derive NET or derive check
                                        derives (--json prints ~120 bytes for each; codegen and train
                                        take up to MAX_PARAMETERS)
MAX_SOFTMAX_UNITS          1,000        units of a softmax output (its Jacobian is units²)
MAX_HYPERPARAMETER         1,000,000    |a hyperparameter| (a log base of 1e308 reaches NumPy as an integer)
MAX_EXAMPLES               10,000       examples in a spec
MAX_TRAIN_WORK             10**8        train.steps × examples × parameters
MAX_TRAIN_STEPS            10,000       train.steps (a step costs ~0.4 ms even for a tiny net)
MAX_FORMULA_CHARS          4,000        a formula (custom activation or loss, a claim)
MAX_FORMULA_DEPTH          40           brackets nested in a formula
MAX_FORMULA_NODES          5,000        SymPy nodes a formula builds (20 nested max() would be 2**20)
MAX_EXP_NESTING            3            exp, sinh or cosh nested in one another (exp(exp(exp(exp(x)))))
MAX_FUNCTION_NESTING       4            functions nested (tanh(log(1+exp(x))) is 3; SymPy's simplify of
                                        log(…) nested 6 deep takes 10 s, 10 deep minutes)
MAX_MINMAX_NESTING         2            max and min nested (clip: min(max(x, 0), 1)); SymPy folds deeper
                                        ones for seconds per level
MAX_LITERAL_DIGITS         30           digits of a number in a formula
MAX_EXPONENT               64           a constant exponent in a formula (x^64)
MAX_INTEGER_BITS           4,096        an integer a formula computes (2^64^... is refused earlier)
EVAL_TIME_S                2.0          evaluating one claimed formula (a worker process, any thread)
EVAL_MEMORY_MB             1,024        memory of that worker (RLIMIT_AS above its start)
MAX_CLAIMS                 500          claims in a claims file
MAX_QUANTITY_CHARS         200          a claim's ``about:``
=========================  ===========  =============================================================
"""

from __future__ import annotations

from collections.abc import Callable

MAX_INPUT_BYTES = 1_000_000
MAX_YAML_DEPTH = 64
MAX_YAML_NODES = 200_000
MAX_SCALAR_CHARS = 100_000
MAX_NUMBER_CHARS = 100
MAX_LAYERS = 64
MAX_UNITS = 100_000
MAX_PARAMETERS = 100_000_000
MAX_DERIVED_PARAMETERS = 300_000
MAX_SOFTMAX_UNITS = 1_000
MAX_EXAMPLES = 10_000
MAX_HYPERPARAMETER = 1_000_000
MAX_TRAIN_STEPS = 10_000
MAX_TRAIN_WORK = 10**8
MAX_FORMULA_CHARS = 4_000
MAX_FORMULA_DEPTH = 40
MAX_FORMULA_NODES = 5_000
MAX_EXP_NESTING = 3
MAX_MINMAX_NESTING = 2
MAX_FUNCTION_NESTING = 4
MAX_LITERAL_DIGITS = 30
MAX_EXPONENT = 64
MAX_INTEGER_BITS = 4_096
EVAL_TIME_S = 2.0
EVAL_MEMORY_MB = 1_024
MAX_CLAIMS = 500
MAX_QUANTITY_CHARS = 200


def over(what: str, value: int | float, limit: int | float) -> str:
    """The message for a limit exceeded: ``what is VALUE; at most LIMIT``."""
    return f"{what} is {value:,}; at most {limit:,} (a limit of derive, see the README's 'Bad input')"


def check_derivable(parameters: int, source: str) -> None:
    """``derive NET`` and ``derive check`` refuse networks above MAX_DERIVED_PARAMETERS (their
    output grows with every weight); codegen and training take up to MAX_PARAMETERS."""
    if parameters > MAX_DERIVED_PARAMETERS:
        from .errors import InputError

        raise InputError(over("the number of weights and biases to derive", parameters, MAX_DERIVED_PARAMETERS)
                         + "; derive codegen and derive train take larger networks", source)


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def check_network_size(doc: dict, fail: Callable[[tuple, str], Exception]) -> None:
    """The size limits of a network description, on its raw YAML data, before anything is built.

    ``fail(path, message)`` makes the located error. Values of the wrong type are left to the
    typed reader that comes after.
    """
    inputs = doc.get("inputs")
    n_inputs = _count(inputs) if not isinstance(inputs, list) else len(inputs)
    if n_inputs is not None and n_inputs > MAX_UNITS:
        raise fail(("inputs",), over("the number of inputs", n_inputs, MAX_UNITS))
    layers = doc.get("layers")
    layers = layers if isinstance(layers, list) else []
    if len(layers) > MAX_LAYERS:
        raise fail(("layers",), over("the number of layers", len(layers), MAX_LAYERS))
    sizes = [n_inputs]
    for i, layer in enumerate(layers):
        units = _count(layer.get("units")) if isinstance(layer, dict) else None
        if units is not None and units > MAX_UNITS:
            raise fail(("layers", i, "units"), over(f"layer {i + 1} units", units, MAX_UNITS))
        sizes.append(units)
    if layers and isinstance(layers[-1], dict) and layers[-1].get("activation") == "softmax" and \
            sizes[-1] is not None and sizes[-1] > MAX_SOFTMAX_UNITS:
        raise fail(("layers", len(layers) - 1, "units"), over("a softmax layer's units", sizes[-1], MAX_SOFTMAX_UNITS))
    parameters = None
    if sizes and all(s is not None for s in sizes):
        parameters = sum(n * (m + 1) for m, n in zip(sizes, sizes[1:]))
        if parameters > MAX_PARAMETERS:
            raise fail(("layers",), over("the number of weights and biases", parameters, MAX_PARAMETERS))
    examples = doc.get("examples")
    n_examples = len(examples) if isinstance(examples, list) else 1
    if n_examples > MAX_EXAMPLES:
        raise fail(("examples",), over("the number of examples", n_examples, MAX_EXAMPLES))
    train = doc.get("train")
    steps = _count(train.get("steps")) if isinstance(train, dict) else None
    if steps is not None:
        if steps > MAX_TRAIN_STEPS:
            raise fail(("train", "steps"), over("train.steps", steps, MAX_TRAIN_STEPS))
        work = steps * n_examples * (parameters or 1)
        if work > MAX_TRAIN_WORK:
            raise fail(("train", "steps"), over("train.steps × examples × parameters", work, MAX_TRAIN_WORK))
