"""The ``derive`` command: ``derive NET.yaml [--latex|--json|--figure] [--standalone] [-o FILE]``.

Bad input is reported once, as ``derive: error: FILE:LINE: what was expected``, with exit code 2
and no traceback; nothing is written when anything fails.
"""

from __future__ import annotations

import difflib
import os
import warnings
from pathlib import Path

import click

from derive.errors import InputError
from derive.files import write_atomic, write_folder, write_output


class CommandError(InputError):
    """An unknown subcommand that is not a file either: ``derive: error: MESSAGE``, exit 2."""

    def format_message(self) -> str:
        return self.message


class DeriveGroup(click.Group):
    """``derive NET.yaml`` runs the derivation; ``derive SUBCOMMAND …`` runs a subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            self._refuse_unknown_command(args[0])
            args = ["run", *args]
        return super().parse_args(ctx, args)

    def _refuse_unknown_command(self, word: str) -> None:
        """A word that is neither a file nor a file name, close to a command: "did you mean"."""
        if os.path.exists(word) or "." in word or os.sep in word:
            return  # a spec (or a missing one, which the run command reports)
        close = difflib.get_close_matches(word, [c for c in self.commands if c != "run"], n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else \
            f"commands: {', '.join(sorted(self.commands))}; a network is a file NET.yaml"
        raise CommandError(f"no such command or file {word!r}; {hint}")

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write("Usage: derive NET.yaml [--latex|--json|--figure] [--standalone] [-o FILE]\n"
                        "       derive COMMAND [ARGS]...\n")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The options of ``derive NET.yaml`` (the run command) first, then the group's own."""
        run_command = self.commands["run"]
        rows = [r for p in run_command.get_params(ctx) if p.name != "help"
                if (r := p.get_help_record(ctx)) is not None]
        with formatter.section("Options of derive NET.yaml (derive run NET.yaml)"):
            formatter.write_dl(rows)
        super().format_options(ctx, formatter)


@click.group(cls=DeriveGroup, invoke_without_command=False,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="derive")
def main() -> None:
    """derive: chain-rule gradients of a network described in NET.yaml, as text, LaTeX or JSON.

    \b
    Examples:
      derive examples/lecture_111.yaml
      derive examples/office_hours_221.yaml --latex --standalone -o notes.tex
      derive examples/office_hours_221.yaml --figure --standalone -o net.tex
      derive examples/mlp_784.yaml --json
    """
    # overflow in a custom formula shows as inf or nan in the numbers, not as NumPy's warnings
    warnings.simplefilter("ignore", RuntimeWarning)


@main.command("run")
@click.argument("net", type=click.Path(dir_okay=False))
@click.option("--latex", "fmt", flag_value="latex", help="LaTeX (amsmath) for lecture notes.")
@click.option("--json", "fmt", flag_value="json", help="Everything numeric and symbolic, as JSON.")
@click.option("--text", "fmt", flag_value="text", default=True, help="Readable Unicode text (default).")
@click.option("--standalone", is_flag=True, help="With --latex: a complete document.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of standard output.")
@click.option("--expand/--no-expand", default=None,
              help="Per-weight derivations on or off (default: on up to 64 parameters).")
@click.option("--only", metavar="PARAMS",
              help="Show only these parameters' chains, numbers and steps: names or canonical ids, "
                   "comma-separated (w5,b1 or W2[0,0]).")
@click.option("--sections", metavar="LIST",
              help="Show only these sections, comma-separated: forward, local, deltas, chains, closed, "
                   "example, terms, update, after, layers, training (default: all). A leading ^ drops them instead "
                   "(^closed,layers).")
@click.option("--elide/--no-elide", default=None,
              help="\"and similarly for …\" for chains that differ only in indices "
                   "(default: on above 12 parameters).")
@click.option("--label-prefix", default="eq", show_default=True, metavar="PREFIX",
              help="With --latex: equations are labelled PREFIX:grad:w5, PREFIX:delta:delta3, ….")
@click.option("--figure", "figure_only", is_flag=True,
              help="Only the network's TikZ figure (a complete document with --standalone).")
@click.option("--figure-values", default="", metavar="LIST",
              help="Also on the figure, comma-separated: forward, deltas, updated.")
@click.option("--no-figure", is_flag=True, help="With --latex --standalone: leave the figure out.")
def run(net: str, fmt: str, standalone: bool, output: str | None, expand: bool | None, only: str | None,
        sections: str | None, elide: bool | None, label_prefix: str, figure_only: bool, figure_values: str,
        no_figure: bool) -> None:
    """Derive every gradient of NET.yaml (the default command)."""
    from derive.render.json_out import render_json
    from derive.render.latex import render_latex
    from derive.render.layout import build_document
    from derive.render.text import render_text
    from derive.render.view import make_view
    from derive.report import build_report
    from derive.spec import load_network

    from derive.render.figure import VALUES, render_figure

    values = tuple(v.strip() for v in figure_values.split(",") if v.strip())
    if set(values) - set(VALUES):
        raise click.BadParameter(f"expected some of {', '.join(VALUES)}", param_hint="--figure-values")
    network = load_network(net)
    if figure_only:
        write_output(render_figure(build_report(network, expand=False), values, standalone), output)
        return
    report = build_report(network, expand=expand)
    if fmt == "json":
        text = render_json(report)
    else:
        doc = build_document(report, make_view(report, net, only, sections, elide, label_prefix))
        if fmt == "latex":
            figure = None if no_figure or not standalone else render_figure(report, values)
            text = render_latex(doc, standalone, label_prefix, figure)
        else:
            text = render_text(doc)
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
    from derive.codegen.emit import generate
    from derive.spec import load_network

    if target == "cuda":
        from derive.codegen.cuda_support import require_cuda

        require_cuda()
    modules = [generate(load_network(net), dtype, strategy, target, math_mode) for net in nets]  # all or nothing
    names = [module.filename for module in modules]
    if len(set(names)) < len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise InputError(f"two networks would both be written to {twice}; give them different names", directory)
    # the folder is created, and every file checked, only once every module was generated
    files = {name: source for module in modules for name, source in module.support}  # shared kernels first
    files.update({module.filename: module.source for module in modules})
    paths = dict(zip(files, write_folder(files, directory)))
    for module in modules:
        shared = "".join(f", with {paths[name].name}" for name, _ in module.support)
        click.echo(f"wrote {paths[module.filename]} ({module.target}, {module.strategy}, {module.dtype}{shared})")


@main.command("check")
@click.argument("net", type=click.Path(dir_okay=False))
@click.argument("work", type=click.Path())
@click.option("--json", "fmt", flag_value="json", help="Every verdict as JSON.")
@click.option("--markdown", "fmt", flag_value="markdown", help="Feedback a teacher can hand back (Markdown).")
@click.option("--latex", "fmt", flag_value="latex", help="Feedback as a LaTeX itemize.")
@click.option("--text", "fmt", flag_value="text", default=True, help="A readable terminal report (default).")
@click.option("--feedback", type=click.Choice(["full", "hint", "verdict"]), default="full", show_default=True,
              help="full: the truth and the diagnosis; hint: which factor is wrong and what kind of mistake, "
                   "never the true value or formula; verdict: right or wrong only.")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="With a folder: judge its files in N processes.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False), help="Write the grade of every claim (CSV).")
@click.option("--gradescope", type=click.Path(dir_okay=False),
              help="Write Gradescope's autograder results.json (a folder: one per file, keyed by file).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of standard output.")
def check(net: str, work: str, fmt: str, feedback: str, jobs: int, csv_file: str | None, gradescope: str | None,
          output: str | None) -> None:
    """Judge a student's claims (WORK.yaml) about NET.yaml, claim by claim, or every claims file
    of a folder (a class summary: per claim how many got it right, per mistake how many made it).

    \b
    Exit code: 0 when every claim is right (a folder: every file was read), 1 otherwise, 2 for bad input.
    Examples:
      derive check examples/office_hours_221.yaml examples/homework/office_hours_221_work.yaml
      derive check examples/office_hours_221.yaml work.yaml --feedback hint
      derive check examples/office_hours_221.yaml submissions/ --jobs 2 --csv grades.csv
    """
    from derive.check import grade, render
    from derive.check.judge import Judge
    from derive.check.judge import check as judge
    from derive.spec import load_network

    network = load_network(net)
    if Path(work).is_dir():
        if fmt != "text":
            raise click.UsageError("with a folder, the report is the class summary (text); use --csv or "
                                   "--gradescope for the grades")
        Judge.require_numbers(network)
        grades = grade.grade_folder(network, work, jobs, feedback)
        text, failed = grade.summary(grades, network, work), any(g.error for g in grades)
    else:
        result = judge(network, work)
        renderers = {"json": render.render_json, "markdown": render.render_markdown,
                     "latex": render.render_latex, "text": render.render_text}
        text, failed = renderers[fmt](result, feedback), not result.all_right
        grades = [grade.grade_of(result, feedback)]
    if csv_file:
        write_atomic(csv_file, grade.grades_csv(grades))
    if gradescope:
        write_atomic(gradescope, grade.gradescope_json(grades))
    write_output(text, output)
    if failed:
        click.get_current_context().exit(1)


from derive.train.commands import evaluate, predict, train  # noqa: E402  (light: click only)

for _command in (train, evaluate, predict):
    main.add_command(_command)


#: the console script (``derive = "derive.cli:entry"`` in pyproject.toml): click's standalone mode, which
#: prints an InputError as its one line with exit code 2, and a usage error with exit code 2
entry = main


if __name__ == "__main__":
    main()
