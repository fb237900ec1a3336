"""The conflictmap page: conflict events on an offline map, with filters, timeline, table and details.

    streamlit run dashboard.py [-- --data FILE]
    conflictmap serve [--data FILE] [--port N]

The page opens on ``--data``, else the ``CONFLICTMAP_DATA`` setting, else the
seed events in ``data/seed_events.csv``; the dataset picker lists the event
files in ``CONFLICTMAP_DATA_DIR`` and takes uploads. Filters, datasets and the
map drawing live in the URL, so a copied link reopens the same view.

The page is ``conflictmap.app``: ``page.main`` sets it up, makes its context
(the datasets shown and the filter) and draws the panels in order; Streamlit
serves this folder's ``static/`` (the Leaflet files) at ``/app/static``.
"""

from pathlib import Path

from conflictmap.app.page import main

main(Path(__file__).parent)
