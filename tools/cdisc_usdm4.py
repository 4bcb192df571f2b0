"""Runs inside .venv-cdisc (Python 3.12, tools/cdisc-lock.txt): CDISC's usdm4 library on a USDM
file: the pydantic load, the Expander on the main timeline (what USDM viewers use to draw the
schedule) and usdm4's rules. Prints one JSON object; tools/cdisc_check.py and
tests/test_usdm4.py read it. Not part of the package (usdm4 is GPL-3.0; it never imports it).

    .venv-cdisc/bin/python tools/cdisc_usdm4.py out/cc312-usdm.json
"""

from __future__ import annotations

import collections
import json
import sys
from importlib.metadata import version


def main(path: str) -> int:
    from simple_error_log.errors import Errors
    from usdm4 import USDM4
    from usdm4.expander.expander import Expander

    usdm = USDM4()
    load_errors = Errors()
    wrapper = usdm.load(path, load_errors)
    out: dict[str, object] = {
        "usdm4": version("usdm4"), "python": sys.version.split()[0], "file": path,
        "loaded": wrapper is not None, "load_errors": load_errors.count(),
        "load_messages": [] if not load_errors.count() else load_errors.dump().splitlines()[:20],
    }
    if wrapper is not None:
        design = wrapper.study.versions[0].studyDesigns[0]
        main_timeline = next(t for t in design.scheduleTimelines if t.mainTimeline)
        errors = Errors()
        expander = Expander(design, main_timeline, errors)
        expander.process()
        out["expander"] = {
            "nodes": [{"label": n.to_dict()["label"], "day": n.tick // 86400}
                      for n in expander.nodes],
            "errors": [line.strip() for line in errors.dump().splitlines()
                       if line.strip() and not line.lstrip().startswith("- ")],
        }
    results = usdm.validate(path).to_dict()
    out["rules"] = {
        "counts": dict(collections.Counter(r["status"] for r in results)),
        "findings": [{"rule": r["rule_id"], "status": r["status"], "level": r["level"],
                      "message": r["message"], "path": r.get("path")}
                     for r in results if r["status"] not in ("Success", "Not Implemented")],
    }
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
