"""How numbers are written everywhere (notebooks, records' printed lines, README, report)."""


def percent(fraction: float) -> str:
    """An accuracy: 0.99871 -> "99.87%"."""
    return f"{100 * fraction:.2f}%"


def count(value) -> str:
    """A size or count with thousands separators; "-" for none (None or NaN)."""
    return "-" if value is None or value != value else f"{int(value):,}"
