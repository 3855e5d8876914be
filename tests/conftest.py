"""Shared fixtures for the library tests. Keep this small: other test files may add to it."""

import pytest

import backproplib as bp


@pytest.fixture
def worked():
    """The seed's network and data: (net, x, y) with x = 0.5, y = 0."""
    return bp.worked_example()
