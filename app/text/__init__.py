"""Text helpers every room may use: sentences, safe terminal/Markdown text, character-level ROUGE."""
