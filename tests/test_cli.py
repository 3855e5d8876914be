"""python -m backproplib: the worked example's handout, other numbers, formats and bad arguments."""

import json
import subprocess
import sys

import pytest

import backproplib as bp


def run(*args):
    return subprocess.run([sys.executable, "-m", "backproplib", *args], capture_output=True,
                          text=True, timeout=60)


def test_default_prints_the_worked_example_in_the_seeds_order():
    result = run()
    assert result.returncode == 0, result.stderr
    numbers = ["2.05", "1.0205", "3.51025", "7.0205", "7.16442025", "7.1960125", "0.0351025",
               "0.01755125"]
    positions = [result.stdout.index(n) for n in numbers]
    assert positions == sorted(positions)
    assert "dC/dw(H0) = 0.0351025 * 1 * 0.5 = 0.01755125" in result.stdout


def test_json_handout_for_other_numbers():
    args = ["--x", "2", "--y", "1", "--weights", "0.4", "-0.3", "0.6", "--biases", "0.1", "1", "0.3"]
    result = run(*args, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    net = bp.Network.chain(weights=["0.4", "-0.3", "0.6"], biases=["0.1", "1", "0.3"])
    g = net.backward("2", "1")
    assert data["gradients"] == {name: bp.fmt(v) for name, v in g.as_dict().items()}
    assert data["forward"]["H1"]["z"] == bp.fmt(net.forward("2").z["H1"][0])
    assert data["exact"] is True


@pytest.mark.parametrize("fmt, marker", [("markdown", r"\frac{\partial C_0}"),
                                         ("latex", r"\begin{gather*}")])
def test_other_formats(fmt, marker):
    result = run("--format", fmt)
    assert result.returncode == 0 and marker in result.stdout


def test_sigmoid_handout_in_floats():
    result = run("--activation", "sigmoid", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["exact"] is False


@pytest.mark.parametrize("args, words", [
    (["--x", "abc"], "x: expected a number"),
    (["--weights", "1", "2"], "expected one of each per layer"),
    (["--activation", "softplus"], "unknown activation 'softplus'; known: relu"),
    (["--activation", "tanh", "--exact"], "exact=True needs rational activations"),
    (["--format", "pdf"], "invalid choice"),
])
def test_bad_arguments_get_one_line_and_status_2(args, words):
    result = run(*args)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr
