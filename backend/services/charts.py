"""PNG charts for bulletins (rankings bar chart, monthly trend line), with Chinese labels.

matplotlib runs headless (Agg) and draws Chinese with the same TrueType CJK font the certificates
embed (CERTIFICATE_FONT_PATH or the Debian font packages, services.certificates.FONT_CANDIDATES).
Without one, labels fall back to matplotlib's default font: the chart is still produced.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Sequence

from flask import current_app

log = logging.getLogger(__name__)
_font_path: str | None = None
_font_checked = False

RED = "#C8161D"
PALETTE = ("#C8161D", "#1F6FEB", "#2DA44E", "#BF8700", "#8250DF")


def _font():
    """FontProperties of the CJK font, or ``None`` when none is installed."""
    global _font_path, _font_checked
    from matplotlib import font_manager

    from backend.services.certificates import FONT_CANDIDATES

    if not _font_checked:
        configured = current_app.config.get("CERTIFICATE_FONT_PATH")
        for path in ([configured] if configured else []) + list(FONT_CANDIDATES):
            if path and os.path.exists(path):
                try:
                    font_manager.fontManager.addfont(path)
                except Exception as exc:  # noqa: BLE001 - a broken font must not stop a bulletin
                    log.warning("cannot use font %s for charts: %s", path, exc)
                    continue
                _font_path = path
                break
        else:
            log.warning("no CJK font found; chart labels may not show Chinese")
        _font_checked = True
    return font_manager.FontProperties(fname=_font_path) if _font_path else None


def _figure(width: float, height: float):
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    # A Figure without pyplot: no global state, safe in a threaded server or the scheduler.
    return Figure(figsize=(width, height), dpi=110)


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float], unit: str) -> bytes:
    """A horizontal ranking bar chart, best at the top, each bar labelled with its value."""
    font = _font()
    figure = _figure(7.5, max(2.5, 0.45 * len(labels) + 1.2))
    axes = figure.subplots()
    positions = list(range(len(labels)))[::-1]
    bars = axes.barh(positions, values, color=RED, height=0.6)
    axes.set_yticks(positions, labels=list(labels), fontproperties=font)
    axes.set_title(title, fontproperties=font, fontsize=14)
    axes.set_xlabel(unit, fontproperties=font)
    for bar, value in zip(bars, values, strict=True):
        text = f"{value:g}"
        axes.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {text}", va="center")
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(x=0.15)
    return _png(figure)


def line_chart(
    title: str, x_labels: Sequence[str], series: dict[str, Sequence[float]], unit: str
) -> bytes:
    """A trend line per series over ``x_labels`` (months), with a legend."""
    font = _font()
    figure = _figure(7.5, 3.6)
    axes = figure.subplots()
    for index, (name, values) in enumerate(series.items()):
        axes.plot(
            list(x_labels),
            list(values),
            marker="o",
            color=PALETTE[index % len(PALETTE)],
            label=name,
        )
    axes.set_title(title, fontproperties=font, fontsize=14)
    axes.set_ylabel(unit, fontproperties=font)
    for label in axes.get_xticklabels():
        label.set_fontproperties(font)
    axes.legend(prop=font, frameon=False)
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def store_png(data: bytes) -> str:
    """Save a chart through the upload storage; returns its URL (/api/v1/uploads/<key>)."""
    from backend.services.storage import storage

    backend = storage()
    return backend.url(backend.save(data, "image/png"))
