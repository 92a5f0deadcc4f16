"""What the GitHub workflows do beyond running `catalog`: the sticky plan comment, the drift issue,
the removals label, the job summaries (plan, apply report) and the note that replaces a plan that
failed.

decide.py holds the decisions as pure functions of GitHub's answers, texts.py the Markdown written
besides the plan; api.py is the HTTP edge (urllib.request, so that aiohttp stays in
shopify/client.py); __main__.py wires them to
`python -m reconciler.github comment|drift|label|summary|failed|report`, which
.github/actions/catalog/run.sh calls.
"""
