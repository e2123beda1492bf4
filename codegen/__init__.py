"""Code generation: Numba training kernels from a network's derivation, through Jinja2 templates."""
