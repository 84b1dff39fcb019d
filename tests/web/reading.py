"""Reading what a page or a download holds, as the tests of several pages need it."""

import csv
import io
import json
import re


def figure(response, element_id):
    """The Plotly figure a page embeds with json_script under `element_id`."""
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, f"no json_script {element_id}"
    return json.loads(match.group(1))


def csv_rows(response):
    """A CSV download's rows, header first, streamed or not; "# " comment lines (a chart's
    title, filter, source and licence) left out."""
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    lines = text.decode("utf-8-sig").splitlines(keepends=True)
    return list(csv.reader(io.StringIO("".join(line for line in lines if line[:1] != "#"))))
