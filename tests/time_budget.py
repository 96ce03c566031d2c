"""A wall-clock budget for code that must return: a loop that never ends fails
the test at once, with its traceback, instead of stopping the suite."""
import contextlib
import signal


class BudgetExceeded(AssertionError):
    pass


@contextlib.contextmanager
def time_budget(seconds: float):
    def expire(signum, frame):
        raise BudgetExceeded(f"超过 {seconds} 秒仍未返回")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
