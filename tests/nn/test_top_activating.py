"""top_activating: the digits that excite a channel most, against the network's own activations and
against a case worked out by hand (one bright pixel per digit under an identity kernel)."""
import numpy as np
import pytest

import kernelplay
from kernelplay import Network, NetworkConfig
from kernelplay.nn.receptive_field import Box, receptive_field
from kernelplay.nn.top_activating import channel_peaks, top_activating

THREE = NetworkConfig(channels=(4, 6, 8), kernel_size=3, fc_width=16)


def some_digits(n=60, seed=0):
    """Strokes of random place, length and brightness on faint noise: (N, 1, 28, 28) float32."""
    rng = np.random.default_rng(seed)
    x = (rng.random((n, 1, 28, 28)) * 0.1).astype(np.float32)
    for image in x[:, 0]:
        r, c, length = rng.integers(0, 24), rng.integers(0, 24), rng.integers(3, 20)
        image[r:r + 3, c:c + length] = rng.uniform(0.3, 1.0)
        image[r:r + length, c:c + 2] = rng.uniform(0.3, 1.0)
    return x


@pytest.mark.parametrize("config", [NetworkConfig(), THREE], ids=["default", "three stages"])
def test_each_digits_peak_is_the_networks(config):
    net, x = Network(config, seed=4), some_digits()
    acts = net.activations(x)
    for stage, shape in config.stage_shapes():
        if not stage.startswith(("conv", "pool")):
            continue
        for channel in (0, shape[0] - 1):
            values, units = channel_peaks(net, x, stage, channel)
            maps = acts[stage][:, channel]
            np.testing.assert_allclose(values, maps.reshape(len(x), -1).max(axis=1), rtol=1e-5, atol=1e-6)
            at_unit = maps[np.arange(len(x)), units[:, 0], units[:, 1]]
            np.testing.assert_allclose(at_unit, values, rtol=1e-5, atol=1e-6)  # the unit holds the peak


def test_the_strongest_digits_come_first_with_their_fields():
    net, x = Network(seed=1), some_digits(80, seed=1)
    result = top_activating(net, x, "conv2", 5)
    maps = net.activations(x)["conv2"][:, 5]
    peaks = maps.reshape(len(x), -1).max(axis=1)
    assert len(result) == 9 and result.stage == "conv2" and result.channel == 5
    assert [hit.index for hit in result] == list(np.argsort(-peaks, kind="stable")[:9])
    values = [hit.value for hit in result]
    assert values == sorted(values, reverse=True)
    for hit in result:
        assert hit.box == receptive_field(net.config, "conv2", *hit.unit)
        if 3 <= hit.unit[0] <= 10 and 3 <= hit.unit[1] <= 10:
            assert (hit.box.height, hit.box.width) == (14, 14)  # the default net's conv2 field
    np.testing.assert_allclose(result.average, x[[hit.index for hit in result], 0].mean(axis=0), rtol=1e-6)
    assert result.field_average.shape == (14, 14)


def test_one_bright_pixel_per_digit_under_an_identity_kernel():
    """By hand: conv1 channel 0 is the identity, so its peak on each digit is that digit's one
    bright pixel, the field is the 5×5 around it, and the fields' average is the mean brightness of
    the chosen digits at the centre and 0 around it."""
    net = Network(seed=0)
    net.params["conv1.weight"][0, 0] = 0
    net.params["conv1.weight"][0, 0, 2, 2] = 1
    net.params["conv1.bias"][0] = 0
    where = [(14, 14), (0, 0), (27, 5), (3, 26), (10, 10)]
    brightness = [0.5, 0.9, 0.7, 0.2, 0.8]
    x = np.zeros((5, 28, 28), np.float32)
    for image, (r, c), v in zip(x, where, brightness):
        image[r, c] = v
    result = top_activating(net, x, "conv1", 0, count=3)
    assert [hit.index for hit in result] == [1, 4, 2]  # 0.9, 0.8, 0.7
    assert [hit.unit for hit in result] == [(0, 0), (10, 10), (27, 5)]
    assert [hit.value for hit in result] == pytest.approx([0.9, 0.8, 0.7])
    assert [hit.box for hit in result] == [Box(0, 0, 3, 3), Box(8, 8, 13, 13), Box(25, 3, 28, 8)]
    expected = np.zeros((5, 5))
    expected[2, 2] = (0.9 + 0.8 + 0.7) / 3  # each field centred on its pixel, zeros past the edges
    np.testing.assert_allclose(result.field_average, expected, atol=1e-7)
    np.testing.assert_allclose(result.average, x[[1, 4, 2]].mean(axis=0), atol=1e-7)
    pooled = top_activating(net, x, "pool1", 0, count=1).hits[0]
    assert pooled.unit == (0, 0) and pooled.box == Box(0, 0, 4, 4)  # pool1 sees 6×6 from (−2, −2)


def test_fewer_digits_than_asked_and_both_shapes():
    net, x = Network(THREE, seed=2), some_digits(4)
    result = top_activating(net, x, "pool3", 7, count=9)
    assert len(result) == 4
    again = top_activating(net, x[:, 0], "pool3", 7, count=9)
    assert [h.index for h in again] == [h.index for h in result]
    assert kernelplay.top_activating is top_activating


@pytest.mark.parametrize("args,words", [(("fc1", 0), "choose one of conv1, pool1, conv2, pool2"),
                                        (("flatten", 0), "conv or pool stage"),
                                        (("conv2", 36), "conv2 has channels 0 to 35"),
                                        (("pool1", -1), "pool1 has channels 0 to 15")])
def test_arguments_are_checked(args, words):
    with pytest.raises(ValueError, match=words):
        top_activating(Network(), some_digits(3), *args)


def test_counts_and_digits_are_checked():
    with pytest.raises(ValueError, match="count must be"):
        top_activating(Network(), some_digits(3), "conv1", 0, count=0)
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)"):
        top_activating(Network(), np.zeros((3, 2, 28, 28)), "conv1", 0)
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)"):
        top_activating(Network(), np.zeros((0, 28, 28)), "conv1", 0)
