"""The whistleblowing URLs: `report` under /whistleblowing/ (namespace "whistleblowing") and
`handle` under /whistleblowing/register/ (namespace "concerns")."""
