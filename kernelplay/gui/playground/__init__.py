"""Tab 1: the kernel playground (image views, kernel editor, step panel, scan view)."""
