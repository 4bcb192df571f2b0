"""Layer 5, the site desk: a web application for the study team over one study folder.

:func:`~cc312_schedule.desk.app.create_app` builds the Flask application;
:func:`~cc312_schedule.desk.serve.serve` runs it under waitress (``cc312-schedule serve``).
The pages and the API read the study through the same functions as the command line and write
through :mod:`cc312_schedule.entries.writes`; users and the audit trail are the study's
(:mod:`cc312_schedule.store.users`, :mod:`cc312_schedule.store.audit`).
"""
