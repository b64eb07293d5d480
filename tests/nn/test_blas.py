"""numpy's OpenBLAS through ctypes: gemm into (part of) an existing array."""
import numpy as np
import pytest

from kernelplay.nn.fast import blas


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("accumulate", [False, True])
def test_gemm_into_equals_matmul_for_plain_transposed_and_sliced_operands(dtype, accumulate):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((37, 11)).astype(dtype)
    b = rng.standard_normal((11, 6)).astype(dtype)
    operand_pairs = [(a, b), (np.asfortranarray(a), b), (a, np.ascontiguousarray(b.T).T),
                     (rng.standard_normal((50, 20)).astype(dtype)[3:40, 4:15], b)]
    for left, right in operand_pairs:
        big = rng.standard_normal((45, 10)).astype(dtype)
        before = big.copy()
        out = big[2:39, 1:7]  # rows with a stride longer than their length
        expected = (out + left @ right) if accumulate else left @ right
        blas.gemm_into(left, right, out, accumulate=accumulate)
        np.testing.assert_allclose(out, expected, rtol=1e-5 if dtype == np.float32 else 1e-12)
        untouched = np.ones(big.shape, bool)
        untouched[2:39, 1:7] = False
        np.testing.assert_array_equal(big[untouched], before[untouched])


def test_gemm_into_falls_back_to_matmul_where_blas_cannot_read_the_arrays():
    a = np.arange(12, dtype=np.int64).reshape(3, 4)
    b = np.arange(8, dtype=np.int64).reshape(4, 2)
    out = np.ones((3, 2), dtype=np.int64)
    blas.gemm_into(a, b, out, accumulate=True)
    np.testing.assert_array_equal(out, 1 + a @ b)
    every_other = np.random.default_rng(1).random((8, 8))[::2, ::2]  # no unit stride: not BLAS-readable
    out = np.zeros((4, 4))
    blas.gemm_into(every_other, every_other, out, accumulate=False)
    np.testing.assert_allclose(out, every_other @ every_other)
