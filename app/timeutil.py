"""One clock for the whole site.

The campaign runs in one time zone, so datetimes are stored naive in Beijing
time: what staff type into the window fields is what the database holds, on
SQLite and PostgreSQL alike, whatever the server's own zone.
"""
from datetime import datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def now():
    return datetime.now(BEIJING).replace(tzinfo=None, microsecond=0)
