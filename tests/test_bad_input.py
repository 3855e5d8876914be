"""Bad input gets a ValueError or TypeError that names the layer, what was expected and what
was given (DESIGN.md): never a silent NaN."""

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from notebook_cells import code_cells, tags

import backproplib as bp
from backproplib.learning import datasets, training
from backproplib.learning import depth as deep
from backproplib.learning.classification import make_classes
from backproplib.learning.descent import MAX_STEPS

KNOWN = "relu, leaky_relu, sigmoid, tanh, linear, softmax"


def wide(**overrides):
    spec = dict(weights=[np.ones((2, 3)), np.ones((1, 2))], biases=[np.zeros(2), [0.0]],
                activations="relu")
    spec.update(overrides)
    return bp.Network(**spec)


# --- shapes ---------------------------------------------------------------------------------
def test_weights_that_do_not_fit_the_previous_layer():
    with pytest.raises(ValueError, match=r"weights of layer Out: expected shape \(1, 2\).*"
                                         r"got \(1, 3\)"):
        wide(weights=[np.ones((2, 3)), np.ones((1, 3))])


def test_weights_that_do_not_fit_in_a_deeper_network():
    with pytest.raises(ValueError, match=r"weights of layer H1: expected shape \(4, 2\).*"
                                         r"2 outputs of H0.*got \(4, 5\)"):
        bp.Network([np.ones((2, 3)), np.ones((4, 5)), np.ones((1, 4))],
                   [np.zeros(2), np.zeros(4), [0]])


def test_biases_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"biases of layer H0: expected 2 .*got 3"):
        wide(biases=[np.zeros(3), [0.0]])


def test_a_bias_matrix_instead_of_a_vector():
    with pytest.raises(ValueError, match=r"biases of layer H0: expected a list of numbers.*"
                                         r"shape \(2, 1\)"):
        wide(biases=[np.zeros((2, 1)), [0.0]])


def test_a_weight_vector_instead_of_a_matrix():
    with pytest.raises(ValueError, match=r"weights of layer Out: expected a matrix.*shape \(2,\)"):
        wide(weights=[np.ones((2, 3)), np.ones(2)])


def test_ragged_weight_rows():
    with pytest.raises(ValueError, match=r"weights of layer H0: rows of different lengths.*"
                                         r"\[\[1, 2\], \[3\]\]"):
        bp.Network([[[1, 2], [3]], [[1, 1]]], [[0, 0], [0]])


def test_ragged_example_rows():
    with pytest.raises(ValueError, match=r"x: rows of different lengths in \[\[1, 2, 3\], \[4\]\]"):
        wide().forward([[1, 2, 3], [4]])
    with pytest.raises(ValueError, match=r"y: rows of different lengths in .*characters"):
        wide().backward([[1, 2, 3]] * 2, [[0.5], [0.5] * 40])


@pytest.mark.parametrize("xs, words", [
    ([], "xs: expected at least one number, got an empty array"),
    ([[0.5], [1, 2]], r"xs: rows of different lengths in \[\[0.5\], \[1, 2\]\]"),
    ([0.5, [1]], r"xs: rows of different lengths in \[0.5, \[1\]\]"),
])
def test_an_empty_or_ragged_list_of_examples(xs, words):
    net = bp.Network.chain(weights=[0.1, 0.5], biases=[2, 3], activation="relu")
    with pytest.raises(ValueError, match=words):
        net.batch(xs, [0] * len(xs))


def test_one_bias_vector_per_layer():
    with pytest.raises(ValueError, match=r"biases: expected .*one vector b per layer \(2\), got 1"):
        wide(biases=[np.zeros(2)])


def test_one_activation_per_layer():
    with pytest.raises(ValueError, match=r"activations: expected one per layer \(2: H0, Out\), "
                                         r"got 3"):
        wide(activations=["relu"] * 3)


def test_chain_needs_flat_lists():
    with pytest.raises(ValueError, match=r"Network.chain: .*weights as a flat list.*got \[\[0.1\]\]"):
        bp.Network.chain([[0.1]], [1])
    with pytest.raises(ValueError, match=r"Network.chain: .*weights as a flat list.*got \[1, \[2, 3\]\]"):
        bp.Network.chain([1, [2, 3]], [1, 2])
    with pytest.raises(ValueError, match=r"Network.chain: .*biases as a flat list.*got 'abc'"):
        bp.Network.chain([0.1], "abc")
    with pytest.raises(ValueError, match=r"one weight and one bias per layer, got 2 weights and 1 biases"):
        bp.Network.chain([0.1, 0.2], [1])
    with pytest.raises(ValueError, match=r"got 2 weights and 3 biases"):  # names both, blames neither
        bp.Network.chain(weights=[0.1, 0.2], biases=[2, 1, 3])


def test_an_empty_layer():
    with pytest.raises(ValueError, match="weights of layer Out: expected at least one number"):
        bp.Network([[[]]], [[0]])


# --- an empty network -----------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: bp.Network([], []),
    lambda: bp.Network.chain([], []),
])
def test_empty_network(make):
    with pytest.raises(ValueError, match="weights: expected a list with one matrix W per layer"):
        make()


# --- x and y --------------------------------------------------------------------------------
@pytest.mark.parametrize("x", [[1, 2], np.array([1.0, 2.0]), [1, 2, 3, 4]])
def test_x_of_the_wrong_length(x):
    with pytest.raises(ValueError, match=rf"x: expected 3 numbers \(the input layer has 3 "
                                         rf"neurons\), got {len(x)}"):
        wide().forward(x)


@pytest.mark.parametrize("y", [[1, 2], np.zeros(3)])
def test_y_of_the_wrong_length(y):
    with pytest.raises(ValueError, match=rf"y: expected 1 number \(Out has 1 neuron\), "
                                         rf"got {len(y)}"):
        wide().backward([1, 2, 3], y)


def test_x_as_a_matrix_is_a_batch_and_a_cube_is_refused(worked):
    net, _, _ = worked
    assert net.forward(np.array([[0.5]])).output.shape == (1, 1)  # a batch of one example
    with pytest.raises(ValueError, match=r"x: expected a list of numbers.*shape \(1, 1, 1\)"):
        net.forward(np.array([[[0.5]]]))


def test_a_batch_needs_one_target_per_example(worked):
    net, _, _ = worked
    with pytest.raises(ValueError, match=r"x and y: expected as many targets as examples"):
        net.backward([[0.5], [1.0]], [[0.0]])
    with pytest.raises(ValueError, match=r"x and y: expected as many targets as examples"):
        net.backward([[0.5], [1.0]], 0)


# --- NaN and infinity -----------------------------------------------------------------------
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -np.inf, np.float64("nan")])
def test_nan_or_infinity_in_weights_and_biases(bad):
    with pytest.raises(ValueError, match=r"weights of layer H0 \[1,2\]: expected a finite number"):
        wide(weights=[[[1, 1, 1], [1, 1, bad]], [[1, 1]]])
    with pytest.raises(ValueError, match=r"biases of layer Out \[0\]: expected a finite number"):
        wide(biases=[[0, 0], [bad]])


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_nan_or_infinity_in_x_and_y(worked, bad):
    net, x, y = worked
    with pytest.raises(ValueError, match=r"x( \[0\])?: expected a finite number, got (nan|inf)"):
        net.forward(bad)
    with pytest.raises(ValueError, match=r"x \[2\]: expected a finite number"):
        wide().forward(np.array([1.0, 2.0, bad]))
    with pytest.raises(ValueError, match=r"y( \[0\])?: expected a finite number"):
        net.backward(x, bad)
    with pytest.raises(ValueError, match=r"x( \[0\])?: expected a finite number"):
        bp.Network.chain(["0.1"], [0], exact=True).forward(bad)
    with pytest.raises(ValueError, match=r"x \[0\]: expected a finite number"):
        net.forward([bad])


def test_overflow_is_an_error_not_a_silent_inf():
    net = bp.Network.chain([1e200, 1e200], [0, 0], "linear")
    with pytest.raises(OverflowError, match="overflowed in layer Out"):
        net.forward(1)


# --- activations ----------------------------------------------------------------------------
def test_unknown_activation_lists_the_known_ones():
    with pytest.raises(ValueError, match=f"unknown activation 'swish'; known: {KNOWN}"):
        wide(activations="swish")


def test_unknown_activation_in_a_list_names_the_layer():
    with pytest.raises(ValueError, match=f"activation of layer Out: unknown activation 'swish'; "
                                         f"known: {KNOWN}"):
        wide(activations=["relu", "swish"])


def test_activation_that_is_not_a_name():
    with pytest.raises(TypeError, match="expected the name of an activation, got 5"):
        wide(activations=5)


# --- text and booleans ----------------------------------------------------------------------
def test_text_that_is_not_a_number():
    with pytest.raises(ValueError, match=r"weights of layer Out \[0,1\]: expected a number .*"
                                         r"got the text 'abc'"):
        wide(weights=[np.ones((2, 3)), [[1, "abc"]]])
    with pytest.raises(ValueError, match=r"x \[1\]: expected a number.*got the text 'two'"):
        wide().forward([1, "two", 3])
    with pytest.raises(ValueError, match=r"got the text '1/0'"):
        bp.Network.chain(["1/0"], [0])


def test_text_that_is_a_number_is_fine():
    net = bp.Network.chain([" 0.5 ", "1/2"], ["1", "2"], exact=False)
    assert net.forward("2").output[0] == 3  # H0: 0.5*2 + 1 = 2; Out: 0.5*2 + 2 = 3


def text_counts_and_rates():
    from backproplib.learning.classification import one_neuron_run
    from backproplib.learning.descent import gradient_descent
    from backproplib.widgets.classification import slow_start_view
    from backproplib.widgets.depth import depth_view

    net, x, y = bp.worked_example()
    return {
        "steps": lambda: bp.whole_number("lots", "steps"),
        "learning_rate": lambda: bp.positive_number("fast", "learning_rate"),
        "steps ": lambda: gradient_descent(net, x, y, "1/100", "lots"),
        "learning_rate ": lambda: gradient_descent(net, x, y, "fast", "20"),
        "z": lambda: one_neuron_run("lots", "0", "quadratic"),
        "z ": lambda: slow_start_view("far", "0"),
        "y": lambda: slow_start_view("4", "none"),
        "depth": lambda: depth_view(depth="lots", width="4", m="2"),
        "seed": lambda: depth_view(depth="3", width="4", seed="any", m="2"),
    }


@pytest.mark.parametrize("what", ["steps", "learning_rate", "steps ", "learning_rate ", "z",
                                  "z ", "y", "depth", "seed"])
def test_counts_rates_and_z_as_bad_text_name_what_was_wrong(what):
    """A count, rate, seed or z given as text that is no number ("lots" for steps): the error
    names the parameter and the text (notebooks 06, 09, 12, 13 pass their parameters as typed)."""
    with pytest.raises(ValueError, match=rf"^{what.strip()}: expected .*number.*got the text"):
        text_counts_and_rates()[what]()


@pytest.mark.parametrize("what, value", [("steps", "1/2"), ("seed", "-1")])
def test_counts_as_text_must_be_whole(what, value):
    with pytest.raises(ValueError, match=rf"^{what}: expected a whole number.*got"):
        bp.whole_number(value, what)


def test_bad_text_for_a_count_or_a_rate_gets_an_example_of_its_own_kind():
    with pytest.raises(ValueError, match=r"^steps: expected a whole number such as 20, got the "
                                         r"text 'lots'$"):
        bp.whole_number("lots", "steps")
    with pytest.raises(ValueError, match=r"^learning_rate: expected a positive number such as "
                                         r"0.01, got the text 'fast'$"):
        bp.positive_number("fast", "learning_rate")


def test_counts_rates_and_z_as_text_are_read_as_numbers():
    from backproplib.learning.classification import one_neuron_run

    assert (bp.whole_number("20", "steps"), bp.positive_number("1/100", "learning_rate")) == \
        (20, 0.01)
    assert one_neuron_run("4", "0", "quadratic", steps="3") == \
        one_neuron_run(4.0, 0, "quadratic", steps=3)


@pytest.mark.parametrize("flag", [True, False, np.bool_(True)])
def test_booleans_are_not_numbers(flag):
    with pytest.raises(TypeError, match=r"w_H0: expected a number, "
                                        r"got the boolean"):
        bp.Network.chain([flag, 1], [0, 0])
    with pytest.raises(TypeError, match=r"x( \[0\])?: expected a number, got the boolean"):
        bp.worked_example()[0].forward(flag)


@pytest.mark.parametrize("thing", [None, object(), {"a": 1}])
def test_other_things_that_are_not_numbers(thing):
    with pytest.raises(TypeError, match="x.*expected a number"):
        bp.worked_example()[0].forward(thing)


# --- parameter names ------------------------------------------------------------------------
def test_with_params_unknown_name_lists_the_valid_ones(worked):
    net, _, _ = worked
    with pytest.raises(ValueError, match="unknown parameter 'w_H5'; valid names: w_H0, b_H0, "
                                         "w_H1, b_H1, w_Out, b_Out"):
        net.with_params({"w_H5": 1})


def test_with_params_unknown_name_on_a_wide_network():
    with pytest.raises(ValueError, match=r"unknown parameter 'w_H0'; valid names: w_H0\[0,0\], "
                                         r".*b_H0\[1\], w_Out\[0,0\], w_Out\[0,1\], b_Out"):
        wide().with_params({"w_H0": 1})  # a 2x3 matrix: the name needs [j,k]
    with pytest.raises(ValueError, match=r"unknown parameter 'w_H0\[2,0\]'"):
        wide().with_params({"w_H0[2,0]": 1})


@pytest.mark.parametrize("value, error, words", [
    (float("nan"), ValueError, "w_Out.*finite"),
    ("abc", ValueError, "w_Out.*the text 'abc'"),
    (True, TypeError, "w_Out.*boolean"),
])
def test_with_params_bad_values(worked, value, error, words):
    net, _, _ = worked
    with pytest.raises(error, match=words):
        net.with_params({"w_Out": value})


def test_with_params_takes_one_number_per_name(worked):
    net, _, _ = worked
    with pytest.raises(ValueError, match=r"w_Out: expected one number, got 2: \[1, 2\]"):
        net.with_params({"w_Out": [1, 2]})
    assert net.with_params({"w_Out": [0.7]}).params()["w_Out"] == 0.7


def test_unknown_parameter_name_in_gradients(worked):
    net, x, y = worked
    with pytest.raises(ValueError, match="unknown parameter 'w_H9'; valid names: w_H0"):
        net.backward(x, y)["w_H9"]


def test_training_refuses_more_steps_than_descent_takes_instead_of_running_for_hours():
    net = bp.Network.chain(weights=[0.5], biases=[0.0], activation="linear", exact=False)
    trainer = training.Trainer(net, [[1.0]], [[0.0]], 0.01, batch_size=1)
    expected = f"steps: expected at most {MAX_STEPS:,}, got {MAX_STEPS + 1}"
    with pytest.raises(ValueError, match=expected):
        trainer.train(MAX_STEPS + 1)
    assert trainer.steps == 0



@pytest.mark.parametrize("make, words", [
    (lambda: deep.deep_network(10**9, 32), "depth and width: expected at most 100,000 "
                                           r"weights \(depth x width x width\), got 1000000000 x 32 x 32"),
    (lambda: deep.deep_network(2, 10**9), "depth and width: expected at most"),
    # 30 x 1825 x 1825 was allowed: Network's table of 10**8 names alone outgrew 23 GB
    (lambda: deep.deep_network(30, 1825), "got 30 x 1825 x 1825"),
    (lambda: deep.deep_data(deep.deep_network(3, 4), 10**9),
     f"m: expected at most {10**7 // 13:,}, got 1000000000"),
])
def test_a_deep_network_or_batch_too_big_for_memory_is_refused_before_allocating(make, words):
    with pytest.raises(ValueError, match=words):
        make()


def test_an_initial_network_too_big_for_memory_is_refused_before_drawing():
    with pytest.raises(ValueError, match=r"layer sizes \[2, 1000000000, 1\]: expected at most "
                                         r"100,000 weights, got 3,000,000,000"):
        training.initial_network([2, 10**9, 1])
    # 2-100000-1 was allowed, and notebook 11 trained it for 169 s (8 GB)
    with pytest.raises(ValueError, match=r"^layer sizes \[2, 100000, 3\]: expected at most "
                                         r"100,000 weights, got 500,000$"):
        training.initial_network([2, 100000, 3])


@pytest.mark.parametrize("name", ["circle", "spiral"])
def test_a_data_set_too_big_for_memory_is_refused_before_drawing(name):
    with pytest.raises(ValueError, match="n_examples: expected at most 50,000, got 1000000000"):
        datasets.make(name, 10**9)
    # 10**5 was allowed, and notebook 11 trained on them in batches of 10**5 for 78 s
    with pytest.raises(ValueError, match="^n_examples: expected at most 50,000, got 100000$"):
        make_classes(name, 10**5)


def test_a_pass_over_the_data_too_big_for_memory_is_refused_before_training():
    # 5 * 10**4 examples and 2-33333-1 were each allowed alone, and together the first cost over
    # the data set would hold 13 GB of z's
    data = datasets.make("circle", 50_000)
    with pytest.raises(ValueError, match=r"^the data set and the network: expected at most "
                                         r"10,000,000 values .* got 50,000 x 33,336: use fewer"):
        training.Trainer(training.initial_network([2, 33333, 1]), data.X, data.Y)
    training.Trainer(training.initial_network([2, 197, 1]), data.X, data.Y)  # 10,000,000: fine


def test_hidden_is_a_list_of_widths():
    with pytest.raises(ValueError, match="^" + re.escape(HIDDEN + "got '8,8'") + "$"):
        training.hidden_layers("8,8")
    with pytest.raises(ValueError, match=r"^hidden \[0\]: expected a whole number, got 8.5$"):
        training.hidden_layers([8.5])
    assert training.hidden_layers([]) == [] and training.hidden_layers(("8", 8.0)) == [8, 8]
    # the network they make from the plane's two inputs, within the weights every network has
    assert training.hidden_layers([20000], outputs=3) == [20000]
    with pytest.raises(ValueError,
                       match=r"^hidden: the layer sizes \[2, 20001, 3\]: expected at most "):
        training.hidden_layers([20001], outputs=3)


# --- an instructor's parameters, read where the notebook reads them ---------------------------
OVERFLOW = ("the cost or a gradient overflowed: the numbers grew past what floating point holds "
            "(about 1.8e308); use smaller weights, inputs or targets.")
HIDDEN = ("hidden: expected a list of hidden-layer widths such as [8, 8] ([8] for one hidden "
          "layer, [] for none), ")


@pytest.mark.parametrize("notebook, parameters, words", [
    ("08_checking_gradients", {"depth": 0}, "depth: expected a whole number >= 2, got 0"),
    ("08_checking_gradients", {"depth": 1}, "depth: expected a whole number >= 2, got 1"),
    ("08_checking_gradients", {"depth": 10**9}, "depth: expected at most 100, got 1000000000"),
    ("14_autodiff_framework", {"xs": "abc"}, "xs: expected a list of examples, got 'abc'"),
    ("14_autodiff_framework", {"xs": 0.5}, "xs: expected a list of examples, got 0.5"),
    ("06_gradient_descent", {"steps": 0}, "steps: expected a whole number >= 1, got 0"),
    ("09_many_examples", {"steps": 0}, "steps: expected a whole number >= 1, got 0"),
    ("09_many_examples", {"steps": 10**9}, f"steps: expected at most {MAX_STEPS:,}, got 1000000000"),
    ("08_checking_gradients", {"h": 1e-13}, "h: expected a step between 1e-12 and 1 such as "
     "1e-5, got 1e-13: a smaller step drowns the difference in round-off (C(p + h) and C(p - h) "
     "become equal)"),
    ("11_train_a_network", {"hidden": 8}, HIDDEN + "got 8"),
    # inside the old limits, these took 260 s (8 GB) and 113 s; 13's network of 6.7 * 10**7
    # weights would have needed about 26 GB for its table of parameter names alone
    ("11_train_a_network", {"hidden": [100000]},
     "hidden: the layer sizes [2, 100000, 1]: expected at most 100,000 weights, got 300,000"),
    ("11_train_a_network", {"n_examples": 10**6},
     "n_examples: expected at most 50,000, got 1000000"),
    # each within its own limit, together refused only at the Trainer, four cells later
    ("11_train_a_network", {"n_examples": 50_000, "hidden": [33333]},
     "n_examples and hidden: expected at most 10,000,000 values in a pass over every example "
     "(examples x neurons), got 50,000 x 33,336: use fewer examples or narrower layers"),
    # train(0) took 0 steps, and the training panel refused them cells later
    ("11_train_a_network", {"steps": 0}, "steps: expected a whole number >= 1, got 0"),
    ("12_classification", {"steps": 0}, "steps: expected a whole number >= 1, got 0"),
    # overflow, refused in the network's words where the notebook first has x, y and the network,
    # not two to six cells later: 00's diagram drew it without numbers, 09 printed its table of
    # examples first, 10 printed a graph of infinite values
    ("00_start_here", {"x": 1e300}, OVERFLOW),
    ("09_many_examples", {"xs": [1e300, -4, 2, 8, -6, 1, 5, -3]}, OVERFLOW),
    ("10_computational_graph", {"x": 1e300}, OVERFLOW),
    ("13_deep_networks", {"bad_bias": 1e300}, OVERFLOW),  # read first, used eight cells later
    ("13_deep_networks", {"width": 1825}, "depth and width: expected at most 100,000 weights "
                                          "(depth x width x width), got 20 x 1825 x 1825"),
    ("12_classification", {"hidden": 8}, HIDDEN + "got 8"),
    ("12_classification", {"hidden": [20001]},  # 2-20000-3 holds 100,000: the most allowed
     "hidden: the layer sizes [2, 20001, 3]: expected at most 100,000 weights, got 100,005"),
    # named as the notebook names them, not as the library's arguments (weights, biases)
    ("07_many_neurons", {"param": "w_H9"}, "param: unknown parameter 'w_H9'; valid names: "
     "w_H0[0,0], w_H0[0,1], w_H0[1,0], w_H0[1,1], w_H0[2,0], w_H0[2,1], b_H0[0], b_H0[1], "
     "b_H0[2], w_H1[0,0], w_H1[0,1], w_H1[0,2], ... (11 more)"),
    ("10_computational_graph", {"fan_out_weights": "abc"},
     "fan_out_weights: expected a list with one matrix W per layer, got 'abc'"),
    ("10_computational_graph", {"fan_out_weights": [[[0.1], ["x"]], [[0.5, 0.3]]]},
     "fan_out_weights of layer H0 [1,0]: expected a number such as 0.1, -2 or 1/3, got the "
     "text 'x'"),
    ("10_computational_graph", {"fan_out_biases": [[2], [3]]},
     "fan_out_biases of layer H0: expected 2 (one per neuron), got 1"),
    ("12_classification", {"output_z": "abc"},
     "output_z: expected a number such as 0.1, -2 or 1/3, got the text 'abc'"),
    ("12_classification", {"output_target": 2},
     "output_target: expected a probability from 0 to 1 such as 0 or 0.5, got 2"),
    ("12_classification", {"output_target": "x"},
     "output_target: expected a probability from 0 to 1 such as 0 or 0.5, got the text 'x'"),
])
def test_a_bad_parameter_is_named_where_the_notebook_reads_it(tmp_path, notebook, parameters,
                                                               words):
    """The error comes from the first cell after the parameters that uses the parameter, with
    the bounds the library applies later (06 took steps = 0 and failed in gradient_descent)."""
    papermill = pytest.importorskip("papermill")
    notebooks = Path(__file__).resolve().parent.parent / "notebooks"
    reads = next(c.source for c in code_cells(nbformat.read(notebooks / f"{notebook}.ipynb", 4))
                 if "parameters" not in tags(c)
                 and all(re.search(rf"\b{name}\b", c.source) for name in parameters))
    with pytest.raises(papermill.PapermillExecutionError) as error:
        papermill.execute_notebook(str(notebooks / f"{notebook}.ipynb"),
                                   str(tmp_path / "out.ipynb"), parameters=parameters,
                                   cwd=str(notebooks),
                                   kernel_name="python3", progress_bar=False)
    assert (error.value.ename, error.value.evalue, error.value.source) == (
        "NumericOverflow" if words == OVERFLOW else "ValueError", words, reads)


def test_numbers_too_large_to_draw_are_refused_in_one_wording():
    # a slider's range and a cost curve's values: one rule (plots' LARGEST), one sentence
    from backproplib import plots, widgets

    net = bp.Network.chain([0.5], [0.1], "tanh")
    words = r"expected nothing beyond \+-1e300 \(a figure's axes end there\), got 1e\+301"
    with pytest.raises(ValueError, match=r"ranges\['w_Out'\]: " + words):
        widgets.forward_view(net, 1, 0, ranges={"w_Out": (0, "1e301")})
    with pytest.raises(ValueError, match=r"w_Out: " + words):
        widgets.forward_view(bp.Network.chain([1e301], [0.1], "tanh"), 1, 0)
    with pytest.raises(ValueError, match=r"values: " + words):
        plots.cost_vs_param(net, 1, 0, "w_Out", values=[-1e301, 0])


@pytest.mark.parametrize("ranges, words", [
    ({"learning_rate": (0, 0.3, 0.001)}, r"ranges\['learning_rate'\]: expected a positive "
                                         r"number such as 0.01, got 0 "),
    ({"learning_rate": (-0.1, 0.3)}, r"ranges\['learning_rate'\]: expected a positive number "
                                     r"such as 0.01, got -0.1$"),
    ({"learning_rate": (0.0005, 0.3, 0.001)}, r"ranges\['learning_rate'\] \(its low end on "
                                              r"the step's grid\): expected a positive number "
                                              r"such as 0.01, got 0 "),  # 0.01 - 10 * 0.001
    ({"steps": (0, 100, 1)}, r"ranges\['steps'\]: expected a whole number >= 1, got 0$"),
    ({"steps": (1, 10**9)}, r"ranges\['steps'\]: expected at most 100,000, got 1000000000$"),
])
def test_a_descent_range_is_checked_when_the_panel_is_built(ranges, words):
    # by the rule its slider's value is checked with, not when the slider first reaches 0
    from backproplib import widgets

    net = bp.Network.chain([0.5, 0.4, 0.3], [0.1, 0.2, 0.3], "tanh")
    widgets.descent_view(net, 1, 0, ranges={"learning_rate": (0.002, 0.5), "steps": (1, 50)})
    with pytest.raises(ValueError, match=words):
        widgets.descent_view(net, 1, 0, ranges=ranges)
