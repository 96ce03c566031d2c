"""The answer clock counts working days under the official calendar: 放假 days
off, 调休 weekends on."""
import json
from datetime import date, timedelta

import pytest

from ideas.workdays import HOLIDAYS_FILE, add_working_days, due_date, is_working_day, overdue_before


@pytest.mark.parametrize(("day", "working"), [
    (date(2025, 10, 1), False),   # 国庆
    (date(2025, 10, 8), False),   # 国庆、中秋连休的最后一天（周三）
    (date(2025, 9, 28), True),    # 周日调休上班
    (date(2025, 10, 11), True),   # 周六调休上班
    (date(2026, 2, 16), False),   # 春节（除夕）
    (date(2026, 2, 14), True),    # 周六调休上班
    (date(2026, 2, 28), True),
    (date(2026, 3, 2), True),     # an ordinary Monday
    (date(2026, 3, 7), False),    # an ordinary Saturday
    (date(2027, 10, 1), True),    # a year the file does not cover: Monday to Friday (a Friday)
])
def test_the_calendar_knows_holidays_and_make_up_days(day, working):
    assert is_working_day(day) is working


def test_five_working_days_around_national_day_2025():
    # Submitted Friday 26 Sept: Sun 28 (调休), Mon 29, Tue 30, then 1–8 Oct off, Thu 9, Fri 10.
    assert due_date(date(2025, 9, 26)) == date(2025, 10, 10)
    # Submitted during the holiday: the clock starts on the first day back.
    assert due_date(date(2025, 10, 3)) == date(2025, 10, 14)   # 9, 10, 11 (Sat 调休), 13, 14
    assert add_working_days(date(2025, 10, 3), 3) == date(2025, 10, 11)


def test_five_working_days_around_spring_festival_2026():
    # Submitted Thursday 12 Feb: Fri 13, Sat 14 (调休), then 15–23 Feb off, Tue 24, Wed 25, Thu 26.
    assert due_date(date(2026, 2, 12)) == date(2026, 2, 26)


def test_overdue_before_is_the_first_submission_date_still_in_time():
    today = date(2025, 10, 13)
    cutoff = overdue_before(today)
    # Submitted 29 Sept: due on 13 Oct, not late yet; a day earlier: due 11 Oct, late.
    assert cutoff == date(2025, 9, 29)
    assert due_date(cutoff) == today and due_date(cutoff - timedelta(days=1)) < today


def _days(*ranges):
    out = set()
    for first, last in ranges:
        day = date.fromisoformat(first)
        while day <= date.fromisoformat(last):
            out.add(day)
            day += timedelta(days=1)
    return out


# The State Council's notices, range by range (放假调休 periods, then the 上班 weekends).
NOTICES = {
    2025: (_days(("2025-01-01", "2025-01-01"), ("2025-01-28", "2025-02-04"), ("2025-04-04", "2025-04-06"),
                 ("2025-05-01", "2025-05-05"), ("2025-05-31", "2025-06-02"), ("2025-10-01", "2025-10-08")),
           {date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11)}),
    2026: (_days(("2026-01-01", "2026-01-03"), ("2026-02-15", "2026-02-23"), ("2026-04-04", "2026-04-06"),
                 ("2026-05-01", "2026-05-05"), ("2026-06-19", "2026-06-21"), ("2026-09-25", "2026-09-27"),
                 ("2026-10-01", "2026-10-07")),
           {date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
            date(2026, 10, 10)}),
}


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_the_calendar_file_is_the_notice_of_its_year(year):
    data = json.loads(HOLIDAYS_FILE.read_text(encoding="utf-8"))
    off, work = NOTICES[year]
    assert {date.fromisoformat(d) for d in data["off"][str(year)]} == off
    assert {date.fromisoformat(d) for d in data["work"][str(year)]} == work
    assert "国务院办公厅" in data["source"] and str(year) in data["source"]
