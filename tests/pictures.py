"""``make pictures``: the example study's workbooks (English and Chinese) as a person would
print them: LibreOffice Calc (headless) converts each to PDF, poppler's ``pdftoppm`` renders
every page to a PNG named after its sheet, under ``out/pictures/``.

    .venv/bin/python tests/pictures.py [OUT_DIR]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from cc312_schedule import example_study_path, load_study, plan_study
from cc312_schedule.messages import message
from cc312_schedule.xlsx import SHEETS, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 25)
AT = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def studies() -> list[tuple[str, Path]]:
    """(language, study folder): the English example study and the Chinese one."""
    return [("en", example_study_path()), ("zh-CN", example_study_path("zh-CN"))]


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "out" / "pictures"
    soffice = shutil.which("soffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        print("make pictures needs LibreOffice (soffice) and poppler-utils (pdftoppm): run "
              "tests/setup-system.sh as root", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for lang, folder in studies():
            study = load_study(folder)
            study = replace(study, config=replace(study.config, language=lang))
            xlsx = work / f"plan-{lang}.xlsx"
            write_xlsx(xlsx, study, plan_study(study, today=TODAY), generated_at=AT)
            subprocess.run([soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}",
                            "--headless", "--norestore", "--convert-to", "pdf", "--outdir",
                            str(work), str(xlsx)], check=True, capture_output=True, timeout=300)
            pdf = xlsx.with_suffix(".pdf")
            names = {message(lang, f"xlsx.sheet.{s}"): s for s in SHEETS}
            pages = int(next(line.split()[-1] for line in subprocess.run(
                ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
            ).stdout.splitlines() if line.startswith("Pages:")))
            for page in range(1, pages + 1):
                text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                                      capture_output=True, text=True, check=True).stdout
                sheet = next((s for n, s in names.items() if f" · {n} · " in text.replace("\n", " ")
                              or f"· {n}" in text), "page")
                stem = out / f"plan-{lang}-{page:02d}-{sheet}"
                subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", str(page),
                                "-l", str(page), str(pdf), str(stem)], check=True)
            print(f"{lang}: {pages} pages -> {out}/plan-{lang}-*.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
