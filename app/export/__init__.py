"""Results out of the store: export formats (``formats``) and files written whole or not at all
(``files``)."""
