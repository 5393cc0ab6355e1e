"""The register page's table body, made in Python (coop.members.register.register_rows_html)."""

from __future__ import annotations

import re
from datetime import date

from markupsafe import escape

from coop.demo import model_constitution_text
from coop.members.register import REGISTER_COLUMNS, html_text, register_cells, register_rows_html
from governance.constitution.load import parse_constitution


def _entry(number: int, name: str, **extra: object) -> dict[str, object]:
    return {
        "public_id": f"0000000{number}-aaaa-bbbb-cccc-dddddddddddd",
        "entry_number": number,
        "name": name,
        "address": "1 Mill Lane\r\nLeeds",
        "email": "a@example.org",
        "member_class": "ordinary",
        "admitted_on": date(2024, 1, 2),
        "ceased_on": None,
        "ceased_reason": None,
        "leaving_on": None,
        "shares_held": 1,
        "guarantee_pence": 100,
        **extra,
    }


def test_each_entry_is_a_row_of_its_cells_every_value_escaped():
    constitution = parse_constitution(model_constitution_text("cic_guarantee"))
    rows = [_entry(1, "Amara <b>Okafor</b>"), _entry(2, 'Sam "O\'Neil" & Co', leaving_on=date(2024, 3, 1))]
    html = str(register_rows_html(rows, "riverside", constitution, date(2025, 1, 1)))
    assert html.count('<tr class="govuk-table__row">') == 2
    assert "<b>" not in html and "Amara &lt;b&gt;Okafor&lt;/b&gt;" in html
    assert "Sam &#34;O&#39;Neil&#34; &amp; Co" in html
    assert 'href="/o/riverside/members/00000001-aaaa-bbbb-cccc-dddddddddddd"' in html
    cells = re.findall(r'<td class="govuk-table__cell">(.*?)</td>', html, re.S)
    assert len(cells) == 2 * len(REGISTER_COLUMNS)
    # The same words as the CSV: a resignation whose day has come shows as the end of membership.
    second = register_cells(rows[1], constitution, date(2025, 1, 1))
    assert cells[len(REGISTER_COLUMNS) + 6 :] == [c.replace('"', "&#34;") for c in second[6:]]
    assert "Resigned" in cells[len(REGISTER_COLUMNS) + 7]


def test_html_text_escapes_exactly_as_jinja_does():
    for text in ("plain", "<script>alert('x')</script>", 'a "b" & c', "&amp; already", "£ – ü \r\n", ""):
        assert html_text(text) == str(escape(text))
