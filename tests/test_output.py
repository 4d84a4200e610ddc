"""Events printed as they come read exactly as the same events printed at once."""

from __future__ import annotations

import io

import pytest
from test_store import make_event

from cgtextract.output import FORMATS, EventWriter, render


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("n", [0, 1, 5])
def test_event_writer_prints_what_render_prints(fmt: str, n: int) -> None:
    events = [make_event(evidence_start=i, product=f"CT{i:04d}") for i in range(n)]
    out = io.StringIO()
    writer = EventWriter(fmt, out)
    writer.write(events[:2])
    writer.write([])
    writer.write(events[2:])
    writer.close()
    assert out.getvalue() == render(events, fmt)
