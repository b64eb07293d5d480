"""kernelplay's numerical core: numpy, scipy and pillow only — never Qt."""
