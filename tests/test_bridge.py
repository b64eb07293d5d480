"""Kernels crossing between the tabs: a learned kernel into the playground, a playground kernel
into conv1 (frozen or not), and the preset a kernel looks most like."""
import numpy as np
import pytest

from synthetic_digits import SMALL, bar_digits
import kernelplay
from kernelplay import Network, NetworkConfig, Trainer, apply_kernel
from kernelplay.bridge import fit_kernel, learned_kernel, nearest_preset, preset_correlations, put_kernel
from kernelplay.imaging.kernels import PRESETS


def test_a_3x3_kernel_fits_a_5x5_window_in_a_ring_of_zeros_and_filters_the_same():
    sobel = PRESETS["left sobel"]
    five = fit_kernel(sobel, 5)
    assert five.shape == (5, 5) and five.dtype == np.float64
    np.testing.assert_array_equal(five[1:4, 1:4], sobel)
    assert np.count_nonzero(five) == np.count_nonzero(sobel)
    image = np.random.default_rng(0).integers(0, 256, (20, 30)).astype(np.uint8)
    np.testing.assert_allclose(apply_kernel(image, five), apply_kernel(image, sobel), atol=1e-3)


def test_a_5x5_kernel_fits_a_3x3_window_by_its_centre():
    gaussian = PRESETS["gaussian 5x5"]
    np.testing.assert_array_equal(fit_kernel(gaussian, 3), gaussian[1:4, 1:4])
    np.testing.assert_array_equal(fit_kernel(gaussian, 5), gaussian)
    with pytest.raises(ValueError, match="3×3 or 5×5"):
        fit_kernel(gaussian, 7)
    with pytest.raises(ValueError):
        fit_kernel(np.ones((4, 4)), 5)


def test_a_learned_kernel_is_a_float64_copy_of_its_slice():
    net = Network(seed=2)
    kernel = learned_kernel(net, "conv1", 7)
    assert kernel.dtype == np.float64 and kernel.shape == (5, 5)
    np.testing.assert_array_equal(kernel, net.params["conv1.weight"][7, 0])
    kernel[...] = 0  # a copy: the network keeps its weights
    assert np.any(net.params["conv1.weight"][7, 0] != 0)
    np.testing.assert_array_equal(learned_kernel(net, "conv2", 35, 15), net.params["conv2.weight"][35, 15])


@pytest.mark.parametrize("args,words", [(("pool1", 0), "choose one of conv1, conv2"), (("conv3", 0), "conv1, conv2"),
                                        (("conv1", 16), "channels 0 to 15"), (("conv1", 0, 1), "input channels 0 to 0"),
                                        (("conv2", 0, 16), "input channels 0 to 15")])
def test_learned_kernel_checks_its_arguments(args, words):
    with pytest.raises(ValueError, match=words):
        learned_kernel(Network(), *args)


def test_a_put_kernel_makes_the_channel_compute_the_playgrounds_sum():
    net = Network(seed=1)  # 5×5 kernels
    placed = put_kernel(net, 4, PRESETS["emboss"])
    np.testing.assert_array_equal(placed, fit_kernel(PRESETS["emboss"], 5))
    np.testing.assert_array_equal(net.params["conv1.weight"][4, 0], placed)
    assert net.params["conv1.bias"][4] == 0 and net.frozen_channels == ()
    digit = np.random.default_rng(3).random((28, 28)).astype(np.float32)
    # the playground's raw sums with zero border, through the ReLU: conv1's map of that channel
    expected = np.maximum(apply_kernel(digit, PRESETS["emboss"], border="zero"), 0)
    np.testing.assert_allclose(net.activations(digit[None, None])["conv1"][0, 4], expected, atol=1e-5)


def test_put_kernel_crops_for_a_3x3_network_and_freezes_or_thaws():
    net = Network(NetworkConfig(channels=(4, 6), kernel_size=3, fc_width=8))
    put_kernel(net, 1, PRESETS["unsharp mask 5x5"], frozen=True)
    np.testing.assert_array_equal(net.params["conv1.weight"][1, 0], PRESETS["unsharp mask 5x5"][1:4, 1:4])
    assert net.frozen_channels == (1,)
    put_kernel(net, 3, PRESETS["outline"], frozen=True)
    put_kernel(net, 1, PRESETS["identity"])
    assert net.frozen_channels == (3,)
    for channel in (4, -1, True):
        with pytest.raises(ValueError, match="conv1 has channels 0 to 3"):
            put_kernel(net, channel, PRESETS["identity"])
    with pytest.raises(ValueError):
        put_kernel(net, 0, [[1, 2], [3, 4]])


def test_a_frozen_hand_made_kernel_survives_training_while_the_others_learn():
    net = Network(SMALL, seed=1)
    put_kernel(net, 0, PRESETS["left sobel"], frozen=True)
    learned_before = net.params["conv1.weight"][1:].copy()
    trainer = Trainer(net, bar_digits(), batch_size=16, learning_rate=1e-2, seed=1)
    for _ in range(10):
        trainer.step()
    np.testing.assert_array_equal(net.params["conv1.weight"][0, 0], PRESETS["left sobel"].astype(np.float32))
    assert net.params["conv1.bias"][0] == 0
    assert not np.array_equal(net.params["conv1.weight"][1:], learned_before)


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_looks_most_like_itself(name):
    assert tuple(nearest_preset(PRESETS[name])) == (name, 1.0)


def test_a_learned_looking_edge_detector_is_named_after_its_sobel():
    rng = np.random.default_rng(0)
    # small weights, an added constant and noise, as training leaves them
    learned = 0.08 * PRESETS["left sobel"] + 0.03 + rng.normal(0, 0.015, (3, 3))
    match = nearest_preset(learned)
    assert match.name == "left sobel" and 0.8 < match.correlation < 1
    name, r = nearest_preset(-learned)  # the opposite edge; a PresetMatch unpacks as (name, correlation)
    assert name == "right sobel" and r == pytest.approx(match.correlation)
    # a 5×5 kernel with the same pattern over the whole window (the preset stretched)
    wide = np.array([[1, 0.5, 0, -0.5, -1]] * 5) * np.array([[1], [1.5], [2], [1.5], [1]])
    assert nearest_preset(wide).name == "left sobel" and nearest_preset(wide).correlation > 0.95


def test_correlations_run_from_minus_one_to_one():
    correlations = preset_correlations(PRESETS["top sobel"])
    assert list(correlations) == list(PRESETS)
    assert correlations["top sobel"] == 1.0 and correlations["bottom sobel"] < 0
    assert preset_correlations(-PRESETS["gaussian 5x5"])["gaussian 5x5"] == -1.0
    assert all(-1.0 <= r <= 1.0 for r in correlations.values())
    blob = np.outer([0, 1, 2, 1, 0], [0, 1, 2, 1, 0]) * 0.01
    assert nearest_preset(blob).name == "blur"  # not identity, which stretched is the same blob


def test_flat_kernels_look_like_no_preset():
    assert tuple(nearest_preset(np.zeros((5, 5)))) == (None, 0.0)
    assert tuple(nearest_preset(np.full((5, 5), 0.3))) == (None, 0.0)
    assert set(preset_correlations(np.zeros((3, 3))).values()) == {0.0}
    # a flat 3×3 kernel is a box blur: in a 5×5 window it has a shape (the ring of zeros)
    assert tuple(nearest_preset(np.full((3, 3), 0.2))) == ("box blur", 1.0)


def test_the_bridge_is_in_the_public_api():
    assert kernelplay.nearest_preset is nearest_preset and kernelplay.put_kernel is put_kernel
