"""Running the work: the run loop over pages (``pipeline``) and the engines that summarise articles
locally or on Ray (``engines``), committing each result to the store as it arrives."""
