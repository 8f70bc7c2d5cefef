"""Rendering a sheet: jinja2 templates in ``examprep/templates/`` for Typst, HTML, Markdown and LaTeX; PDF by
compiling the Typst source in-process with the ``typst`` package (no TeX install needed)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from examprep.errors import ExamprepError
from examprep.sheets.build import Sheet
from examprep.sheets.markup import problem_markup, text, typst_str
from examprep.words import plural

OUTPUT_FORMATS = ("pdf", "html", "md", "tex", "typ")
_TEMPLATE = {"typ": "sheet.typ.j2", "html": "sheet.html.j2", "md": "sheet.md.j2", "tex": "sheet.tex.j2"}
_SUFFIX = {"pdf": ".pdf", "html": ".html", "md": ".md", "tex": ".tex", "typ": ".typ"}


class SheetFormatError(ExamprepError):
    """An output format examprep cannot write, or a document that did not compile."""


def format_for(path: str | Path | None, fmt: str | None) -> str:
    """The output format: from ``--format`` and the path's extension (see :mod:`examprep.formats`; default pdf).

    An unknown extension (``-o out.docx``) or one that contradicts ``--format`` (``-f md -o z.pdf``) is refused.
    """
    from examprep.formats import resolve

    return resolve(path, fmt, OUTPUT_FORMATS, default="pdf",
                   aliases={"htm": "html", "markdown": "md", "typst": "typ", "latex": "tex"})


def suffix(fmt: str) -> str:
    return _SUFFIX[fmt]


@cache
def _env() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
                              autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def subtitle(sheet: Sheet) -> str:
    who = ""
    if sheet.student:
        who = f"for {sheet.student_name} ({sheet.student}) · " if sheet.student_name else f"for {sheet.student} · "
    kind = "problems and solutions" if sheet.solutions else "problems"
    return f"{who}{kind} · seed {sheet.seed} · {plural(len(sheet.problems), 'problem')}"


def context(sheets: list[Sheet], fmt: str, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """The template variables for one document holding one or more sheets (variants)."""
    docs = []
    for sh in sheets:
        probs = []
        for sp in sh.problems:
            probs.append(problem_markup(sp, fmt, sh.solutions))
            if progress:
                progress(1)
        docs.append({"title": text(sh.title, fmt), "subtitle": text(subtitle(sh), fmt), "problems": probs,
                     "title_lit": typst_str(sh.title)[1:], "subtitle_lit": typst_str(subtitle(sh))[1:],
                     "student": sh.student, "solutions": sh.solutions})
    return {"sheets": docs}


def source(sheets: list[Sheet] | Sheet, fmt: str, progress: Callable[[int], None] | None = None) -> str:
    """The document source (Typst, HTML, Markdown or LaTeX) of one or more sheets, one after the other."""
    sheets = [sheets] if isinstance(sheets, Sheet) else sheets
    if fmt == "pdf":
        fmt = "typ"
    ctx = context(sheets, fmt, progress)
    tpl = _env().get_template(_TEMPLATE[fmt])
    return tpl.render(**ctx)


def compile_pdf(typst_source: str) -> bytes:
    """Compile Typst source to PDF bytes in-process."""
    import typst

    try:
        return typst.compile(typst_source.encode("utf-8"))
    except Exception as e:  # typst raises its own error types with the compiler's diagnostics
        raise SheetFormatError(f"the sheet did not compile to PDF (a bug; use --format typ to see the source): "
                               f"{e}") from e


def render(sheets: list[Sheet] | Sheet, fmt: str, progress: Callable[[int], None] | None = None) -> bytes:
    """The finished document as bytes (PDF, or UTF-8 text for the other formats)."""
    src = source(sheets, fmt, progress)
    return compile_pdf(src) if fmt == "pdf" else src.encode("utf-8")


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write a file through a temporary one beside it, so a failed run leaves no half-written sheet."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
