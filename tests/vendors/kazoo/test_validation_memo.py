"""Kazoo's validation of a short body, remembered by its JSON text (kazoo/validation.py)."""

from __future__ import annotations

import math

from emulator.core.memo import Memo
from emulator.vendors.kazoo import validation


def test_a_remembered_body_gives_each_send_its_own_fields_as_the_first_got_them():
    remembered = Memo(validation.validated_text)
    data = {"from_number": "+14155550100", "to_number": "+12125550100", "retries": 2, "notes": "é"}
    first = validation.validate("faxes", data, remembered=remembered)
    first["to_number"] = "changed by its caller"
    second = validation.validate("faxes", dict(data), remembered=remembered)
    assert len(remembered) == 1  # the second was a hit
    assert second == validation.validate("faxes", dict(data)) and second["to_number"] == "+12125550100"


def test_a_remembered_body_of_values_orjson_refuses_reads_as_json_wrote_it():
    remembered = Memo(validation.validated_text)
    data = {"from_number": "+14155550100", "to_number": "+12125550100", "big": 2**70, "odd": math.inf}
    for _ in range(2):  # a miss, then a hit
        fields = validation.validate("faxes", dict(data), remembered=remembered)
        assert (fields["big"], fields["odd"]) == (2**70, math.inf)
