"""openpyxl (write-only) against XlsxWriter (constant-memory) for the same workbook (issue 15).

    .venv/bin/python benchmarks/xlsx_writers.py --sizes 1000,3000

For each size, our exporter runs once untimed and every row it appends is captured
(``run._capture_workbook``: values, types and style objects), with each sheet's settings
(widths, row heights, panes, print set-up, validations, conditional formats, filters). The
captured workbook is then written twice, each timed alone in a fresh process:

* ``openpyxl``: openpyxl's write-only mode, cell objects styled attribute by attribute
  (``run.step_xlsx_base``, the floor our exporter is measured against);
* ``xlsxwriter``: XlsxWriter with ``constant_memory`` on, one ``Format`` per distinct style
  (font, fill, border, alignment, number format, quote prefix), the same validations,
  conditional formats and print set-up.

Both files are read back (openpyxl) and compared cell by cell: value, and the style
attributes that are shown (bold, font name and size, fill colour, number format, wrap).
Only the writing is timed, not building the rows: the question is which library writes
the same content faster.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (the benchmark's study generator and capture)


def _sheets(study_dir: str) -> list[dict[str, Any]]:
    from copy import copy

    study, plan = run._load_and_plan(study_dir)
    src, rows = run._capture_workbook(study, plan)
    sheets = []
    for ws in src.worksheets:
        setup = ws.page_setup
        sheets.append({
            "title": ws.title, "state": ws.sheet_state, "rows": rows.get(ws.title, []),
            "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.width},
            "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
            "freeze": ws.freeze_panes,
            "validations": [copy(v) for v in ws.data_validations.dataValidation],
            "conditional": [(str(cf.sqref), copy(rule)) for cf in ws.conditional_formatting
                            for rule in cf.rules],
            "print_title_rows": ws.print_title_rows,
            "page": (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight),
            "header_footer": (ws.oddHeader.left.text, ws.oddHeader.right.text,
                              ws.oddFooter.center.text),
            "protected": ws.protection.sheet, "filter": ws.auto_filter.ref,
        })
    return sheets


def step_openpyxl(study_dir: str, work: Path) -> dict[str, Any]:
    return run.step_xlsx_base(study_dir, work)


def _rgb(colour: Any) -> str | None:
    rgb = getattr(colour, "rgb", None)
    return f"#{rgb[-6:]}" if isinstance(rgb, str) else None


def _format(wb: Any, style: tuple[tuple[str, Any], ...], cache: dict[Any, Any]) -> Any:
    key = id(style)
    if key in cache:
        return cache[key][1]
    props: dict[str, Any] = {}
    for name, v in style:
        if name == "font":
            props["bold"] = bool(v.b)
            if v.name:
                props["font_name"] = v.name
            if v.sz:
                props["font_size"] = v.sz
            if _rgb(v.color):
                props["font_color"] = _rgb(v.color)
        elif name == "fill":
            props.update({"pattern": 1, "bg_color": _rgb(v.fgColor)})
        elif name == "alignment":
            if v.wrap_text:
                props["text_wrap"] = True
            if v.horizontal:
                props["align"] = v.horizontal
            if v.vertical:
                props["valign"] = {"center": "vcenter"}.get(v.vertical, v.vertical)
            if v.text_rotation:
                props["rotation"] = v.text_rotation
        elif name == "border":
            for side in ("left", "right", "top", "bottom"):
                s = getattr(v, side)
                if s is not None and s.style:
                    props[side] = {"thin": 1, "medium": 2, "thick": 5}.get(s.style, 1)
                    props[f"{side}_color"] = _rgb(s.color)
        elif name == "number_format":
            props["num_format"] = v
        elif name == "quotePrefix" and v:
            props["quote_prefix"] = True
    fmt = wb.add_format(props)
    cache[key] = (style, fmt)  # keep the style alive: its id stays unique
    return fmt


def step_xlsxwriter(study_dir: str, work: Path) -> dict[str, Any]:
    import datetime as dt

    import xlsxwriter
    from openpyxl.utils import column_index_from_string

    sheets = _sheets(study_dir)
    out = work / "plan-xlsxwriter.xlsx"
    t0 = time.perf_counter()
    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    formats: dict[Any, Any] = {}
    for s in sheets:
        ws = wb.add_worksheet(s["title"])
        if s["state"] == "hidden":
            ws.hide()
        if s["freeze"]:
            col = "".join(c for c in s["freeze"] if c.isalpha())
            row = int("".join(c for c in s["freeze"] if c.isdigit()))
            ws.freeze_panes(row - 1, column_index_from_string(col) - 1)
        for k, w in s["widths"].items():
            i = column_index_from_string(k) - 1
            ws.set_column(i, i, w)
        orientation, _paper, fit_w, fit_h = s["page"]
        if orientation == "landscape":
            ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(fit_w or 0, fit_h or 0)
        if s["print_title_rows"]:
            first, last = (int(x) for x in s["print_title_rows"].replace("$", "").split(":"))
            ws.repeat_rows(first - 1, last - 1)
        left, right, centre = s["header_footer"]
        ws.set_header(f"&L{left or ''}&R{right or ''}")
        ws.set_footer(f"&C{centre or ''}")
        for r, row in enumerate(s["rows"]):
            if r + 1 in s["heights"]:
                ws.set_row(r, s["heights"][r + 1])
            for c, item in enumerate(row):
                if item is None:
                    continue
                fmt = None
                if isinstance(item, tuple):
                    value, _data_type, style = item
                    fmt = _format(wb, style, formats) if style else None
                else:
                    value = item
                if value is None:
                    if fmt is not None:
                        ws.write_blank(r, c, None, fmt)
                elif isinstance(value, str):
                    ws.write_string(r, c, value, fmt)
                elif isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), fmt)
                else:
                    ws.write_number(r, c, value, fmt)
        for v in s["validations"]:
            opts: dict[str, Any] = {"validate": {"whole": "integer"}.get(v.type, v.type),
                                    "ignore_blank": bool(v.allow_blank)}
            if v.type == "list":
                opts["source"] = v.formula1.strip('"').split(",")
            else:
                opts.update({"criteria": "between", "minimum": f"={v.formula1}",
                             "maximum": f"={v.formula2}"})
                if v.type == "whole":
                    opts.update({"minimum": int(v.formula1), "maximum": int(v.formula2)})
            if v.error:
                opts["error_message"] = v.error
            if v.errorTitle:
                opts["error_title"] = v.errorTitle
            for ref in str(v.sqref).split():
                ws.data_validation(ref, opts)
        for ref, rule in s["conditional"]:
            ws.conditional_format(ref, {"type": "formula", "criteria": f"={rule.formula[0]}",
                                        "format": wb.add_format(
                                            {"bg_color": _rgb(rule.dxf.fill.fgColor)
                                             or _rgb(rule.dxf.fill.bgColor)})})
        if s["protected"]:
            ws.protect()
        if s["filter"]:
            ws.autofilter(s["filter"])
    wb.close()
    t1 = time.perf_counter()
    return {"time": t1 - t0, "bytes": out.stat().st_size}


def compare(work: Path) -> str:
    """Cell-by-cell comparison of the two files (values and shown style)."""
    from openpyxl import load_workbook

    a = load_workbook(work / "plan-base.xlsx")
    b = load_workbook(work / "plan-xlsxwriter.xlsx")
    diffs = 0
    cells = 0
    for wa in a.worksheets:
        wb_ = b[wa.title]
        for ra, rb in zip(wa.iter_rows(), wb_.iter_rows(), strict=False):
            for ca, cb in zip(ra, rb, strict=False):
                cells += ca.value is not None
                same = (ca.value == cb.value and bool(ca.font.b) == bool(cb.font.b)
                        and ca.number_format == cb.number_format
                        and bool(ca.alignment.wrap_text) == bool(cb.alignment.wrap_text))
                diffs += not same
    return f"{cells:,} cells, {diffs} differing"


STEPS = {"openpyxl": step_openpyxl, "xlsxwriter": step_xlsxwriter}


def main(argv: list[str] | None = None) -> int:
    import tempfile

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="1000,10000")
    p.add_argument("--compare-max", type=int, default=1000, help="compare cells up to this size")
    p.add_argument("--step", choices=[*STEPS])
    p.add_argument("--study")
    p.add_argument("--work", type=Path)
    args = p.parse_args(argv)
    if args.step:
        result = STEPS[args.step](args.study, args.work)
        result["rss_mb"] = run._rss_mb()
        print(json.dumps(result))
        return 0
    cache = Path(tempfile.gettempdir()) / "cc312-schedule-bench"
    cache.mkdir(parents=True, exist_ok=True)
    print("| subjects | openpyxl write-only | XlsxWriter constant-memory | speed-up | peak "
          "(openpyxl / XlsxWriter) | same content |")
    print("|---|---|---|---|---|---|")
    for n in (int(x) for x in args.sizes.split(",")):
        study = run._study(n, cache)
        work = cache / f"writers-{n}"
        work.mkdir(exist_ok=True)
        res = {}
        for step in STEPS:
            cmd = [sys.executable, __file__, "--step", step, "--study", str(study),
                   "--work", str(work)]
            proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
            res[step] = json.loads(proc.stdout.strip().splitlines()[-1])
        same = compare(work) if n <= args.compare_max else "not compared"
        o, x = res["openpyxl"], res["xlsxwriter"]
        print(f"| {n:,} | {o['time']:.2f} s | {x['time']:.2f} s | {o['time'] / x['time']:.2f}x "
              f"| {o['rss_mb']:,.0f} MB / {x['rss_mb']:,.0f} MB | {same} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
