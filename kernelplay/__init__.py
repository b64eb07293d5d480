"""kernelplay: learn how convolutional neural networks see.

The names below are the public, Qt-free core (see the README's "Python API").
"""
__version__ = "0.1.0"
