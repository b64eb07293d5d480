"""The digit CNN: config, layers, network, model files, optimisers, training and data (numpy only, no Qt)."""
