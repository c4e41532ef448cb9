"""The whistleblowing pages, by audience: `report` for people raising and following a concern
(no sign-in needed), `handle` for the Monitoring Officer, the Chief Internal Auditor and
investigating officers."""
