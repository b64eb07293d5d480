"""Tab 2: watch a CNN learn, live (training controls, network diagram, kernels, feature maps, scores)."""
