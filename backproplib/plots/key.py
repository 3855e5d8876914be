"""The colours of the figures in words, read from ``style``, so that a notebook's text names the
colour a figure really draws (the words live next to the hex values they describe)."""

from . import style

#: the words live in ``style.COLOUR_WORDS``, beside the hex values they describe
WORDS = style.COLOUR_WORDS


def colour_word(meaning: str) -> str:
    """The word for the colour of ``meaning`` ("value", "gradient", "blocked", "current",
    "path", "negative weight"), as the figures draw it."""
    if meaning not in style.KEY_COLOURS:
        raise ValueError(f"unknown meaning {meaning!r}; known: {', '.join(style.KEY_COLOURS)}")
    colour = style.KEY_COLOURS[meaning]
    if colour.upper() not in {c.upper() for c in WORDS}:
        raise ValueError(f"style colour {colour} for {meaning!r} has no word in style.COLOUR_WORDS")
    return {c.upper(): w for c, w in WORDS.items()}[colour.upper()]


def colour_key() -> str:
    """One line: what each colour means in every figure of the workbook."""
    parts = [f"{meaning}s {colour_word(meaning)}" for meaning in
             ("value", "gradient")]
    parts.append(f"blocked neurons {colour_word('blocked')} and dashed")
    parts.append(f"the current point {colour_word('current')}")
    parts.append(f"descent paths {colour_word('path')}")
    parts.append(f"negative weights {colour_word('negative weight')}")
    return "In every figure: " + ", ".join(parts) + "."
