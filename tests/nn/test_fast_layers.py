"""The network's channels-last conv and pool equal the readable layers, forward and backward."""
import numpy as np
import pytest

from kernelplay.nn.fast.allocator import keep_freed_memory
from kernelplay.nn.fast.layers import SPECTRAL_MIN_BATCH, FastConv2D, FastMaxPool2D, hwnc_to_nchw, nchw_to_hwnc
from kernelplay.nn.fast.spectral import SpectralConv, Transforms
from kernelplay.nn.layers import Conv2D, MaxPool2D, ReLU


def bound_fast_conv(conv: Conv2D, needs_input_grad=True, method="auto") -> FastConv2D:
    weight = conv.params["weight"]
    fast = FastConv2D(weight.shape[1], weight.shape[0], weight.shape[2], needs_input_grad=needs_input_grad,
                      method=method)
    fast.params = {name: value.copy() for name, value in conv.params.items()}
    fast.grads = {name: np.zeros_like(value) for name, value in conv.params.items()}
    return fast


@pytest.mark.parametrize("c_in,c_out,k,h,w,method", [
    (1, 4, 5, 9, 8, "direct"), (3, 2, 3, 7, 6, "direct"), (2, 5, 5, 6, 6, "direct"),
    (3, 2, 3, 7, 6, "spectral"), (2, 5, 5, 6, 6, "spectral"), (4, 3, 5, 3, 3, "spectral"), (3, 4, 5, 7, 9, "spectral"),
])
def test_fast_conv_equals_the_readable_conv(c_in, c_out, k, h, w, method):
    rng = np.random.default_rng(11)
    conv = Conv2D(c_in, c_out, k, rng=rng, dtype=np.float64)
    fast = bound_fast_conv(conv, method=method)
    x = rng.standard_normal((3, c_in, h, w))
    dout = rng.standard_normal((3, c_out, h, w))
    np.testing.assert_allclose(hwnc_to_nchw(fast.forward(nchw_to_hwnc(x))), conv.forward(x), atol=1e-12)
    dx = hwnc_to_nchw(fast.backward(nchw_to_hwnc(dout)))
    np.testing.assert_allclose(dx, conv.backward(dout), atol=1e-12)
    for name in ("weight", "bias"):
        np.testing.assert_allclose(fast.grads[name], conv.grads[name], atol=1e-12)


def test_fast_first_layer_skips_the_input_gradient():
    rng = np.random.default_rng(12)
    conv = Conv2D(1, 3, 5, rng=rng, dtype=np.float64)
    fast = bound_fast_conv(conv, needs_input_grad=False)
    x, dout = rng.standard_normal((2, 1, 8, 8)), rng.standard_normal((2, 3, 8, 8))
    fast.forward(nchw_to_hwnc(x))
    assert fast.backward(nchw_to_hwnc(dout)) is None
    conv.forward(x)
    conv.backward(dout)
    np.testing.assert_allclose(fast.grads["weight"], conv.grads["weight"], atol=1e-12)


@pytest.mark.parametrize("h,w", [(8, 6), (7, 9)])
def test_fast_pool_is_relu_then_pool(h, w):
    rng = np.random.default_rng(13)
    x = rng.integers(-2, 3, (2, 3, h, w)).astype(np.float64)  # small integers: many ties
    relu, pool = ReLU(), MaxPool2D()
    expected = pool.forward(relu.forward(x))
    fast = FastMaxPool2D()
    np.testing.assert_array_equal(hwnc_to_nchw(fast.forward(nchw_to_hwnc(x))), expected)
    dout = rng.standard_normal(expected.shape)
    np.testing.assert_array_equal(hwnc_to_nchw(fast.backward(nchw_to_hwnc(dout))), relu.backward(pool.backward(dout)))
    assert fast.bias_grad is None


def test_fast_pool_adds_the_bias_after_the_max_and_returns_its_gradient():
    rng = np.random.default_rng(14)
    x, bias = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal(3)
    relu, pool = ReLU(), MaxPool2D()
    expected = relu.forward(pool.forward(x) + bias[None, :, None, None])
    fast = FastMaxPool2D()
    np.testing.assert_allclose(hwnc_to_nchw(fast.forward(nchw_to_hwnc(x), bias=bias)), expected, atol=1e-12)
    dout = rng.standard_normal(expected.shape)
    fast.backward(nchw_to_hwnc(dout))
    np.testing.assert_allclose(fast.bias_grad, (dout * (expected > 0)).sum(axis=(0, 2, 3)), atol=1e-12)


@pytest.mark.parametrize("c_in,method", [(1, "direct"), (3, "spectral")])
@pytest.mark.parametrize("h,w,split_taken", [(8, 6, True), (7, 6, False)])
def test_a_conv_split_by_window_corner_gives_the_same_pool_values_and_gradients(c_in, method, h, w, split_taken):
    """The network's fast path: the first conv's and the frequency-domain conv's output split by 2×2
    window corner, pooled in that layout, equals the plain layout forward and backward, ties
    included (odd sizes stay plain)."""
    rng = np.random.default_rng(19)
    x = rng.integers(0, 3, (h, w, 3, c_in)).astype(np.float64)  # (H, W, N, C); small integers tie often
    weight = rng.integers(-1, 2, (4, c_in, 3, 3)).astype(np.float64)
    results = []
    for split in (False, True):
        conv = FastConv2D(c_in, 4, 3, method=method, needs_input_grad=c_in > 1)  # as in the network
        pool = FastMaxPool2D()
        conv.params = {"weight": weight, "bias": np.arange(4.0)}
        conv.grads = {"weight": np.zeros_like(weight), "bias": np.zeros(4)}
        conv.input_buffer(h, w, 3, x.dtype)[...] = x
        a = conv.forward_buffer(h, w, 3, x.dtype, add_bias=False, split_for_pool=split)
        assert a.ndim == (6 if split and split_taken else 4)
        if a.ndim == 6:  # [a, y, b, x] is the position (2y + a, 2x + b)
            plain = a.transpose(1, 0, 3, 2, 4, 5).reshape(h, w, 3, 4)
            np.testing.assert_allclose(plain, results[0][0], atol=1e-12)
        out = pool.forward(a, bias=conv.params["bias"]).copy()
        dx = conv.backward(pool.backward(np.arange(out.size, dtype=np.float64).reshape(out.shape)), pool.bias_grad)
        results.append((a.reshape(h, w, 3, 4).copy() if a.ndim == 4 else None, out,
                        None if dx is None else dx.copy(), conv.grads["weight"].copy(), conv.grads["bias"].copy()))
    for plain, split in zip(results[0][1:], results[1][1:]):
        if plain is not None:
            np.testing.assert_allclose(split, plain, atol=1e-12)


@pytest.mark.parametrize("method", ["direct", "spectral"])
def test_a_pool_writing_into_the_next_conv_s_input_buffer_gives_what_forward_gives(method):
    """The network's path: a pool writes straight into :meth:`FastConv2D.input_buffer` and the conv
    runs on it (:meth:`forward_buffer`) — the same values and gradients as ``forward`` on a copy,
    ties included."""
    rng = np.random.default_rng(9)
    x = rng.integers(0, 3, (8, 6, 9, 3)).astype(np.float64)  # (H, W, N, C); small integers tie often
    weight = rng.integers(-1, 2, (4, 3, 3, 3)).astype(np.float64)
    results = []
    for through_buffer in (False, True):
        pool, conv = FastMaxPool2D(), FastConv2D(3, 4, 3, method=method)
        conv.params = {"weight": weight, "bias": np.arange(4.0)}
        conv.grads = {"weight": np.zeros_like(weight), "bias": np.zeros(4)}
        if through_buffer:
            pool.forward(x, out=conv.input_buffer(4, 3, 9, x.dtype))
            out = conv.forward_buffer(4, 3, 9, x.dtype)
        else:
            out = conv.forward(pool.forward(x).copy())
        dx = pool.backward(conv.backward(np.arange(out.size, dtype=np.float64).reshape(out.shape)))
        results.append((out.copy(), dx.copy(), conv.grads["weight"].copy(), conv.grads["bias"].copy()))
    assert results[1][0].shape == (4, 3, 9, 4)
    for plain, buffered in zip(*results):
        np.testing.assert_allclose(buffered, plain, atol=1e-12)


def test_spectral_conv_of_the_default_network_s_conv2_matches_in_float32():
    """conv2's shapes (16 → 36 channels, 5×5, 14×14 maps, transform length 16) in float32: the
    transforms' rounding stays at the float32 level of the direct products."""
    rng = np.random.default_rng(15)
    conv = Conv2D(16, 36, 5, rng=rng, dtype=np.float64)
    x, dout = rng.standard_normal((8, 16, 14, 14)), rng.standard_normal((8, 36, 14, 14))
    expected = conv.forward(x), conv.backward(dout), conv.grads["weight"]
    fast = bound_fast_conv(conv, method="spectral")
    fast.params = {name: value.astype(np.float32) for name, value in fast.params.items()}
    fast.grads = {name: value.astype(np.float32) for name, value in fast.grads.items()}
    y = hwnc_to_nchw(fast.forward(nchw_to_hwnc(x.astype(np.float32))))
    dx = hwnc_to_nchw(fast.backward(nchw_to_hwnc(dout.astype(np.float32))))
    for got, want in zip((y, dx, fast.grads["weight"]), expected):
        assert got.dtype == np.float32
        assert np.abs(got - want).max() <= 2e-6 * np.abs(want).max()


def test_auto_method_takes_the_frequency_domain_for_a_batch_and_the_direct_way_for_few_images():
    rng = np.random.default_rng(16)
    conv = Conv2D(3, 4, 5, rng=rng, dtype=np.float64)
    auto, direct = bound_fast_conv(conv), bound_fast_conv(conv, method="direct")
    for n, spectral in ((SPECTRAL_MIN_BATCH - 1, False), (SPECTRAL_MIN_BATCH, True)):
        x = nchw_to_hwnc(rng.standard_normal((n, 3, 6, 6)))
        np.testing.assert_allclose(auto.forward(x), direct.forward(x), atol=1e-12)
        assert auto._runs_spectral(n) is spectral
    first = bound_fast_conv(Conv2D(1, 4, 5, rng=rng, dtype=np.float64))
    assert not first._runs_spectral(1000)  # one input channel: no product for the frequency domain to save


def test_spectral_method_needs_several_input_channels_and_a_known_name():
    with pytest.raises(ValueError, match="several input channels"):
        FastConv2D(1, 4, 5, method="spectral")
    with pytest.raises(ValueError, match="method must be one of"):
        FastConv2D(2, 4, 5, method="winograd")


@pytest.mark.parametrize("h,w,k", [(14, 14, 5), (7, 9, 5), (6, 5, 3)])
def test_the_spectrum_is_numpys_fft_of_the_map_padded_to_its_length(h, w, k):
    """The matrix transforms against numpy.fft (an independent FFT): maps padded to L = size + k//2
    per axis, the first L//2 + 1 row frequencies, every column frequency, real and imaginary parts."""
    rng = np.random.default_rng(17)
    n, c = 3, 2
    x = rng.standard_normal((h, w, n, c))
    conv = SpectralConv(k)
    t = conv.transforms(h, w, np.float64)
    u_count, v_count = t.frequencies
    assert (u_count, v_count) == ((h + k // 2) // 2 + 1, w + k // 2)
    spectrum = conv._spectrum(x, t.rows_in, t.cols_in, "test").reshape(u_count, v_count, 2, n, c)
    want = np.fft.fft2(x, s=(h + k // 2, w + k // 2), axes=(0, 1))[:u_count]  # (u, v, n, c)
    np.testing.assert_allclose(spectrum[:, :, 0], want.real, atol=1e-12)
    np.testing.assert_allclose(spectrum[:, :, 1], want.imag, atol=1e-12)


@pytest.mark.parametrize("h,w,k", [(14, 14, 5), (7, 9, 5), (6, 5, 3)])
def test_the_inverse_transform_gives_the_map_back(h, w, k):
    rng = np.random.default_rng(18)
    x = rng.standard_normal((h, w, 2, 3))
    conv = SpectralConv(k)
    t = conv.transforms(h, w, np.float64)
    spectrum = conv._spectrum(x, t.rows_in, t.cols_in, "test")
    back = conv._image(spectrum, t, h, w, "back")
    np.testing.assert_allclose(back.reshape(h, w, 2, 3), x, atol=1e-12)


def test_transforms_are_built_once_per_shape_and_dtype():
    conv = SpectralConv(5)
    assert conv.transforms(14, 14, np.float32) is conv.transforms(14, 14, np.float32)
    assert conv.transforms(14, 14, np.float32).rows_in.dtype == np.float32
    assert isinstance(conv.transforms(7, 7, np.float64), Transforms)


def test_the_training_process_keeps_freed_memory_where_the_c_library_is_glibc():
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("mallopt is glibc's")
    assert keep_freed_memory() is True
