"""The CNN's speed tricks: the channels-last layers and numpy's OpenBLAS through ctypes."""
