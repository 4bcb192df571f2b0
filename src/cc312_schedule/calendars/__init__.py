"""Layer 4 (an output): iCalendar files, their state, VTIMEZONE, subscription feeds and CalDAV
publishing."""
