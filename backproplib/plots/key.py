"""The colours of the figures in words, read from ``style``, so that a notebook's text names the
colour a figure really draws (the words live next to the hex values they describe)."""

from . import style

#: a word for each colour of ``style.KEY_COLOURS``; a changed colour without a word here fails
#: loudly (tests/test_reruns.py prints the key under every activation)
WORDS = {
    "#0072B2": "blue",
    "#B34700": "brown-orange",
    "#595959": "grey",
    "#000000": "black",
    "#CC79A7": "pink-purple",
    "#E69F00": "yellow-orange",
}


def colour_word(meaning: str) -> str:
    """The word for the colour of ``meaning`` ("value", "gradient", "blocked", "current",
    "path", "negative weight"), as the figures draw it."""
    if meaning not in style.KEY_COLOURS:
        raise ValueError(f"unknown meaning {meaning!r}; known: {', '.join(style.KEY_COLOURS)}")
    colour = style.KEY_COLOURS[meaning]
    if colour.upper() not in {c.upper() for c in WORDS}:
        raise ValueError(f"style colour {colour} for {meaning!r} has no word in plots/key.py")
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
