"""Headless Chromium and poppler for the printed pages: used by tests/test_pages.py and `make pictures`.

    .venv/bin/python tests/pictures.py out out/pictures

writes a PNG of every printed page kind in ``out`` (``due-*.html`` and ``handout-*.html`` as
Chromium shows them, ``handout-*.pdf`` page by page with pdftoppm) into ``out/pictures``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: Chromium with nothing of the user's profile and no network chatter; the page is a local file.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars")
WINDOW = (1240, 1754)  # A4 at 150 dpi, portrait


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run_chromium(html: Path, *args: str) -> None:
    exe = chromium()
    if exe is None:
        raise FileNotFoundError("chromium")
    with tempfile.TemporaryDirectory(prefix="cc312-chromium-") as profile:
        subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args,
                        html.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)


def print_to_pdf(html: Path, pdf: Path) -> None:
    """Chromium prints ``html`` to ``pdf`` (the page's own @page size, no browser header/footer)."""
    _run_chromium(html, f"--print-to-pdf={pdf.resolve()}", "--no-pdf-header-footer")


def screenshot(html: Path, png: Path, window: tuple[int, int] = WINDOW) -> None:
    """Chromium takes a screenshot of ``html`` (the first ``window`` pixels of the page)."""
    _run_chromium(html, f"--screenshot={png.resolve()}", f"--window-size={window[0]},{window[1]}")


def png_size(png: Path) -> tuple[int, int]:
    """Width and height from the PNG header (IHDR)."""
    data = png.read_bytes()[:24]
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"not a PNG: {png}")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def pdf_pictures(pdf: Path, prefix: Path, dpi: int = 70) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True,
                   capture_output=True, timeout=120)
    return sorted(prefix.parent.glob(prefix.name + "-*.png"))


def main(argv: list[str]) -> int:
    src, dest = Path(argv[0]), Path(argv[1])
    dest.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    for html in sorted([*src.glob("due-*.html"), *src.glob("handout-*.html")]):
        png = dest / (html.stem + ".png")
        screenshot(html, png)
        made.append(png)
    for pdf in sorted(src.glob("handout-*.pdf")):
        made += pdf_pictures(pdf, dest / pdf.stem)
    for p in made:
        print(p)
    return 0 if made else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
