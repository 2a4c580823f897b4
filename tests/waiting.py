"""Tests wait on conditions, never for a fixed time: the machine may be busy."""

import time


def wait_until(condition, what: str = "the condition", timeout: float = 60, interval=0.05):
    """Poll `condition` until it returns something true, and return that; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)
