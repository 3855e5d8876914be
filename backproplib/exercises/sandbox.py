"""The sandbox for a student's function: ``check_function`` runs it on test cases, on copies,
under a time limit; ``forward_only`` is a network whose backward pass refuses to run."""

from __future__ import annotations

import copy
import ctypes
import functools
import numbers
import sys
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from ..core.network import Network
from ..numbers import fmt, positive_number
from .answers import RIGHT, UNANSWERED, WRONG, Feedback, author_text, close, short, ties

FUNCTION_TIME_LIMIT = 3.0  # seconds a student's function may take for all cases of one check
BACKWARD_OFF = ("this exercise asks for the chain from the forward pass; backward is switched "
                "off")


class ForwardOnly(Network):
    """A network whose backward pass (and everything built on it) refuses to run."""

    def backward(self, x, y):
        raise RuntimeError(BACKWARD_OFF)

    cost = backward

    def with_params(self, changes):
        return forward_only(super().with_params(changes))

    def __deepcopy__(self, memo):
        return self  # immutable: its arrays are read-only

    def __repr__(self):
        return "a network (backward switched off)"


def forward_only(net: Network) -> ForwardOnly:
    """A copy of ``net`` with the same parameters whose ``backward`` raises, saying why."""
    copied = copy.copy(net)
    copied.__class__ = ForwardOnly
    return copied


# --- a student's function --------------------------------------------------------------------
def function_name(function, default: str) -> str:
    """The name a student gave the function, or ``default`` for a lambda."""
    name = getattr(function, "__name__", "")
    return name if name and name != "<lambda>" else default


class _TimeUp(BaseException):
    """Raised inside a student's function when its time is up (not an Exception, so a bare
    ``except Exception`` in the student's code does not swallow it)."""


@dataclass(frozen=True)
class Case:
    """A test case: its arguments, the case in words ("on a network whose output neuron is
    dead"), and, when the library computed them, the right result and {slip's hint: value}."""

    args: tuple
    words: str = ""
    expected: object = None
    slips: dict = field(default_factory=dict)
    names: tuple = ()  # each entry's name, for a result too long to show ("G.nodes[5] (a_H0)")


def check_function(function, reference, cases, what: str, hint: str = "",
                   mistakes: dict | None = None,
                   time_limit: float = FUNCTION_TIME_LIMIT) -> Feedback:
    """Call the student's ``function`` on each case (a tuple of arguments, compared with
    ``reference(*args)``, or a ``Case``) and compare. The reference and the student each get a
    deep copy of the arguments, the student ``time_limit`` seconds in all; whatever the function
    does (raise, exit, loop, return text or the wrong shape) comes back as feedback.
    ``mistakes`` maps a hint to a function giving that slip's result."""
    author_text(what, "what")
    author_text(hint, "hint")
    if not isinstance(cases, (list, tuple)) or not cases:
        raise ValueError("cases: expected a non-empty list of argument tuples, got "
                         f"{short(repr(cases))}")
    if not all(isinstance(c, (tuple, Case)) for c in cases):
        raise TypeError("cases: expected each case as a tuple of arguments, e.g. [(2.05,), "
                        "(-1.5,)], or a Case")
    cases = [c if isinstance(c, Case) else Case(c) for c in cases]
    if not callable(reference) and not (reference is None and all(
            c.expected is not None for c in cases)):
        raise TypeError(f"reference: expected a function, got {type(reference).__name__}")
    time_limit = positive_number(time_limit, "time_limit (seconds)")
    slips = dict(mistakes or {})
    if not all(isinstance(h, str) and callable(f) for h, f in slips.items()):
        raise TypeError("mistakes: expected a dict {hint: function giving that slip's result}")
    if function is None:
        return Feedback(UNANSWERED, f"write {what} and pass it in place of None.")
    if not callable(function):
        return Feedback(WRONG, f"expected a function for {what}, got {type(function).__name__}.")
    deadline = time.monotonic() + time_limit
    tail = f" Hint: {hint}" if hint else ""
    wants = [_author_result(case.expected if case.expected is not None
                            else reference(*copy.deepcopy(case.args)), case.args) for case in cases]

    @functools.cache
    def run(i):  # the student's result on case i
        return _run_limited(function, copy.deepcopy(cases[i].args), deadline, time_limit)

    @functools.cache
    def slip_values(i):  # {hint: that slip's result} on case i, where it is not the right one
        made = {h: f(*copy.deepcopy(cases[i].args)) for h, f in slips.items()}
        values = {h: _author_result(v, cases[i].args)
                  for h, v in {**cases[i].slips, **made}.items()}
        return {h: v for h, v in values.items() if _judge(wants[i], v, "") is not None}

    def blamed(hints):  # the slips the function gives on every case that shows them, or the hint
        named = {}
        for h in hints:
            shown = [(k, slip_values(k)[h]) for k in range(len(cases)) if h in slip_values(k)]
            if all(not isinstance(run(k), Feedback) and _judge(run(k), value, "") is None
                   for k, value in shown):
                named[h] = shown[0][1]  # its value on the first case that shows it
        return f" {ties(named.items())[0][0]}" if named else tail

    for i, case in enumerate(cases):
        where = (f"{case.words}, {what}" if case.words
                 else f"{what}({', '.join(map(_show, case.args))})")
        outcome = run(i)
        if isinstance(outcome, Feedback):  # it raised, ran out of time or gave no numbers
            # a function that raised is named by a slip it makes on every case that shows it
            said = (blamed(dict.fromkeys(h for k in range(len(cases)) for h in slip_values(k)))
                    if outcome.message.startswith("raised") else tail)
            return Feedback(outcome.status, f"{where} {outcome.message}{said}")
        verdict = _judge(outcome, wants[i], where, case.names)
        if verdict is not None:
            return Feedback(verdict.status, verdict.message + blamed(slip_values(i)))
    inputs = ("the test case", "both test cases")[len(cases) - 1] if len(cases) < 3 else (
        f"all {len(cases)} test cases")
    return Feedback(RIGHT, f"{what} gives the right value on {inputs}.")


def _author_result(result, args):
    """The library's or a reference's result as a float array; an error here is the author's."""
    if isinstance(result, (bool, np.bool_)):
        return result
    try:
        return np.asarray(np.asarray(result, dtype=object).tolist(), dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"reference: expected a function returning a number or an array of "
                        f"numbers, got {short(repr(result))} for the case {args!r}") from None


def _run_limited(function, args, deadline, time_limit):
    """The student's result as numbers, or a Feedback saying what went wrong.

    A worker thread whose trace function raises _TimeUp after the deadline (sent again from
    outside if caught): signal.alarm reaches only the main thread and clashes with pytest's and
    ipykernel's handlers; a subprocess cannot take a notebook's lambdas. One long C call that
    holds the GIL (10**10**9) is not stopped."""
    box = {}

    def tracer(frame, event, arg):
        if time.monotonic() > deadline:
            raise _TimeUp
        return tracer

    def target():
        sys.settrace(tracer)
        try:
            box["result"] = _as_numbers(function(*args))
        except BaseException as error:  # noqa: BLE001 (anything the student's code raises)
            box["error"] = error
        finally:
            sys.settrace(None)

    worker = threading.Thread(target=target, name="bp-student-function", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()) + 0.05)
    for _ in range(20):  # the function caught _TimeUp: send it again, from outside
        if not worker.is_alive():
            break
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident),
                                                   ctypes.py_object(_TimeUp))
        worker.join(0.05)
    limit = f"{fmt(time_limit)} s"
    if worker.is_alive():
        return Feedback(WRONG, f"did not finish within the time limit ({limit}) and could not "
                               "be stopped; it goes on in the background (restart the kernel "
                               "if the notebook gets slow). Look for an endless loop or a "
                               "huge computation.")
    if "error" in box:
        return _error_feedback(box["error"])
    return box["result"]


def _error_feedback(error) -> Feedback:
    if isinstance(error, _TimeUp):
        return Feedback(WRONG, "did not finish within the time limit: look for a loop that "
                               "never ends (a while loop whose condition stays true) or a "
                               "huge computation.")
    if isinstance(error, SystemExit):
        return Feedback(WRONG, "called exit() or sys.exit(): a function for this exercise "
                               "should return its value, not stop Python.")
    try:
        text = str(error)
        text = text if len(text) <= 160 else short(text)
    except Exception:  # noqa: BLE001 (a student's exception whose str() fails)
        text = "(its message cannot be shown)"
    return Feedback(WRONG, f"raised {type(error).__name__}{': ' + text if text else ''}.")


def _as_numbers(result):
    """The student's result as a float array, or a Feedback saying what it is instead."""
    if result is None:
        return Feedback(UNANSWERED, "returned None: finish it with a return statement.")
    if isinstance(result, (bool, np.bool_)):
        return result
    if isinstance(result, (str, bytes)):
        return Feedback(WRONG, f"returned the text {short(repr(result))}, not a number.")
    if callable(result):
        return Feedback(WRONG, "returned a function, not a number. To use a solution, put "
                               "the line `name = solution_N_M()` (with the exercise's name "
                               "and number) above the check, not inside the function.")
    try:
        array = np.asarray(result, dtype=float)
    except OverflowError:
        return Feedback(WRONG, "returned a number too large for floating point (more than "
                               "about 1.8e308).")
    except (TypeError, ValueError):
        return Feedback(WRONG, f"returned a {type(result).__name__}, which is not a number "
                               "or an array of numbers.")
    return array


def _judge(got, want, where, names=()):
    """None if ``got`` matches ``want``, else a Feedback saying how it differs, in words (in a
    result too long to show, the first wrong entry, by its name in ``names``)."""
    if isinstance(want, (bool, np.bool_)):
        if isinstance(got, (bool, np.bool_)) and bool(got) == bool(want):
            return None
        return Feedback(WRONG, f"{where} returned {_show(got)}; expected {want}.")
    if isinstance(got, (bool, np.bool_)):
        return Feedback(WRONG, f"{where} returned {got}, a boolean, not a number.")
    if got.shape != want.shape and not (got.size == want.size == 1):
        return Feedback(WRONG, f"{where} returned {_shape_text(got)}, but the answer is "
                               f"{_shape_text(want)}.")
    got = got.reshape(want.shape)
    if not np.isfinite(got).all() and np.isfinite(want).all():
        bad = got[~np.isfinite(got)].reshape(-1)[0]
        return Feedback(WRONG, f"{where} returned {bad}, not a finite number (look for a "
                               "division by 0 or a number that grows too large).")
    if close(got, want):
        return None
    if want.size > 12:
        wrong = [k for k, pair in enumerate(zip(got.flat, want.flat))
                 if not close(*map(np.array, pair))]
        k, first = wrong[0], " (the first of them)" if len(wrong) > 1 else ""
        at = names[k] if names else f"entry {list(np.unravel_index(k, want.shape))}"
        return Feedback(WRONG, f"{where} returned {want.size} numbers, {len(wrong)} of them wrong: "
                               f"{at} is {fmt(got.flat[k])}; expected {fmt(want.flat[k])}{first}.")
    return Feedback(WRONG, f"{where} returned {_show(got)}; expected {_show(want)}.")


def _shape_text(array) -> str:
    return "one number" if array.size == 1 else f"an array of shape {array.shape}"


def _show(value) -> str:
    """A test case's argument or a result in a message: a number as ``fmt`` prints it, an array
    to 4 significant digits (its shape beyond 12 numbers), a network or a function by name."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, Network):
        return "a network"
    if callable(value):
        return function_name(value, "a function")
    if isinstance(value, numbers.Real):
        return fmt(value)
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}" if value.size > 12 else fmt(value, 4)
    return f"a {type(value).__name__}"


__all__ = ["FUNCTION_TIME_LIMIT", "Case", "check_function", "forward_only"]
