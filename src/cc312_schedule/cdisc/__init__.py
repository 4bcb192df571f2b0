"""Layer 4 (an output): the CDISC standards: the SDTM dataset model, SDTM, USDM, Dataset-JSON
and SAS transport (XPT)."""
