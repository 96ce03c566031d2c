"""The answer clock counts working days under the official calendar: 放假 days
off, 调休 weekends on."""
from datetime import date, timedelta

import pytest

from ideas.workdays import add_working_days, due_date, is_working_day, overdue_before


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
