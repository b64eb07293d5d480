"""kernelplay's Qt layer: one widget per panel, drawing what the core computes."""
