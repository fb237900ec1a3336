"""The Streamlit page: the only part of conflictmap that imports streamlit.

``page.main`` is the frame (set-up, context, panels in order); each panel has
its module (``sidebar``, ``headline``, ``mappanel``, ``timeline``, ``tables``,
``exportpanel``, ``storepanel``, ``reviewpanel``), ``datasets`` reads what is
shown, ``state`` names every session key and holds the message queue,
``cache`` holds every cached call, ``context`` the typed page context and
``text`` the markdown escaping of every string that is not the code's own.
"""
