"""Splitting: a page's text into articles, cleaned, with the page's furniture lifted into fields.

``page`` reads a page's lines and decides where articles begin, ``plain`` handles dumps where every line
looks alike, ``furniture`` recognises e-paper furniture (stamps, 版 lines, credits), ``clean`` tidies a
body and records what it removed, ``score`` measures a splitter against gold article lists.
"""
