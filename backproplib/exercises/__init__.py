"""Checks that answer a student's exercise at once, each computing its reference answer from
the exercise's inputs, so that a cell shows the question and the call, never the answer:

    exercises.check_gradient(answer, ex_net, ex_x, ex_y, "w_H1")

Every check returns a ``Feedback`` ("Right: ...", "Not yet: ..." with a hint, "Not answered
yet: ..." while the answer is None), truthy only when right. A student's answer never raises; an
author's slip raises ValueError or TypeError naming the argument.
"""

from .answers import MIN_DIGITS, RIGHT, UNANSWERED, WRONG, Feedback, check_choice, check_value
from .network import (
    check_activation_function,
    check_blocked,
    check_chain_function,
    check_direction,
    check_forward,
    check_gradient,
    check_nonzero_gradients,
    check_output_gradient,
    check_target_change,
    check_weight_source,
)
from .sandbox import FUNCTION_TIME_LIMIT, Case, check_function, forward_only
from .slips import what_if
from .topics import (
    check_accuracy_function,
    check_backprop_sum,
    check_backward_pass_function,
    check_batch_gradient_function,
    check_bouncing_rate,
    check_delta_function,
    check_descent_step,
    check_difference,
    check_difference_function,
    check_doubled_data,
    check_error_verdict,
    check_example_gradients_at_bottom,
    check_fan_out,
    check_finite_difference_passes,
    check_first_order_function,
    check_grid_reading,
    check_init_variance,
    check_larger_rate,
    check_lowest_run,
    check_need_hidden,
    check_output_delta,
    check_relative_error,
    check_scale_effect,
    check_single_neuron_limit,
    check_slow_start,
    check_softmax,
    check_softmax_shift,
    check_step_function,
    check_steps_per_epoch,
    check_summed_cost,
    check_summed_gradient,
    check_weight_count,
    grid_point,
)

__all__ = [
    "FUNCTION_TIME_LIMIT", "MIN_DIGITS", "RIGHT", "UNANSWERED", "WRONG", "Case", "Feedback",
    "check_blocked", "check_choice", "check_forward", "check_function", "check_gradient",
    "check_value", "forward_only", "check_activation_function", "check_chain_function",
    "check_direction", "check_nonzero_gradients", "check_output_gradient", "check_target_change",
    "check_weight_source", "check_backprop_sum", "check_batch_gradient_function",
    "check_bouncing_rate", "check_difference_function", "check_delta_function",
    "check_descent_step", "check_difference", "check_doubled_data", "check_error_verdict",
    "check_lowest_run", "check_step_function", "check_relative_error", "check_steps_per_epoch",
    "check_weight_count", "check_example_gradients_at_bottom", "check_accuracy_function",
    "check_larger_rate", "check_need_hidden", "check_single_neuron_limit",
    "check_first_order_function", "check_grid_reading", "grid_point",
    "check_backward_pass_function", "check_fan_out", "check_finite_difference_passes",
    "check_output_delta", "check_slow_start", "check_softmax", "check_softmax_shift",
    "check_init_variance", "check_scale_effect", "what_if", "check_summed_cost",
    "check_summed_gradient",
]
