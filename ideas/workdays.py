"""Working days under the Chinese public-holiday calendar (放假 and 调休), for the
answer clock: a suggestion is answered within ``REPLY_WORKING_DAYS`` working days.

The calendar is data (ideas/data/holidays_cn.json), updated each year when the
State Council publishes the next year's arrangement. A year the file does not
cover counts Monday to Friday."""
import json
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

HOLIDAYS_FILE = Path(__file__).parent / "data" / "holidays_cn.json"
REPLY_WORKING_DAYS = 5


@lru_cache(maxsize=1)
def calendar():
    """(days off on weekdays and holidays, weekend days that are working days)."""
    data = json.loads(HOLIDAYS_FILE.read_text(encoding="utf-8"))
    def days(part):
        return frozenset(date.fromisoformat(day) for year in data[part].values() for day in year)
    return days("off"), days("work")


def is_working_day(day):
    off, work = calendar()
    if day in work:
        return True
    return day.weekday() < 5 and day not in off


def add_working_days(start, count):
    """The ``count``-th working day after ``start`` (``start`` itself not counted)."""
    day = start
    while count:
        day += timedelta(days=1)
        count -= is_working_day(day)
    return day


def due_date(submitted_on, count=REPLY_WORKING_DAYS):
    return add_working_days(submitted_on, count)


def overdue_before(today, count=REPLY_WORKING_DAYS):
    """The earliest submission date whose answer is not yet late on ``today``:
    ideas submitted before it and still unanswered are overdue. The due date
    never moves back as the submission date moves forward, so walk back from today."""
    day = today
    while due_date(day - timedelta(days=1), count) >= today:
        day -= timedelta(days=1)
    return day
