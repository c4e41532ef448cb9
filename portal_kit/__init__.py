"""What every app of the portal builds with: the GOV.UK form fields and error summary, the
versioned-record base with its optimistic locking, the date and time filters, and the time
zone.

A piece belongs here when every app needs it the same way. The kit holds no business rule
(no deadline, no visibility, no role) and imports nothing from the apps (organisation,
committees and those to come), so any app may import it and it never imports them back.
"""
