"""What the GitHub workflows do beyond running `catalog`: the sticky plan comment, the drift issue,
the removals label and the job summary.

decide.py holds the decisions as pure functions of GitHub's answers; api.py is the HTTP edge
(urllib.request, so that aiohttp stays in shopify/client.py); __main__.py wires them to
`python -m reconciler.github comment|drift|label|summary`.
"""
