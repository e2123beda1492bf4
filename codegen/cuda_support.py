"""Whether the CUDA target can run here: numba-cuda installed, and an NVIDIA GPU or Numba's simulator."""

from __future__ import annotations

import numba

from derive.errors import InputError

INSTALL_HINT = 'pip install "derive[cuda]"'
WHERE = "--target cuda"


def require_cuda() -> str:
    """``"gpu"`` or ``"simulator"``; InputError (exit 2) when the CUDA target cannot run here."""
    try:
        from numba import cuda
    except ImportError as exc:
        raise InputError(f"the CUDA target needs numba-cuda and cuda-bindings ({INSTALL_HINT}): {exc}", WHERE) from None
    if not cuda.is_available():  # the simulator counts as available
        raise InputError("no CUDA GPU was found, and Numba's CUDA simulator is off: the CUDA target needs one "
                         "of them. Set NUMBA_ENABLE_CUDASIM=1 to generate the kernels and run them under the "
                         "simulator (slow: for testing only).", WHERE)
    return "simulator" if numba.config.ENABLE_CUDASIM else "gpu"
