"""`hatif show`: an RTL HTML view of predicted (and gold) calls, errors marked.

diff: gold against prediction, per sentence (pure functions) · view: the page's data ·
render: its HTML · page: files in, HTML out · browser: a headless Chromium driver for the
tests and screenshots · screenshot: ``python -m hatif.show.screenshot``.
"""
