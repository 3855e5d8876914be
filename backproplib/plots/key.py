"""The colours of the figures in words, read from ``style``, so that a notebook's text names the
colour a figure really draws (the words live next to the hex values they describe)."""

from . import style


def colour_word(meaning: str) -> str:
    """The word for the colour of ``meaning`` ("value", "gradient", "blocked", "current",
    "path", "negative weight"), as the figures draw it."""
    if meaning not in style.KEY_COLOURS:
        raise ValueError(f"unknown meaning {meaning!r}; known: {', '.join(style.KEY_COLOURS)}")
    colour = style.KEY_COLOURS[meaning]
    if colour not in style.COLOUR_WORDS:
        raise ValueError(f"style colour {colour} for {meaning!r} has no word in style.COLOUR_WORDS")
    return style.COLOUR_WORDS[colour]


def colour_key() -> str:
    """One line: what each colour means in every figure of the workbook."""
    return (f"In every figure: values {colour_word('value')}, gradients "
            f"{colour_word('gradient')}, blocked neurons {colour_word('blocked')} and dashed, "
            f"the current point {colour_word('current')}, descent paths {colour_word('path')}, "
            f"negative weights {colour_word('negative weight')}.")
