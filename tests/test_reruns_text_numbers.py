"""Every number of a parameters cell given as text, as an instructor may type it ("1/100",
"20"): the notebook runs to the end (the project rule: honest for any parameters, numbers as
text included). test_reruns.py passes the chain's x, y, weights and biases as text; these sets
add the learning rate, the counts and section 3's z of notebook 12, which crashed, and every
other number of 07, 08, 10, 11 and 14:

- 06: ``bp.fmt(learning_rate)`` on "1/100" (ValueError: could not convert string to float), and
  ``max(100, steps)`` on "20";
- 09: ``steps + 1`` and ``np.random.default_rng(seed)`` on "20" and "0";
- 12: ``classification.one_neuron_run`` divides ``output_z`` = "4" by 2;
- 13: ``depth_view`` compares ``depth`` = "20" with an int, and ``seed + 13`` on "0".
"""

from __future__ import annotations

import pytest
from notebook_cells import NOTEBOOKS, rerun

CHAIN = {"x": "1/2", "y": "0", "weights": ["1/10", "0.01", "1/2"], "biases": ["2", "1", "3"]}
SETS = {
    "06_gradient_descent": dict(CHAIN, learning_rate="1/100", steps="20"),
    "09_many_examples": {"xs": ["1/2", "-4", "2", "8"], "ys": ["0", "4", "1", "5"],
                         "learning_rate": "1/20", "batch_size": "2", "steps": "20", "seed": "0"},
    "12_classification": {"output_z": "7/2", "output_target": "1/10", "steps": "300",
                          "learning_rate": "1/10", "n_examples": "300", "hidden": ["8", "8"]},
    "13_deep_networks": {"depth": "12", "width": "16", "scale": "1", "seed": "0", "m": "32",
                         "bad_bias": "-1"},
    # the notebooks with other numbers than the chain's (test_reruns.py runs the chain as text)
    "07_many_neurons": {"x": ["1/2", "-1"], "y": ["0", "2"],
                        "weights": [[["1/10", "-0.2"], ["0.4", "3/10"], ["-1/2", "0.2"]],
                                    [["0.3", "0.6", "-1/10"], ["1/2", "-0.4", "0.2"]],
                                    [["0.7", "-0.3"], ["1/5", "0.8"]]],
                        "biases": [["2", "1", "1/2"], ["0.1", "2/5"], ["0.3", "-0.2"]]},
    "08_checking_gradients": dict(CHAIN, h="1/100000", depth="10"),
    "10_computational_graph": dict(CHAIN, fan_out_weights=[[["1/10"], ["-0.4"]], [["1/2", "0.3"]]],
                                   fan_out_biases=[["2", "1"], ["3"]]),
    "11_train_a_network": {"n_examples": "200", "learning_rate": "3/100", "batch_size": "10",
                           "steps": "1000", "seed": "0", "hidden": ["8", "8"]},
    "14_autodiff_framework": dict(CHAIN, xs=["1/2", "-1", "2"], ys=["0", "1", "1/2"]),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", SETS)
def test_every_number_of_the_parameters_cell_may_be_text(name, tmp_path):
    nb = rerun(NOTEBOOKS / f"{name}.ipynb", tmp_path / f"{name}.ipynb",
               dict(SETS[name], activation="tanh"))
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors
