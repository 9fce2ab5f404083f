"""Measuring summaries against reference summaries: the eval report (``report``)."""
