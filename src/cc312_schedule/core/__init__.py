"""Layer 0, values every layer uses: study days and windows, errors and warnings, the message
catalogue and dates for people (l10n), the protocol model and its loader, the study's inputs
(``domain``), the plan's outputs (``model``), the site's open days, and bounded, atomic file
I/O (``fileio``, which knows nothing of the domain). Imports nothing of the package above it.
"""
