#!/usr/bin/env python3
"""Checks the CDISC exports with CDISC's own tools and writes the results down.

    .venv/bin/python tools/cdisc_check.py [--study templates/example-study] [--core-repo DIR]
    (or: make cdisc-check)

1. Creates ``.venv-cdisc`` (git-ignored) with Python 3.12, which usdm4 0.29 and CDISC CORE
   (cdisc-rules-engine 0.17) need, and installs tools/cdisc-lock.txt into it (again only when
   the lock changes). Python 3.12 is found as ``$CDISC_PYTHON``, ``python3.12`` on PATH, or
   under ~/.pyenv/versions/3.12.*.
2. Writes the study's USDM file and SDTM datasets (Dataset-JSON and XPT) into ``--out``
   (default ``out/cdisc-check``) with this checkout's cc312-schedule.
3. usdm4: load, the Expander on the main timeline, its rules (tools/cdisc_usdm4.py).
4. CORE with the SDTMIG 3.4 rules on the SDTM datasets, when ``--core-repo`` (or
   ``$CDISC_CORE_REPO``) is a checkout of github.com/cdisc-org/cdisc-rules-engine whose
   ``resources/cache`` holds the rules (rules.pkl), the SDTM CT package and the library metadata
   (standards_details.pkl, standards_models.pkl, variables_metadata.pkl). Those three come from
   the CDISC Library: with a key, ``python core.py update-cache --apikey KEY`` in the checkout
   fetches them. Without them CORE cannot run any SDTMIG rule, and the script says so.
5. Writes the results, with the date and every tool's version, to benchmarks/CDISC-RESULTS.md
   (``--results``), and exits 1 when usdm4 cannot load or expand the file or finds an error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "tools" / "cdisc-lock.txt"
VENV = ROOT / ".venv-cdisc"
CORE_CACHE = ("rules.pkl", "standards_details.pkl", "standards_models.pkl",
              "variables_metadata.pkl", "variable_codelist_maps.pkl")


def find_python312() -> str | None:
    """The first candidate that runs and is 3.12 (a pyenv shim may exist and fail)."""
    candidates = [os.environ.get("CDISC_PYTHON", ""), shutil.which("python3.12") or ""]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.12.*/bin/python3.12")),
                         reverse=True)
    for c in candidates:
        if c and os.access(c, os.X_OK) and subprocess.run(
                [c, "-c", "import sys; sys.exit(sys.version_info[:2] != (3, 12))"],
                capture_output=True).returncode == 0:
            return c
    return None


def ensure_venv() -> Path:
    """``.venv-cdisc/bin/python``, created and installed from the lock when needed."""
    python = VENV / "bin" / "python"
    stamp = VENV / ".lock-sha256"
    want = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text().strip() == want:
        return python
    base = find_python312()
    if base is None:
        sys.exit("cdisc_check: Python 3.12 not found (usdm4 and CORE need it): set CDISC_PYTHON "
                 "or install python3.12")
    subprocess.run([base, "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(LOCK)], check=True)
    stamp.write_text(want + "\n")
    return python


def cc312(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "cc312_schedule", *args], check=True,
                   stdout=subprocess.DEVNULL)


def run_usdm4(python: Path, usdm: Path) -> dict[str, object]:
    done = subprocess.run([str(python), str(ROOT / "tools" / "cdisc_usdm4.py"), str(usdm)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def run_core(python: Path, repo: Path | None, sdtm: Path) -> dict[str, object]:
    """CORE's report summarised by rule, or why it did not run."""
    if repo is None:
        return {"ran": False, "why": "no --core-repo given (a checkout of cdisc-org/cdisc-rules-engine)"}
    cache = repo / "resources" / "cache"
    missing = [f for f in CORE_CACHE if not (cache / f).is_file()]
    ct = sorted(p.stem for p in cache.glob("sdtmct-*.pkl"))
    if missing or not ct:
        return {"ran": False, "why": "the checkout's resources/cache lacks " + ", ".join(
            missing + ([] if ct else ["sdtmct-*.pkl"])) + ": the SDTMIG metadata and CT come "
            "from the CDISC Library (an API key: `python core.py update-cache --apikey KEY`)"}
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "core"
        done = subprocess.run(
            [str(python), "core.py", "validate", "-s", "sdtmig", "-v", "3-4", "-d", str(sdtm),
             "-ca", str(cache), "-ct", ct[-1], "-of", "json", "-o", str(report)],
            cwd=repo, capture_output=True, text=True)
        if done.returncode != 0:
            return {"ran": False, "why": "core.py failed: " + done.stderr.strip()[-500:]}
        data = json.loads(report.with_suffix(".json").read_text(encoding="utf-8"))
    issues = data.get("Issue_Summary", [])
    return {"ran": True, "ct": ct[-1], "issues": [
        {"rule": i.get("core_id"), "dataset": i.get("dataset"), "message": i.get("message"),
         "count": i.get("issues")} for i in issues]}


def versions(python: Path) -> dict[str, str]:
    code = ("import json,sys;from importlib.metadata import version as v;"
            "print(json.dumps({'python':sys.version.split()[0],'usdm4':v('usdm4'),"
            "'cdisc-rules-engine':v('cdisc-rules-engine')}))")
    out = subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True)
    found: dict[str, str] = json.loads(out.stdout)
    from cc312_schedule.core.version import VERSION
    found["cc312-schedule"] = VERSION
    return found


def report(study: str, ver: dict[str, str], usdm: dict[str, object],
           core: dict[str, object]) -> str:
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    rules = usdm["rules"]
    assert isinstance(rules, dict)
    exp = usdm.get("expander") or {}
    assert isinstance(exp, dict)
    lines = [
        "# CDISC checks: the last results", "",
        f"Written by `.venv/bin/python tools/cdisc_check.py` (`make cdisc-check`) on {today}, "
        f"on `{study}`.", "",
        "| tool | version |", "|---|---|",
        *(f"| {k} | {v} |" for k, v in ver.items()), "",
        "## usdm4 (load, Expander, rules) on the USDM file", "",
        f"- Loaded into usdm4's model: {'yes' if usdm['loaded'] else 'NO'} "
        f"({usdm['load_errors']} errors).",
        f"- Expander on the main timeline: {len(exp.get('nodes', []))} timepoints: "
        + ", ".join(f"{n['label']} (tick day {n['day']})" for n in exp.get("nodes", [])) + ".",
        f"- Expander messages: {exp.get('errors') or 'none'}.",
        f"- Rules: {rules['counts'] or 'no failure'}.", "",
        "What remains is answered in docs/data-managers.md (\"What usdm4 says, and the rules "
        "answered here\").", "",
    ]
    findings = rules["findings"]
    assert isinstance(findings, list)
    if findings:
        lines += ["| rule | level | message | where |", "|---|---|---|---|"]
        lines += [f"| {f['rule']} | {f['level']} | {f['message']} | `{f['path']}` |" for f in findings]
        lines.append("")
    lines += ["## CDISC CORE (SDTMIG 3.4) on the SDTM datasets", ""]
    if core["ran"]:
        issues = core["issues"]
        assert isinstance(issues, list)
        lines.append(f"CT package {core['ct']}; {len(issues)} rule(s) reported.")
        lines += ["", "| rule | dataset | message | records |", "|---|---|---|---|"]
        lines += [f"| {i['rule']} | {i['dataset']} | {i['message']} | {i['count']} |" for i in issues]
    else:
        lines.append(f"Not run: {core['why']}.")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--study", default=str(ROOT / "templates" / "example-study"))
    ap.add_argument("--out", default=str(ROOT / "out" / "cdisc-check"))
    ap.add_argument("--core-repo", default=os.environ.get("CDISC_CORE_REPO"))
    ap.add_argument("--results", default=str(ROOT / "benchmarks" / "CDISC-RESULTS.md"))
    ap.add_argument("--venv-only", action="store_true",
                    help="only create .venv-cdisc (tests/setup-system.sh uses this)")
    args = ap.parse_args()
    python = ensure_venv()
    if args.venv_only:
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    usdm_path, sdtm = out / "cc312-usdm.json", out / "sdtm"
    cc312("usdm", args.study, "-o", str(usdm_path))
    cc312("sdtm", args.study, "-o", str(sdtm), "--format", "both")
    usdm = run_usdm4(python, usdm_path)
    core = run_core(python, Path(args.core_repo) if args.core_repo else None, sdtm)
    study = os.path.relpath(args.study, ROOT)
    Path(args.results).write_text(report(study, versions(python), usdm, core), encoding="utf-8")
    print(f"wrote {args.results}")
    rules = usdm["rules"]
    assert isinstance(rules, dict)
    expander = usdm.get("expander") or {}
    assert isinstance(expander, dict)
    bad = (not usdm["loaded"] or not expander.get("nodes")
           or any(f["level"] == "Error" for f in rules["findings"]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
