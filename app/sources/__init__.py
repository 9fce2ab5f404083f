"""Where pages come from: files, folders, stdin and uploads (``files``), read into ``Page`` values with
one clear error per bad input."""
