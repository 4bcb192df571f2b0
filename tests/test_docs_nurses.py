"""The examples of docs/nurses.md ("Following a calendar") run as written.

Every ``cc312-schedule feed`` and ``cc312-schedule publish`` line of its ``sh`` blocks runs on a
copy of the example study: the feed folder ``/srv/cc312-feed`` becomes a temporary folder, the
server ``https://dav.example.org/`` a Radicale started by the test (user and password
replaced). The ``toml`` block is appended to study.toml and must load. (The nginx block runs in
tests/test_live_clients.py.)
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from conftest import copy_example_study
from live_support import PASSWORD, USER, Radicale, radicale, run

__all__ = ["radicale"]

pytestmark = pytest.mark.slow

DOC = Path(__file__).resolve().parent.parent / "docs" / "nurses.md"


def section() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## Following a calendar")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", section(), re.S)


def commands(kind: str) -> list[list[str]]:
    out = []
    for block in blocks("sh"):
        for line in block.splitlines():
            line = line.split("#")[0].strip()
            if line.startswith(f"cc312-schedule {kind} "):
                out.append(shlex.split(line)[1:])
    return out


def test_the_doc_has_the_examples() -> None:
    assert len(commands("feed")) == 3
    assert len(commands("publish")) == 6
    assert len(blocks("toml")) == 1 and len(blocks("nginx")) == 1


def test_feed_examples(tmp_path: Path) -> None:
    study = copy_example_study(tmp_path / "study")
    toml = study / "study.toml"
    lines = [ln for ln in toml.read_text(encoding="utf-8").splitlines()
             if not ln.startswith("feed_refresh")]
    toml.write_text("\n".join(lines) + "\n" + blocks("toml")[0], encoding="utf-8")
    for argv in commands("feed"):
        argv = [str(study) if a == "STUDY" else a.replace("/srv/cc312-feed", str(tmp_path / "f"))
                for a in argv]
        code, out, err = run(*argv)
        assert code == 0, (argv, err)
        assert out.startswith("site\t")


def test_publish_examples(tmp_path: Path, radicale: Radicale) -> None:
    study = copy_example_study(tmp_path / "study")
    for argv in commands("publish"):
        argv = [str(study) if a == "STUDY" else a.replace("https://dav.example.org/", radicale.url)
                .replace("cc312", USER) if a != "publish" else a for a in argv]
        code, _, err = run(*argv, "--subject", "006",
                           env={"CC312_CALDAV_PASSWORD": PASSWORD})
        assert code == 0, (argv, err)
