"""Small utilities both domains share: atomic file writes, the thread pool, number text, colour maps."""
