"""The network's channels-last conv and pool equal the readable layers, forward and backward."""
import numpy as np
import pytest

from kernelplay.nn.fast.layers import FastConv2D, FastMaxPool2D, hnwc_to_nchw, nchw_to_hnwc
from kernelplay.nn.layers import Conv2D, MaxPool2D, ReLU


def bound_fast_conv(conv: Conv2D, needs_input_grad=True) -> FastConv2D:
    weight = conv.params["weight"]
    fast = FastConv2D(weight.shape[1], weight.shape[0], weight.shape[2], needs_input_grad=needs_input_grad)
    fast.params = {name: value.copy() for name, value in conv.params.items()}
    fast.grads = {name: np.zeros_like(value) for name, value in conv.params.items()}
    return fast


@pytest.mark.parametrize("c_in,c_out,k,h,w", [(1, 4, 5, 9, 8), (3, 2, 3, 7, 6), (2, 5, 5, 6, 6)])
def test_fast_conv_equals_the_readable_conv(c_in, c_out, k, h, w):
    rng = np.random.default_rng(11)
    conv = Conv2D(c_in, c_out, k, rng=rng, dtype=np.float64)
    fast = bound_fast_conv(conv)
    x = rng.standard_normal((3, c_in, h, w))
    dout = rng.standard_normal((3, c_out, h, w))
    np.testing.assert_allclose(hnwc_to_nchw(fast.forward(nchw_to_hnwc(x))), conv.forward(x), atol=1e-12)
    dx = hnwc_to_nchw(fast.backward(nchw_to_hnwc(dout)))
    np.testing.assert_allclose(dx, conv.backward(dout), atol=1e-12)
    for name in ("weight", "bias"):
        np.testing.assert_allclose(fast.grads[name], conv.grads[name], atol=1e-12)


def test_fast_first_layer_skips_the_input_gradient():
    rng = np.random.default_rng(12)
    conv = Conv2D(1, 3, 5, rng=rng, dtype=np.float64)
    fast = bound_fast_conv(conv, needs_input_grad=False)
    x, dout = rng.standard_normal((2, 1, 8, 8)), rng.standard_normal((2, 3, 8, 8))
    fast.forward(nchw_to_hnwc(x))
    assert fast.backward(nchw_to_hnwc(dout)) is None
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
    np.testing.assert_array_equal(hnwc_to_nchw(fast.forward(nchw_to_hnwc(x))), expected)
    dout = rng.standard_normal(expected.shape)
    np.testing.assert_array_equal(hnwc_to_nchw(fast.backward(nchw_to_hnwc(dout))), relu.backward(pool.backward(dout)))
    assert fast.bias_grad is None


def test_fast_pool_adds_the_bias_after_the_max_and_returns_its_gradient():
    rng = np.random.default_rng(14)
    x, bias = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal(3)
    relu, pool = ReLU(), MaxPool2D()
    expected = relu.forward(pool.forward(x) + bias[None, :, None, None])
    fast = FastMaxPool2D()
    np.testing.assert_allclose(hnwc_to_nchw(fast.forward(nchw_to_hnwc(x), bias=bias)), expected, atol=1e-12)
    dout = rng.standard_normal(expected.shape)
    fast.backward(nchw_to_hnwc(dout))
    np.testing.assert_allclose(fast.bias_grad, (dout * (expected > 0)).sum(axis=(0, 2, 3)), atol=1e-12)


@pytest.mark.parametrize("c_in", [1, 3])
def test_split_column_layout_gives_the_same_conv_pool_values_and_gradients(c_in):
    """The network's fast path (conv output with even/odd columns apart, pooled in that layout)
    equals the plain layout, forward and backward, ties included."""
    rng = np.random.default_rng(9)
    x = rng.integers(0, 3, (7, 3, 8, c_in)).astype(np.float64)  # (H, N, W, C); small integers tie often
    weight = rng.integers(-1, 2, (4, c_in, 3, 3)).astype(np.float64)
    results = []
    for split in (False, True):
        conv = FastConv2D(c_in, 4, 3)
        conv.params = {"weight": weight, "bias": np.zeros(4)}
        conv.grads = {"weight": np.zeros_like(weight), "bias": np.zeros(4)}
        pool = FastMaxPool2D()
        out = pool.forward(conv.forward(x, split_columns=split)).copy()
        dx = conv.backward(pool.backward(np.arange(out.size, dtype=np.float64).reshape(out.shape)))
        results.append((out, dx.copy(), conv.grads["weight"].copy(), conv.grads["bias"].copy()))
    assert results[1][0].shape == (3, 3, 4, 4)
    for plain, split in zip(*results):
        np.testing.assert_allclose(split, plain, atol=1e-12)
