"""Stories: a day's articles (across pages and papers) grouped by the specific event they report.

``features`` turns the day's articles into pair signals (character n-gram TF-IDF, headline against
lead, companion pieces, items of one press briefing), ``group`` links pairs over the frozen thresholds
and takes the connected components, ``arbitrate`` asks the summarisation model about the pairs just
under the thresholds, ``score`` measures a grouping against labels, and ``digest`` writes the day's
cited digest.
"""
