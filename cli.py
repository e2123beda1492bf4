"""The ``derive`` command: ``derive NET.yaml [--latex|--json] [--standalone] [-o FILE]``.

Bad input is reported once, as ``derive: error: FILE:LINE: what was expected``, with exit code 2
and no traceback; nothing is written when anything fails.
"""

from __future__ import annotations

from pathlib import Path

import click

from derive.files import write_atomic


class DeriveGroup(click.Group):
    """``derive NET.yaml`` runs the derivation; ``derive SUBCOMMAND …`` runs a subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write("Usage: derive NET.yaml [--latex|--json] [--standalone] [-o FILE]\n"
                        "       derive COMMAND [ARGS]...\n")


def write_output(text: str, output: str | None) -> None:
    """Print, or write atomically so that nothing is half-written."""
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)


@click.group(cls=DeriveGroup, invoke_without_command=False,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="derive")
def main() -> None:
    """derive: chain-rule gradients of a network described in NET.yaml, as text, LaTeX or JSON.

    \b
    Examples:
      derive examples/lecture_111.yaml
      derive examples/office_hours_221.yaml --latex --standalone -o notes.tex
      derive examples/mlp_784.yaml --json
    """


@main.command("run")
@click.argument("net", type=click.Path(dir_okay=False))
@click.option("--latex", "fmt", flag_value="latex", help="LaTeX (amsmath) for lecture notes.")
@click.option("--json", "fmt", flag_value="json", help="Everything numeric and symbolic, as JSON.")
@click.option("--text", "fmt", flag_value="text", default=True, help="Readable Unicode text (default).")
@click.option("--standalone", is_flag=True, help="With --latex: a complete document.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of standard output.")
@click.option("--expand/--no-expand", default=None,
              help="Per-weight derivations on or off (default: on up to 64 parameters).")
def run(net: str, fmt: str, standalone: bool, output: str | None, expand: bool | None) -> None:
    """Derive every gradient of NET.yaml (the default command)."""
    from derive.render.json_out import render_json
    from derive.render.latex import render_latex
    from derive.render.layout import build_document
    from derive.render.text import render_text
    from derive.report import build_report
    from derive.spec import load_network

    network = load_network(net)
    report = build_report(network, expand=expand)
    if fmt == "json":
        text = render_json(report)
    elif fmt == "latex":
        text = render_latex(build_document(report), standalone=standalone)
    else:
        text = render_text(build_document(report))
    write_output(text, output)


@main.command("codegen")
@click.argument("nets", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", "directory", default=".", show_default=True,
              type=click.Path(file_okay=False), help="Folder to write the module(s) into.")
@click.option("--dtype", type=click.Choice(["float64", "float32"]), default="float64", show_default=True)
@click.option("--strategy", type=click.Choice(["auto", "unrolled", "layer"]), default="auto", show_default=True,
              help="unrolled: straight-line scalar code (small nets); layer: matrix products (any size).")
@click.option("--target", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True,
              help="cpu: numba.njit functions; cuda: numba.cuda kernels (needs derive[cuda] and a GPU "
                   "or NUMBA_ENABLE_CUDASIM=1).")
@click.option("--math", "math_mode", type=click.Choice(["fast", "libm"]), default="fast", show_default=True,
              help="fast: vectorisable exp/log/σ/tanh/softplus embedded in the module (CPU); libm: math.* calls.")
def codegen(nets: tuple[str, ...], directory: str, dtype: str, strategy: str, target: str,
            math_mode: str) -> None:
    """Write a Numba module of training kernels for each NET.yaml.

    \b
    Examples:
      derive codegen examples/lecture_111.yaml -o build/
      derive codegen examples/mlp_784.yaml --dtype float32 -o build/
      derive codegen examples/*.yaml -o generated/      (regenerates generated/)
      derive codegen examples/*.yaml --target cuda -o generated/
    """
    from derive.codegen.emit import generate, write_module
    from derive.spec import load_network

    if target == "cuda":
        from derive.codegen.cuda_support import require_cuda

        require_cuda()
    modules = [generate(load_network(net), dtype, strategy, target, math_mode) for net in nets]  # all or nothing
    Path(directory).mkdir(parents=True, exist_ok=True)  # only once every module was generated
    for module in modules:
        path = write_module(module, directory)
        click.echo(f"wrote {path} ({module.target}, {module.strategy}, {module.dtype})")


@main.command("check")
@click.argument("net", type=click.Path(dir_okay=False))
@click.argument("work", type=click.Path(dir_okay=False))
@click.option("--json", "fmt", flag_value="json", help="Every verdict as JSON.")
@click.option("--markdown", "fmt", flag_value="markdown", help="Feedback a teacher can hand back (Markdown).")
@click.option("--latex", "fmt", flag_value="latex", help="Feedback as a LaTeX itemize.")
@click.option("--text", "fmt", flag_value="text", default=True, help="A readable terminal report (default).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of standard output.")
def check(net: str, work: str, fmt: str, output: str | None) -> None:
    """Judge a student's claims (WORK.yaml) about NET.yaml, claim by claim.

    \b
    Exit code: 0 when every claim is right, 1 when some are not, 2 for bad input.
    Example:
      derive check examples/office_hours_221.yaml examples/homework/office_hours_221_work.yaml
    """
    from derive.check import render
    from derive.check.judge import check as judge
    from derive.spec import load_network

    result = judge(load_network(net), work)
    renderers = {"json": render.render_json, "markdown": render.render_markdown, "latex": render.render_latex,
                 "text": render.render_text}
    write_output(renderers[fmt](result), output)
    if not result.all_right:
        click.get_current_context().exit(1)


#: the console script (``derive = "derive.cli:entry"`` in pyproject.toml): click's standalone mode, which
#: prints an InputError as its one line with exit code 2, and a usage error with exit code 2
entry = main


if __name__ == "__main__":
    main()
