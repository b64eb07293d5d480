"""Image kernels: images, kernels, filtering, the per-pixel explanation and the sliding window (numpy / scipy / pillow, no Qt)."""
