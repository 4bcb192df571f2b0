"""CDISC Dataset-JSON v1.1 (cdisc-org/DataExchange-DatasetJson ``schema/dataset.schema.json``).

One JSON document per dataset: the dataset's metadata, ``columns`` (itemOID, name, label,
dataType, length for text, keySequence for the keys) and ``rows`` as arrays in column order,
``null`` for a missing value. Text is UTF-8 and may hold any Unicode character (unlike SAS
transport v5). ``records`` is the number of rows.

>>> from datetime import datetime, timezone
>>> from cc312_schedule.cdisc.sdtm import Dataset, Variable
>>> ds = Dataset(name="TI", label="Trial Inclusion/Exclusion Criteria",
...              variables=(Variable(name="IETESTCD", label="Incl/Excl Criterion Short Name"),),
...              rows=(("INCL01",),), keys=("IETESTCD",))
>>> doc = to_dataset_json(ds, study_oid="CC312-I-003",
...                       generated_at=datetime(2026, 11, 25, 8, tzinfo=timezone.utc))
>>> doc["records"], doc["columns"][0]["dataType"], doc["rows"], doc["datasetJSONCreationDateTime"]
(1, 'string', [['INCL01']], '2026-11-25T08:00:00+00:00')
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..core.version import VERSION
from .datasets import Dataset

__all__ = ["DATASET_JSON_VERSION", "to_dataset_json", "to_dataset_json_bytes"]

DATASET_JSON_VERSION = "1.1.0"
_DATA_TYPES = {"text": "string", "date": "date", "integer": "integer", "float": "double"}


def to_dataset_json(ds: Dataset, *, study_oid: str, generated_at: datetime) -> dict[str, Any]:
    """``ds`` as a Dataset-JSON v1.1 document (a dict ready for ``json.dumps``)."""
    columns = []
    for j, v in enumerate(ds.variables):
        col: dict[str, Any] = {"itemOID": f"IT.{ds.name}.{v.name}", "name": v.name,
                               "label": v.label, "dataType": _DATA_TYPES[v.kind]}
        if v.is_char:
            col["length"] = max([len(str(r[j])) for r in ds.rows if r[j] is not None] or [1])
        if v.name in ds.keys:
            col["keySequence"] = ds.keys.index(v.name) + 1
        columns.append(col)
    return {
        "datasetJSONCreationDateTime": generated_at.isoformat(timespec="seconds"),
        "datasetJSONVersion": DATASET_JSON_VERSION,
        "fileOID": f"cc312-schedule.{study_oid}.{ds.name}",
        "originator": "cc312-schedule",
        "sourceSystem": {"name": "cc312-schedule", "version": VERSION},
        "studyOID": study_oid,
        "itemGroupOID": f"IG.{ds.name}",
        "records": len(ds.rows),
        "name": ds.name,
        "label": ds.label,
        "columns": columns,
        "rows": [list(r) for r in ds.rows],
    }


def to_dataset_json_bytes(ds: Dataset, *, study_oid: str, generated_at: datetime) -> bytes:
    """The document as UTF-8 JSON, one row per line (diffs stay readable), Unicode kept."""
    doc = to_dataset_json(ds, study_oid=study_oid, generated_at=generated_at)
    rows = doc.pop("rows")
    head = json.dumps(doc, ensure_ascii=False, indent=1)
    body = ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in rows)
    text = head[:-2] + ',\n "rows": [\n' + body + ("\n" if rows else "") + " ]\n}\n"
    return text.encode("utf-8")
