"""Content negotiation: which of the formats we offer the ``Accept`` header prefers."""

from __future__ import annotations


def preferred(accept: str | None, offered: dict[str, str]) -> str | None:
    """The format (a value of ``offered``, keyed by media type) ``accept`` ranks highest.

    Ranked by quality, then a specific media type over a wildcard, then the order written.
    None when the header accepts none of the offered types.
    """
    best: tuple[tuple[float, int, int], str] | None = None
    for position, part in enumerate((accept or "").split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        fmt = offered.get(media.lower())
        if fmt is None or q <= 0:
            continue
        rank = (q, 0 if "*" in media else 1, -position)
        if best is None or rank > best[0]:
            best = (rank, fmt)
    return best[1] if best else None
