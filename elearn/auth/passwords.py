"""The password policy: long enough, and not common or easy to guess.

"Common" is decided by zxcvbn (Dropbox's estimator, MIT): it matches the password against
30,000 leaked passwords, English words and names, keyboard patterns, repeats, sequences, dates
and the person's own pseudonym, and estimates how many guesses an attacker needs. We refuse
anything it expects to fall within a million guesses (its scores 0 and 1), which covers every
well-known password of ten or more characters ("1234567890", "password123", "qwertyuiop").
"""
from __future__ import annotations

import threading
from collections.abc import Iterable

MIN_LENGTH = 10
MAX_LENGTH = 200
MIN_SCORE = 2
# zxcvbn's cost grows quickly with length and it refuses more than 72 characters; a longer
# password is judged by its first 72, which is plenty to tell a pattern from a passphrase.
_CHECKED = 72
# zxcvbn keeps the user's own words in a module-level table while it works: one call at a time.
_lock = threading.Lock()


def is_guessable(password: str, user_inputs: Iterable[str] = ()) -> bool:
    """True if the password is common or follows a pattern an attacker tries early."""
    # Why here: zxcvbn's word lists take some 12 MiB in each process that imports it; only setting
    # a password needs them, not serving pages.
    from zxcvbn import zxcvbn

    words = [w for w in user_inputs if w]
    with _lock:
        result = zxcvbn(password[:_CHECKED], user_inputs=words)
    return result["score"] < MIN_SCORE


def problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Why the password is refused ("length" or "common"), or None if it is acceptable."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return "length"
    if is_guessable(password, user_inputs):
        return "common"
    return None
