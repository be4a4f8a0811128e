"""JSON answers (core/answers.py): what the request journal keeps of each is its text's bytes."""

from __future__ import annotations

import tracemalloc

from emulator.core.answers import json_bytes


def test_a_json_answer_holds_its_text_not_the_encoders_whole_buffer():
    # the journal keeps every answer (10,000 by default): orjson's own bytes held 4 KiB and more
    # each, a Kazoo send's answer 8 KB, where its text is 1 KB
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [json_bytes({"id": n, "status": "queued", "pages": [1, 2, 3]}) for n in range(1000)]
        held = (tracemalloc.get_traced_memory()[0] - before) / len(kept)
    finally:
        tracemalloc.stop()
    assert held < 200, held  # a bytes object of about 50 characters, and its list slot
    assert kept[7] == b'{"id":7,"status":"queued","pages":[1,2,3]}'
