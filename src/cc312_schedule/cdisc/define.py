"""Define-XML 2.1: the metadata of the SDTM datasets (``define.xml`` beside them).

One ``ItemGroupDef`` per dataset (its class, structure, keys and file), one ``ItemDef`` per
variable (data type, length, label, origin) and the CDISC Controlled Terminology codelists the
variables use, with their NCI codes. Written with the standard library's ElementTree, so the
same datasets give the same bytes; the tests validate it against the Define-XML 2.1 schema
(``define2-1-0.xsd``, shipped in the ``odmlib`` package) with lxml. No stylesheet: a browser shows
the XML as it is.

>>> from datetime import datetime, timezone
>>> from cc312_schedule.cdisc.datasets import Dataset, Variable
>>> ds = Dataset(name="TI", label="Trial Inclusion/Exclusion Criteria",
...              variables=(Variable(name="STUDYID", label="Study Identifier"),), rows=(("X",),),
...              keys=("STUDYID",))
>>> xml = to_define_xml((ds,), study_oid="CC312-I-003", study_name="CC312",
...                     generated_at=datetime(2026, 12, 4, tzinfo=timezone.utc), files={"TI": "ti.xpt"})
>>> b'def:DefineVersion="2.1.0"' in xml, b'xlink:href="ti.xpt"' in xml
(True, True)
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import datetime

from ..core.version import VERSION
from .datasets import Dataset, Variable

__all__ = ["CODELISTS", "to_define_xml"]

ODM = "http://www.cdisc.org/ns/odm/v1.3"
DEF = "http://www.cdisc.org/ns/def/v2.1"
XLINK = "http://www.w3.org/1999/xlink"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SDTMIG_VERSION = "3.4"
CT_VERSION = "2026-03-27"  # the SDTM CT package the terms below come from (usdm4's cache)

# Dataset classes (SDTMIG 3.4) and structures.
_CLASS = {"TV": "TRIAL DESIGN", "TA": "TRIAL DESIGN", "TE": "TRIAL DESIGN", "TI": "TRIAL DESIGN",
          "TS": "TRIAL DESIGN", "DM": "SPECIAL PURPOSE", "SV": "SPECIAL PURPOSE",
          "SE": "SPECIAL PURPOSE", "EX": "INTERVENTIONS", "DS": "EVENTS", "DV": "EVENTS"}
_STRUCTURE = {"TV": "One record per planned Visit per Arm", "TA": "One record per planned Element per Arm",
              "TE": "One record per planned Element", "TI": "One record per I/E criterion",
              "TS": "One record per trial summary parameter value",
              "DM": "One record per subject", "SV": "One record per actual or planned visit per subject",
              "SE": "One record per actual Element per subject",
              "EX": "One record per protocol-specified study treatment, constant-dosing interval, "
                    "per subject",
              "DS": "One record per disposition status or protocol milestone per subject",
              "DV": "One record per protocol deviation per subject"}

#: codelist name -> (NCI code of the codelist, {submission value: NCI code}); the terms the
#: exports can write (CDISC SDTM CT 2026-03-27 / 2025-03-28 as cached by usdm4).
CODELISTS: Mapping[str, tuple[str, Mapping[str, str]]] = {
    "EPOCH": ("C99079", {"SCREENING": "C202487", "TREATMENT": "C101526", "FOLLOW-UP": "C202578"}),
    "SEX": ("C66731", {"F": "C16576", "M": "C20197", "U": "C17998"}),
    "AGEU": ("C66781", {"YEARS": "C29848"}),
    "NY": ("C66742", {"N": "C49487", "Y": "C49488"}),
    "ROUTE": ("C66729", {"INTRAVENOUS": "C38276"}),
    "FRM": ("C66726", {"INJECTION, SOLUTION": "C42945"}),
    "FREQ": ("C71113", {"2 TIMES PER WEEK": "C64497", "EVERY WEEK": "C67069",
                        "EVERY 2 WEEKS": "C71127", "EVERY 4 WEEKS": "C64529"}),
    "UNIT": ("C71620", {"mg": "C28253", "mg/kg": "C67401", "ug/kg": "C67396", "ug": "C48152",
                        "mg/m2": "C67402"}),
    "DSCAT": ("C74558", {"DISPOSITION EVENT": "C74590", "PROTOCOL MILESTONE": "C74588"}),
    "NCOMPLT": ("C66727", {"COMPLETED": "C25250", "PHYSICIAN DECISION": "C48250",
                           "WITHDRAWAL BY SUBJECT": "C49634", "INFORMED CONSENT OBTAINED": "C16735"}),
    "ARMNULRS": ("C142179", {"ASSIGNED, NOT TREATED": "C142238"}),
    "IECAT": ("C66797", {"INCLUSION": "C25532", "EXCLUSION": "C25370"}),
}
_VARIABLE_CODELIST = {"EPOCH": "EPOCH", "SEX": "SEX", "AGEU": "AGEU", "SVPRESP": "NY",
                      "SVOCCUR": "NY", "EXROUTE": "ROUTE", "EXDOSFRM": "FRM", "EXDOSFRQ": "FREQ",
                      "EXDOSU": "UNIT", "DSCAT": "DSCAT", "DSDECOD": "NCOMPLT",
                      "ARMNRS": "ARMNULRS", "IECAT": "IECAT"}
_COLLECTED = {"SUBJID", "BRTHDTC", "SEX", "RFICDTC", "SVSTDTC", "SVENDTC", "SVOCCUR", "SVREASOC",
              "EXSTDTC", "EXENDTC", "DSTERM", "DSSTDTC"}
_ASSIGNED = {"STUDYID", "DOMAIN", "SITEID", "ARMCD", "ARM", "COUNTRY", "EXTRT", "EXDOSE",
             "EXDOSTXT", "EXDOSU", "EXDOSFRM", "EXROUTE", "AGEU", "DSCAT", "DSSCAT", "DVCAT",
             "DVDECOD", "DSDECOD"}
_DATA_TYPES = {"text": "text", "date": "date", "integer": "integer", "float": "float"}


def _origin(ds: Dataset, v: Variable) -> tuple[str, str | None]:
    """(def:Origin Type, Source): the protocol for trial design, what the site recorded, what
    this tool derives or assigns."""
    if v.name in ("STUDYID", "DOMAIN"):
        return "Assigned", "Sponsor"
    if _CLASS[ds.name] == "TRIAL DESIGN":
        return "Protocol", None
    if v.name in _COLLECTED:
        return "Collected", "Investigator"
    if v.name in _ASSIGNED:
        return "Assigned", "Sponsor"
    return "Derived", "Sponsor"


def _text(parent: ET.Element, tag: str, text: str) -> None:
    d = ET.SubElement(parent, f"{{{ODM}}}{tag}")
    t = ET.SubElement(d, f"{{{ODM}}}TranslatedText", {XML_LANG: "en"})
    t.text = text


def _length(ds: Dataset, j: int) -> int:
    return max([len(str(r[j])) for r in ds.rows if r[j] is not None] or [1])


def to_define_xml(datasets: Sequence[Dataset], *, study_oid: str, study_name: str,
                  generated_at: datetime, files: Mapping[str, str]) -> bytes:
    """define.xml for ``datasets``; ``files`` maps a dataset name to its file name."""
    ET.register_namespace("", ODM)
    ET.register_namespace("def", DEF)
    ET.register_namespace("xlink", XLINK)
    odm = ET.Element(f"{{{ODM}}}ODM", {
        "FileType": "Snapshot", "FileOID": f"DEF.{study_oid}",
        "CreationDateTime": generated_at.isoformat(timespec="seconds"), "ODMVersion": "1.3.2",
        "Originator": "cc312-schedule", "SourceSystem": "cc312-schedule",
        "SourceSystemVersion": VERSION, f"{{{DEF}}}Context": "Submission"})
    study = ET.SubElement(odm, f"{{{ODM}}}Study", {"OID": f"ST.{study_oid}"})
    gv = ET.SubElement(study, f"{{{ODM}}}GlobalVariables")
    for tag, text in (("StudyName", study_oid), ("StudyDescription", study_name),
                      ("ProtocolName", study_oid)):
        ET.SubElement(gv, f"{{{ODM}}}{tag}").text = text
    mdv = ET.SubElement(study, f"{{{ODM}}}MetaDataVersion", {
        "OID": f"MDV.{study_oid}", "Name": f"{study_oid} SDTM",
        "Description": f"SDTM datasets of {study_oid} written by cc312-schedule",
        f"{{{DEF}}}DefineVersion": "2.1.0"})
    standards = ET.SubElement(mdv, f"{{{DEF}}}Standards")
    ET.SubElement(standards, f"{{{DEF}}}Standard", {
        "OID": "STD.SDTMIG", "Name": "SDTMIG", "Type": "IG", "Version": SDTMIG_VERSION,
        "Status": "Final"})
    ET.SubElement(standards, f"{{{DEF}}}Standard", {
        "OID": "STD.CT", "Name": "CDISC/NCI", "Type": "CT", "PublishingSet": "SDTM",
        "Version": CT_VERSION, "Status": "Final"})
    used: dict[str, set[str]] = {}
    country = False
    items: list[ET.Element] = []
    for ds in datasets:
        ig = ET.SubElement(mdv, f"{{{ODM}}}ItemGroupDef", {
            "OID": f"IG.{ds.name}", "Name": ds.name, "SASDatasetName": ds.name,
            "Domain": ds.name, "Repeating": "No" if ds.name == "DM" else "Yes",
            "IsReferenceData": "Yes" if _CLASS[ds.name] == "TRIAL DESIGN" else "No",
            "Purpose": "Tabulation", f"{{{DEF}}}Structure": _STRUCTURE[ds.name],
            f"{{{DEF}}}StandardOID": "STD.SDTMIG", f"{{{DEF}}}ArchiveLocationID": f"LF.{ds.name}"})
        _text(ig, "Description", ds.label)
        for j, v in enumerate(ds.variables, start=1):
            ref = {"ItemOID": f"IT.{ds.name}.{v.name}", "OrderNumber": str(j),
                   "Mandatory": "Yes" if v.name in ("STUDYID", "DOMAIN", "USUBJID") or
                   v.name in ds.keys else "No"}
            if v.name in ds.keys:
                ref["KeySequence"] = str(ds.keys.index(v.name) + 1)
            ET.SubElement(ig, f"{{{ODM}}}ItemRef", ref)
            item = ET.Element(f"{{{ODM}}}ItemDef", {
                "OID": f"IT.{ds.name}.{v.name}", "Name": v.name, "SASFieldName": v.name,
                "DataType": _DATA_TYPES[v.kind], **({"Length": str(_length(ds, j - 1))}
                                                   if v.kind == "text" else {})})
            _text(item, "Description", v.label)
            cl = _VARIABLE_CODELIST.get(v.name)
            if v.name == "COUNTRY":  # ISO 3166-1 alpha-3: an external dictionary
                country = True
                ET.SubElement(item, f"{{{ODM}}}CodeListRef", {"CodeListOID": "CL.COUNTRY"})
            elif cl is not None:
                values = {r[j - 1] for r in ds.rows if r[j - 1] is not None}
                known = set(CODELISTS[cl][1])
                used.setdefault(cl, set()).update(values & known)
                ET.SubElement(item, f"{{{ODM}}}CodeListRef", {"CodeListOID": f"CL.{cl}"})
            kind, source = _origin(ds, v)
            ET.SubElement(item, f"{{{DEF}}}Origin", {"Type": kind, **({"Source": source}
                                                                       if source else {})})
            items.append(item)
        ET.SubElement(ig, f"{{{DEF}}}Class", {"Name": _CLASS[ds.name]})
        leaf = ET.SubElement(ig, f"{{{DEF}}}leaf", {"ID": f"LF.{ds.name}",
                                                   f"{{{XLINK}}}href": files[ds.name]})
        ET.SubElement(leaf, f"{{{DEF}}}title").text = files[ds.name]
    mdv.extend(items)
    for cl in sorted(used):
        code, terms = CODELISTS[cl]
        c = ET.SubElement(mdv, f"{{{ODM}}}CodeList", {
            "OID": f"CL.{cl}", "Name": cl, "DataType": "text",
            f"{{{DEF}}}StandardOID": "STD.CT"})
        # the terms these datasets use, or (none used yet) every term the exports can write
        for n, value in enumerate(sorted(used[cl] or terms), start=1):
            e = ET.SubElement(c, f"{{{ODM}}}EnumeratedItem", {"CodedValue": value,
                                                               "OrderNumber": str(n)})
            ET.SubElement(e, f"{{{ODM}}}Alias", {"Name": terms[value], "Context": "nci:ExtCodeID"})
        ET.SubElement(c, f"{{{ODM}}}Alias", {"Name": code, "Context": "nci:ExtCodeID"})
    if country:
        c = ET.SubElement(mdv, f"{{{ODM}}}CodeList", {"OID": "CL.COUNTRY", "Name": "COUNTRY",
                                                      "DataType": "text"})
        ET.SubElement(c, f"{{{ODM}}}ExternalCodeList", {"Dictionary": "ISO 3166-1 alpha-3",
                                                        "Version": "2020"})
    ET.indent(odm, space=" ")
    data: bytes = ET.tostring(odm, encoding="UTF-8", xml_declaration=True)
    return data + b"\n"
