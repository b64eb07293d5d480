"""The readable CNN layers: == naive loops == scipy, and finite-difference gradient checks (float64)."""
import numpy as np
import pytest
from scipy import signal

from gradient_check import numeric_grad
from kernelplay.nn.layers import (Conv2D, Dense, Flatten, MaxPool2D, ReLU, conv2d_naive, maxpool2d_naive,
                                    softmax, softmax_cross_entropy)


def rel_error(a, b):
    return np.max(np.abs(a - b)) / max(1e-8, np.max(np.abs(a) + np.abs(b)))


@pytest.mark.parametrize("c_in,c_out,k,h,w", [(1, 4, 5, 9, 8), (3, 2, 3, 7, 6), (2, 5, 5, 6, 6)])
def test_conv_matches_naive_loops_and_scipy(c_in, c_out, k, h, w):
    rng = np.random.default_rng(1)
    conv = Conv2D(c_in, c_out, k, rng=rng, dtype=np.float64)
    x = rng.standard_normal((3, c_in, h, w))
    out = conv.forward(x)
    weight, bias = conv.params["weight"], conv.params["bias"]
    np.testing.assert_allclose(out, conv2d_naive(x, weight, bias, pad=k // 2), atol=1e-12)
    for n in range(3):
        for o in range(c_out):
            expected = signal.correlate(x[n], weight[o], mode="same", method="direct")[c_in // 2] + bias[o]
            np.testing.assert_allclose(out[n, o], expected, atol=1e-12)


def test_conv_float32_close_to_float64():
    rng = np.random.default_rng(2)
    conv = Conv2D(4, 6, 5, rng=rng, dtype=np.float32)
    x = rng.random((2, 4, 10, 10)).astype(np.float32)
    out = conv.forward(x)
    assert out.dtype == np.float32
    ref = conv2d_naive(x.astype(np.float64), conv.params["weight"].astype(np.float64),
                       conv.params["bias"].astype(np.float64), pad=2)
    np.testing.assert_allclose(out, ref, atol=1e-5)


@pytest.mark.parametrize("h,w", [(8, 6), (7, 9)])
def test_pool_matches_naive_loops(h, w):
    x = np.random.default_rng(3).standard_normal((2, 3, h, w))
    np.testing.assert_array_equal(MaxPool2D().forward(x), maxpool2d_naive(x))


def test_pool_tie_goes_to_first_maximum_like_pytorch():
    x = np.ones((1, 1, 2, 2))
    pool = MaxPool2D()
    pool.forward(x)
    dx = pool.backward(np.ones((1, 1, 1, 1)))
    np.testing.assert_array_equal(dx[0, 0], [[1, 0], [0, 0]])


def check_layer_gradients(layer, x, out_shape_seed=0):
    rng = np.random.default_rng(out_shape_seed)
    out = layer.forward(x)
    r = rng.standard_normal(out.shape)

    def loss():
        return float(np.sum(layer.forward(x) * r))

    layer.forward(x)
    dx = layer.backward(r)
    if dx is not None:
        assert rel_error(dx, numeric_grad(loss, x)) < 1e-6
    for name, p in layer.params.items():
        layer.forward(x)
        layer.backward(r)
        analytic = layer.grads[name].copy()
        assert layer.grads[name].shape == p.shape
        assert rel_error(analytic, numeric_grad(loss, p)) < 1e-6, name


@pytest.mark.parametrize("c_in,k", [(1, 5), (3, 3), (2, 5)])
def test_conv_gradients(c_in, k):
    rng = np.random.default_rng(4)
    check_layer_gradients(Conv2D(c_in, 3, k, rng=rng, dtype=np.float64), rng.standard_normal((2, c_in, 6, 5)))


def test_conv_without_input_grad_still_fills_params_grads():
    rng = np.random.default_rng(5)
    conv = Conv2D(1, 2, 3, rng=rng, dtype=np.float64, needs_input_grad=False)
    check_layer_gradients(conv, rng.standard_normal((2, 1, 5, 5)))


def test_pool_gradients():
    x = np.random.default_rng(6).standard_normal((2, 3, 6, 7))
    check_layer_gradients(MaxPool2D(), x)


def test_dense_relu_flatten_gradients():
    rng = np.random.default_rng(7)
    check_layer_gradients(Dense(6, 4, rng=rng, dtype=np.float64), rng.standard_normal((3, 6)))
    check_layer_gradients(ReLU(), rng.standard_normal((3, 5)) + 0.05)
    check_layer_gradients(Flatten(), rng.standard_normal((2, 3, 2, 2)))


def test_params_and_grads_share_keys_and_shapes():
    for layer in (Conv2D(2, 3, 5), Dense(4, 2), MaxPool2D(), ReLU(), Flatten()):
        assert layer.params.keys() == layer.grads.keys()
        for k in layer.params:
            assert layer.params[k].shape == layer.grads[k].shape


def test_softmax_cross_entropy_value_and_gradient():
    rng = np.random.default_rng(8)
    logits = rng.standard_normal((4, 10))
    labels = np.array([0, 3, 9, 3])
    loss, d = softmax_cross_entropy(logits, labels)
    probs = softmax(logits)
    np.testing.assert_allclose(probs.sum(axis=1), 1)
    assert loss == pytest.approx(-np.mean(np.log(probs[np.arange(4), labels])))
    numeric = numeric_grad(lambda: softmax_cross_entropy(logits, labels)[0], logits)
    assert rel_error(d, numeric) < 1e-6
    big, _ = softmax_cross_entropy(np.array([[1000.0, -1000.0]]), np.array([1]))
    assert np.isfinite(big) and big == pytest.approx(2000.0)
