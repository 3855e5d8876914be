"""python -m backproplib: the worked example's handout, other numbers, formats and bad arguments."""

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import backproplib as bp
from backproplib.__main__ import main

SEED_SEQUENCE = ["2.05", "1.0205", "3.51025", "7.0205", "7.16442025", "3.51025", "7.1960125",
                 "0.0351025", "0.01755125"]
PROG = "python -m backproplib"


def run(*args):
    """The real command, in a process of its own."""
    return subprocess.run([sys.executable, "-m", "backproplib", *args], capture_output=True,
                          text=True, timeout=60)


def call(capsys, *args):
    """main() in this process: (status, stdout, stderr)."""
    try:
        status = main(list(args))
    except SystemExit as stop:
        status = stop.code
    out, err = capsys.readouterr()
    return status, out, err


def test_default_prints_the_worked_example_in_the_seeds_order():
    result = run()
    assert result.returncode == 0, result.stderr
    position = 0
    for number in SEED_SEQUENCE:
        position = result.stdout.index(number, position) + len(number)
    assert "- dC0/dw_H0 = 0.0351025 * 1 * 0.5 = 0.01755125" in result.stdout.splitlines()


def test_json_handout_for_other_numbers(capsys):
    args = ["--x", "2", "--y", "1", "--weights", "0.4", "-0.3", "0.6", "--biases", "0.1", "1",
            "0.3"]
    status, out, _ = call(capsys, *args, "--format", "json")
    assert status == 0
    data = json.loads(out)
    net = bp.Network.chain(weights=["0.4", "-0.3", "0.6"], biases=["0.1", "1", "0.3"])
    g = net.backward("2", "1")
    assert data["gradients"] == {name: bp.fmt(v) for name, v in g.as_dict().items()}
    assert list(data["gradients"]) == list(net.parameter_names)
    assert data["forward"]["H1"] == {"z": bp.fmt(g.forward.z["H1"][0]),
                                     "a": bp.fmt(g.forward.a["H1"][0])}
    assert data["cost"] == bp.fmt(g.cost) and data["exact"] is True


def test_numbers_as_text_are_numbers(capsys):
    _, fraction, _ = call(capsys, "--x", "1/2", "--weights", "1/10", "1/100", "1/2", "--format",
                          "json")
    _, decimal, _ = call(capsys, "--format", "json")
    assert json.loads(fraction) == json.loads(decimal)
    assert json.loads(fraction)["gradients"]["w_H0"] == "0.01755125"


def test_negative_fractions_are_numbers_not_options(capsys):
    status, out, _ = call(capsys, "--weights", "0.3", "-1/5", "0.7", "--x", "-2e-1", "--format",
                          "json")
    assert status == 0
    g = bp.Network.chain(weights=["0.3", "-0.2", "0.7"], biases=[2, 1, 3]).backward("-0.2", 0)
    assert json.loads(out)["gradients"] == {n: bp.fmt(v) for n, v in g.as_dict().items()}


@pytest.mark.parametrize("fmt, marker", [("markdown", r"\frac{\partial C_0}"),
                                         ("latex", r"\begin{gather*}"),
                                         ("text", "- dC0/dw_Out = 7.0205 * 1 * 1.0205")])
def test_other_formats(capsys, fmt, marker):
    status, out, _ = call(capsys, "--format", fmt)
    assert status == 0 and marker in out


def test_sigmoid_handout_in_floats(capsys):
    status, out, _ = call(capsys, "--activation", "sigmoid", "--format", "json")
    assert status == 0 and json.loads(out)["exact"] is False
    status, out, _ = call(capsys, "--activation", "tanh")
    assert status == 0 and "tanh'(z_Out)" in out and "ReLU" not in out


def test_floats_on_request(capsys):
    status, out, _ = call(capsys, "--floats", "--format", "json")
    assert status == 0 and json.loads(out)["exact"] is False


@pytest.mark.parametrize("args, words", [
    (["--x", "abc"], "x: expected a number"),
    (["--weights", "1", "2"], "expected one of each per layer"),
    (["--activation", "softplus"], "unknown activation 'softplus'; known: relu"),
    (["--activation", "tanh", "--exact"], "--exact needs rational activations"),
    (["--format", "pdf"], "argument --format: invalid choice: 'pdf'"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["--weights"], "argument --weights: expected at least one argument"),
    (["--exact", "--floats"], "argument --floats: not allowed with argument --exact"),
    (["--weights", "1e5000", "1", "1", "--biases", "0", "0", "0"], "w_H0: expected a number between"),
    (["--x", "1" * 4000], "x: "),
    (["--x", "1e-5000"], "x: "),
    (["--x", "-1/0"], "x: expected a number such as 0.1, -2 or 1/3, got the text '-1/0'"),
    (["--floats", "--weights", "1e200", "1e200", "1", "--biases", "0", "0", "0"], "overflowed"),
])
def test_a_mistake_gets_one_line_and_status_2(capsys, args, words):
    status, out, err = call(capsys, *args)
    assert status == 2 and out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err  # no usage block, no traceback
    assert err.startswith(f"{PROG}: error: ") and words in err, err
    assert len(err) < 400


def test_the_real_command_answers_a_mistake_in_one_line():
    result = run("--format", "pdf")
    assert result.returncode == 2
    assert result.stderr.startswith(f"{PROG}: error: ") and result.stderr.count("\n") == 1
    result = run("--weights", "1e5000", "1", "1", "--biases", "0", "0", "0")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr and "4300" not in result.stderr


NUMBERS = st.one_of(
    st.text(max_size=12),
    st.integers(-10**400, 10**400).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.fractions(max_denominator=10**6).map(str),
    st.sampled_from(["1e5000", "-1e-5000", "1/0", "nan", "-inf", "0x10", "1_000", "--", "-", ""]),
)


@settings(max_examples=150, deadline=2000,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(x=NUMBERS, weight=NUMBERS, activation=st.sampled_from(["relu", "tanh", "sigmoid"]),
       fmt=st.sampled_from(["text", "json"]))
def test_any_number_gets_a_handout_or_one_line(capsys, x, weight, activation, fmt):
    status, out, err = call(capsys, "--x", x, "--weights", weight, "0.01", "0.5",
                            "--activation", activation, "--format", fmt)
    if status == 0:
        assert err == "" and "nan" not in out.lower() and "inf" not in out.lower()
        if fmt == "json":
            assert set(json.loads(out)["gradients"]) == {"w_H0", "b_H0", "w_H1", "b_H1",
                                                         "w_Out", "b_Out"}
    else:
        assert status == 2 and out == "" and err.count("\n") == 1, err
        assert err.startswith(f"{PROG}: error: ") and "Traceback" not in err
