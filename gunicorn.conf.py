"""gunicorn's settings for the portal: read from the working directory by gunicorn itself, or
named with `-c gunicorn.conf.py` (README, "Deploying"). Command-line options still apply.

The access log says what was asked for and how it went, never who asked: no client address
(gunicorn's %(h)s, or an X-Forwarded-For header), no user agent, referrer or user name.
People raise whistleblowing concerns here trusting that no record ties them to a visit
(issue 11); an address in a log beside the time of a submission would be such a record. A
format for some paths only is not offered by gunicorn, so the format is the same for every
page. Throttling and lock-outs see the address in the request itself, not in the log.
"""

#: The time, the request line, the status, the bytes sent and how long it took (ms).
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'
