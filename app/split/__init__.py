"""Splitting: a page's text into articles, cleaned, with the page's furniture lifted into fields.

Start at ``page`` (``split_page``, ``explain_page``). It reads the page's lines (``lines``), learns the
page's own per-article conventions (``conventions``), reads its header blocks (``headers``), decides
where articles begin (``boundaries``) and builds each article (``articles``) with how sure it is
(``confidence``). ``furniture`` recognises e-paper furniture, ``clean`` the text conventions and body
clean-up, ``html`` an e-paper's HTML containers, ``score`` measures a splitter against gold lists.
"""
