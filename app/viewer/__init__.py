"""The Streamlit viewer: the page that draws (``page``), the plain-Python data behind it (``data``) and
the server process that serves it (``server``)."""
