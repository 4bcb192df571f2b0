"""Layer 4 (an output): plans as text, CSV and JSON, pandas frames, the coordinators' workbook,
the nurses' due list, the participant's schedule and the HTML/PDF pages with their templates."""
