"""Make the shared test helpers importable from every test folder, and run CUDA kernels under
Numba's CUDA simulator unless told otherwise: on a machine with a GPU, run
``NUMBA_ENABLE_CUDASIM=0 python -m pytest tests/codegen`` to test them compiled for real."""

import os
import sys
from pathlib import Path

# numba.cuda reads these when it is first imported, which is after this file runs
os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")
os.environ.setdefault("NUMBA_CUDA_LOW_OCCUPANCY_WARNINGS", "0")  # tiny test grids are on purpose
if "numba" in sys.modules:  # pytest imported numba already, for the NumbaWarning filter in pyproject
    sys.modules["numba"].core.config.reload_config()

sys.path.insert(0, str(Path(__file__).resolve().parent))
