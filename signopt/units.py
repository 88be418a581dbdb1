"""How numbers are written everywhere (notebooks, records' printed lines, README, report)."""


def percent(fraction: float) -> str:
    """An accuracy: 0.99871 -> "99.87%"."""
    return f"{100 * fraction:.2f}%"


def count(value) -> str:
    """A size or count with thousands separators; "-" for none (None or NaN)."""
    return "-" if value is None or value != value else f"{int(value):,}"


LINE_WIDTH = 120  # no saved output line is wider, so that nothing is cut off in a notebook or a PDF


def wrap(text: str, width: int = LINE_WIDTH) -> str:
    """``text`` folded into lines of at most ``width`` characters, each paragraph on its own
    and continuation lines indented; a word longer than the line (a hash) is broken."""
    import textwrap
    return "\n".join(textwrap.fill(line, width, subsequent_indent="    ", break_on_hyphens=False)
                     for line in text.splitlines() or [""])


def say(*texts: str) -> None:
    """Print each text folded to ``LINE_WIDTH`` (``wrap``)."""
    for text in texts:
        print(wrap(str(text)), flush=True)


def settings_text(settings: dict) -> str:
    """A settings dict in one line, per-layer values as layer=value: "epochs 3, lr 0.002, clusters {conv2=2}"."""
    def shown(value):
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k}={shown(v)}" for k, v in value.items()) + "}"
        return f"{value:g}" if isinstance(value, float) else str(value)
    return ", ".join(f"{key} {shown(value)}" for key, value in settings.items())
