"""``make pictures`` (the workbooks): each page of the example study's workbooks, English
(``out/plan.xlsx``) and Chinese (``out/zh-CN/plan.xlsx``), as LibreOffice Calc prints them.

    .venv/bin/python tests/xlsx_pictures.py out out/pictures

LibreOffice (headless) converts each workbook to PDF; poppler's ``pdftoppm`` renders every page
to a PNG named after the workbook, the page and its sheet (``plan-zh-CN-02-visits.png``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cc312_schedule.core.messages import LANGUAGES, message
from cc312_schedule.reports.xlsx import SHEETS


def main(argv: list[str]) -> int:
    src, dest = Path(argv[0]), Path(argv[1])
    soffice = shutil.which("soffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        print("the workbook pictures need LibreOffice (soffice) and poppler-utils (pdftoppm): "
              "run tests/setup-system.sh as root", file=sys.stderr)
        return 2
    dest.mkdir(parents=True, exist_ok=True)
    names = {message(lang, f"xlsx.sheet.{s}"): s for lang in LANGUAGES for s in SHEETS}
    made = 0
    with tempfile.TemporaryDirectory(prefix="cc312-lo-") as tmp:
        work = Path(tmp)
        for label, xlsx in (("en", src / "plan.xlsx"), ("zh-CN", src / "zh-CN" / "plan.xlsx")):
            if not xlsx.is_file():
                continue
            copy = work / f"plan-{label}.xlsx"
            shutil.copyfile(xlsx, copy)
            subprocess.run([soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}",
                            "--headless", "--norestore", "--convert-to", "pdf", "--outdir",
                            str(work), str(copy)], check=True, capture_output=True, timeout=300)
            pdf = copy.with_suffix(".pdf")
            info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                  check=True).stdout
            pages = int(next(line.split()[-1] for line in info.splitlines()
                             if line.startswith("Pages:")))
            for page in range(1, pages + 1):
                text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf),
                                       "-"], capture_output=True, text=True, check=True).stdout
                flat = " ".join(text.split())
                # the footer names the sheet after the study: "CC312 example study · Visits"
                sheet = next((s for n, s in names.items() if f"· {n} " in flat + " "), "page")
                stem = dest / f"plan-{label}-{page:02d}-{sheet}"
                subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", str(page),
                                "-l", str(page), str(pdf), str(stem)], check=True)
                print(f"{stem}.png")
                made += 1
    return 0 if made else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
