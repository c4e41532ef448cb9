"""The whistleblowing forms, by audience (`report`, `handle`), as the views."""
