"""explain_unit: every kind of stage against the network's own activations, against a forward pass
written independently (scipy's correlate and plain numpy, and PyTorch where installed), and against
hand-computed numbers (the lecture's emboss patch placed in conv1)."""
import numpy as np
import pytest
from scipy.signal import correlate

from lecture_example import EMBOSS_PATCH, EMBOSS_SUM
import kernelplay
from kernelplay import Network, NetworkConfig
from kernelplay.imaging.kernels import PRESETS
from kernelplay.nn.explain_unit import (ConvExplanation, DenseExplanation, PoolExplanation, ScoreExplanation,
                                        explain_unit, explainable_stages)
from kernelplay.nn.receptive_field import Box

CONFIGS = {
    "default": NetworkConfig(),
    "three stages": NetworkConfig(channels=(4, 6, 8), kernel_size=3, fc_width=16),  # 28 → 14 → 7 → 3
}


def a_digit(seed=0):
    """A stroke on a dark background with some noise: most ReLUs see both signs."""
    rng = np.random.default_rng(seed)
    image = (rng.random((28, 28)) * 0.2).astype(np.float32)
    image[6:22, 12:16] = 0.9
    image[0, :] = 1.0  # the border rows light too, so padded windows see something
    image[:, 27] = 0.8
    return image


def positions(side):
    """Corners, edges and the centre of a side × side map."""
    last, mid = side - 1, side // 2
    return sorted({(0, 0), (0, last), (last, 0), (last, last), (0, mid), (mid, last), (mid, mid)})


def units(config):
    """(stage, channel, row, col) at corners, edges and centre of every explainable stage."""
    for stage, shape in config.stage_shapes():
        if stage in ("input", "flatten"):
            continue
        channels = sorted({0, shape[0] // 2, shape[0] - 1})
        if len(shape) == 1:
            yield from ((stage, c, 0, 0) for c in channels)
        else:
            yield from ((stage, c, r, col) for c in channels for r, col in positions(shape[1]))


def network(name, seed=3):
    net = Network(CONFIGS[name], seed=seed)
    for key in net.params:  # biases of both signs, large enough that some units are cut by the ReLU
        if key.endswith("bias"):
            net.params[key][...] = np.random.default_rng(seed).uniform(-0.2, 0.2, net.params[key].shape)
    return net


# --- the network's own numbers --------------------------------------------------------------------

@pytest.mark.parametrize("name", CONFIGS)
def test_every_unit_equals_the_networks_activation(name):
    net, image = network(name), a_digit()
    acts = net.activations(image[None, None])
    kinds = {"conv": ConvExplanation, "pool": PoolExplanation, "fc": DenseExplanation, "scores": ScoreExplanation}
    cut = passed = 0
    for stage, c, r, col in units(net.config):
        e = explain_unit(net, image, stage, c, r, col)
        assert isinstance(e, kinds[stage.rstrip("0123456789")]), stage
        expected = acts[stage][0, c, r, col] if acts[stage].ndim == 4 else acts[stage][0, c]
        assert e.value == pytest.approx(float(expected), rel=1e-5, abs=1e-6), (stage, c, r, col)
        assert (e.stage, e.channel, e.row, e.col) == (stage, c, r, col)
        if isinstance(e, (ConvExplanation, DenseExplanation)):
            total = e.channel_sums.sum() if isinstance(e, ConvExplanation) else e.contributions.sum()
            assert e.pre_activation == pytest.approx(total + e.bias, abs=1e-12)
            assert e.value == max(e.pre_activation, 0.0)
            cut += e.pre_activation < 0
            passed += e.pre_activation > 0
    assert cut > 0 and passed > 0  # units the ReLU cuts and units it lets through


@pytest.mark.parametrize("name", CONFIGS)
def test_conv_windows_weights_and_padding_are_the_networks(name):
    net, image = network(name), a_digit(1)
    acts = net.activations(image[None, None])
    k = net.config.kernel_size
    p = k // 2
    for stage in (s for s in explainable_stages(net) if s.startswith("conv")):
        e = explain_unit(net, image, stage, 1, 0, 0)  # the top-left corner hangs over two edges
        assert e.input_stage == ("input" if stage == "conv1" else f"pool{int(stage[4:]) - 1}")
        padded = np.pad(acts[e.input_stage][0], ((0, 0), (p, p), (p, p)))
        np.testing.assert_array_equal(e.windows, padded[:, :k, :k])
        expected = np.zeros((k, k), bool)
        expected[:p, :] = expected[:, :p] = True
        np.testing.assert_array_equal(e.is_padding, expected)
        assert np.all(e.windows[:, e.is_padding] == 0)
        np.testing.assert_array_equal(e.weights, net.params[f"{stage}.weight"][1])
        assert e.bias == float(net.params[f"{stage}.bias"][1])
        np.testing.assert_allclose(e.products, e.windows * e.weights)
        assert e.window_box == Box(0, 0, p + 1, p + 1)


# --- an independent forward pass --------------------------------------------------------------------

def numpy_stages(net, image):
    """Every stage of the network in float64, written without kernelplay: scipy's correlate for the
    convs (zero 'same' padding), reshapes for the pools, matrix products for the FC layers."""
    params = {k: v.astype(np.float64) for k, v in net.params.items()}
    stages, x = {}, image[None].astype(np.float64)
    for i in range(1, net.config.num_stages + 1):
        weight, bias = params[f"conv{i}.weight"], params[f"conv{i}.bias"]
        conv = np.array([sum(correlate(x[c], weight[o, c], mode="same") for c in range(x.shape[0])) + bias[o]
                         for o in range(weight.shape[0])])
        stages[f"conv{i}"] = conv = np.maximum(conv, 0)
        h = conv.shape[1] // 2 * 2
        x = stages[f"pool{i}"] = conv[:, :h, :h].reshape(conv.shape[0], h // 2, 2, h // 2, 2).max(axis=(2, 4))
    hidden = np.maximum(params["fc1.weight"] @ x.ravel() + params["fc1.bias"], 0)
    stages["fc1"] = hidden
    logits = params["fc2.weight"] @ hidden + params["fc2.bias"]
    stages["scores"] = np.exp(logits) / np.exp(logits).sum()
    stages["logits"] = logits
    return stages


def torch_stages(net, image):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    params = {k: torch.from_numpy(v.astype(np.float64)) for k, v in net.params.items()}
    stages, x = {}, torch.from_numpy(image.astype(np.float64))[None, None]
    with torch.no_grad():
        for i in range(1, net.config.num_stages + 1):
            x = F.relu(F.conv2d(x, params[f"conv{i}.weight"], params[f"conv{i}.bias"], padding=net.config.kernel_size // 2))
            stages[f"conv{i}"] = x[0].numpy()
            x = F.max_pool2d(x, 2)
            stages[f"pool{i}"] = x[0].numpy()
        hidden = F.relu(F.linear(x.flatten(1), params["fc1.weight"], params["fc1.bias"]))
        stages["fc1"] = hidden[0].numpy()
        logits = F.linear(hidden, params["fc2.weight"], params["fc2.bias"])
        stages["scores"], stages["logits"] = torch.softmax(logits, 1)[0].numpy(), logits[0].numpy()
    return stages


@pytest.mark.parametrize("oracle", [numpy_stages, torch_stages], ids=["numpy and scipy", "torch"])
@pytest.mark.parametrize("name", CONFIGS)
def test_every_unit_equals_an_independent_forward_pass(name, oracle):
    net, image = network(name, seed=5), a_digit(2)
    stages = oracle(net, image)
    for stage, c, r, col in units(net.config):
        e = explain_unit(net, image, stage, c, r, col)
        expected = stages[stage][c, r, col] if stages[stage].ndim == 3 else stages[stage][c]
        # the explanation sums float64 over the network's float32 maps; the oracle is float64 throughout
        assert e.value == pytest.approx(expected, rel=1e-5, abs=1e-5), (stage, c, r, col)
    np.testing.assert_allclose(explain_unit(net, image, "scores", 0).logits, stages["logits"], rtol=1e-5, atol=1e-5)


def test_each_channel_sum_is_scipys_correlation_of_that_slice():
    net, image = network("default"), a_digit(3)
    acts = net.activations(image[None, None])
    for row, col in [(0, 0), (6, 13), (13, 13)]:
        e = explain_unit(net, image, "conv2", 7, row, col)
        pool1 = acts["pool1"][0].astype(np.float64)
        expected = [correlate(pool1[c], e.weights[c], mode="same")[row, col] for c in range(pool1.shape[0])]
        np.testing.assert_allclose(e.channel_sums, expected, rtol=1e-12, atol=1e-12)


# --- hand-computed ---------------------------------------------------------------------------------

def emboss_network(bias=0.0):
    """A one-channel 3×3 network whose conv1 kernel is the playground's emboss preset."""
    net = Network(NetworkConfig(channels=(1, 2), kernel_size=3, fc_width=4), seed=0)
    net.params["conv1.weight"][0, 0] = PRESETS["emboss"]
    net.params["conv1.bias"][0] = bias
    return net


def test_the_lecture_emboss_patch_sums_to_minus_106():
    image = np.zeros((28, 28), np.float32)
    image[10:13, 10:13] = EMBOSS_PATCH  # pixel values as they are, 0..255, so the sum is the lecture's
    e = explain_unit(emboss_network(), image, "conv1", 0, 11, 11)
    np.testing.assert_array_equal(e.windows[0], EMBOSS_PATCH)
    assert not e.is_padding.any()
    assert e.channel_sums.tolist() == [EMBOSS_SUM]
    assert e.pre_activation == EMBOSS_SUM and e.value == 0.0  # the ReLU cuts it
    e = explain_unit(emboss_network(bias=150.0), image, "conv1", 0, 11, 11)
    assert e.pre_activation == 44.0 and e.value == 44.0
    assert [step.total for step in e.steps()] == [EMBOSS_SUM, 44.0, 44.0]
    assert [step.label for step in e.steps()] == ["input channel 0", "+ bias", "ReLU"]


def test_a_window_at_the_corner_reads_zeros_outside():
    image = np.zeros((28, 28), np.float32)
    image[:2, :2] = EMBOSS_PATCH[1:, 1:] / 255  # the patch with its top row and left column cut off
    e = explain_unit(emboss_network(), image, "conv1", 0, 0, 0)
    np.testing.assert_array_equal(e.is_padding, [[True, True, True], [True, False, False], [True, False, False]])
    np.testing.assert_allclose(e.windows[0] * 255, [[0, 0, 0], [0, 127, 98], [0, 135, 80]], atol=1e-4)
    assert e.pre_activation == pytest.approx((127 + 98 + 135 + 2 * 80) / 255, rel=1e-6)
    assert e.window_box == Box(0, 0, 2, 2)


def test_a_pool_unit_names_the_first_maximum():
    net = emboss_network()
    net.params["conv1.weight"][0, 0] = PRESETS["identity"]  # conv1's map is the image itself
    image = np.zeros((28, 28), np.float32)
    image[4:6, 6:8] = [[0.25, 0.75], [0.75, 0.5]]
    e = explain_unit(net, image, "pool1", 0, 2, 3)
    np.testing.assert_array_equal(e.window, [[0.25, 0.75], [0.75, 0.5]])
    assert e.argmax == (0, 1) and e.value == 0.75  # a tie goes to the first in reading order
    assert e.input_stage == "conv1" and e.window_box == Box(4, 6, 6, 8)


def test_fc_contributions_and_where_they_come_from():
    net, image = network("default"), a_digit(4)
    e = explain_unit(net, image, "fc1", 9)
    acts = net.activations(image[None, None])
    np.testing.assert_array_equal(e.inputs, acts["pool2"][0].ravel())
    np.testing.assert_array_equal(e.weights, net.params["fc1.weight"][9])
    np.testing.assert_allclose(e.contributions, e.inputs * e.weights)
    assert e.input_stage == "pool2" and e.input_shape == (36, 7, 7)
    assert e.source(0) == (0, 0, 0) and e.source(49) == (1, 0, 0) and e.source(1763) == (35, 6, 6)
    assert e.source(e.index_of(20, 3, 5)) == (20, 3, 5)
    assert e.inputs[e.index_of(20, 3, 5)] == acts["pool2"][0, 20, 3, 5]
    top = e.largest(5)
    assert [abs(v) for _, v in top] == sorted(np.abs(e.contributions), reverse=True)[:5]
    np.testing.assert_allclose(e.channel_totals, (e.inputs * e.weights).reshape(36, 49).sum(axis=1))
    assert e.steps()[-2].total == e.pre_activation


def test_the_softmax_written_out():
    net, image = network("three stages"), a_digit(5)
    e = explain_unit(net, image, "scores", 3)
    assert e.shift == e.logits.max()
    np.testing.assert_allclose(e.exps, np.exp(e.logits - e.logits.max()))
    assert e.total == pytest.approx(e.exps.sum())
    assert e.value == pytest.approx(e.exps[3] / e.total)
    assert e.probabilities.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(e.probabilities, np.exp(e.logits) / np.exp(e.logits).sum())
    assert [s.total for s in e.steps()] == [e.logits[3], e.exps[3], e.value]


def test_explanations_are_read_only_values():
    net, image = network("default"), a_digit()
    e = explain_unit(net, image, "conv2", 4, 5, 6)
    for array in (e.windows, e.is_padding, e.weights, e.channel_sums):
        with pytest.raises(ValueError):
            array[...] = 0
    assert e == explain_unit(net, image, "conv2", 4, 5, 6)
    assert e != explain_unit(net, image, "conv2", 4, 5, 7)
    assert e.partial_sum(0) == 0.0 and e.partial_sum(99) == pytest.approx(e.pre_activation - e.bias)
    assert e.partial_sum(3) == pytest.approx(e.channel_sums[:3].sum())
    assert kernelplay.explain_unit is explain_unit


@pytest.mark.parametrize("args,words", [
    (("conv9", 0, 0, 0), "choose one of conv1, pool1, conv2, pool2, fc1, scores"),
    (("input", 0, 0, 0), "cannot explain stage 'input'"),
    (("flatten", 0, 0, 0), "cannot explain stage 'flatten'"),
    (("conv1", 16, 0, 0), "conv1 has channels 0 to 15; 16 is out of range"),
    (("pool2", 0, 7, 0), "pool2 has rows 0 to 6; 7 is out of range"),
    (("conv2", 0, 0, -1), "conv2 has columns 0 to 13; -1 is out of range"),
    (("fc1", 128, 0, 0), "fc1 has units 0 to 127"),
    (("scores", 3, 1, 0), "no position"),
    (("conv1", 1.5, 0, 0), "channel must be a whole number"),
    (("conv1", True, 0, 0), "channel must be a whole number"),
])
def test_arguments_are_checked_with_sentences(args, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        explain_unit(Network(), a_digit(), *args)


def test_the_digit_must_be_one_28_by_28_image():
    net = Network()
    with pytest.raises(ValueError, match="one 28×28 digit"):
        explain_unit(net, np.zeros((2, 28, 28)), "conv1", 0, 0, 0)
    with pytest.raises(ValueError, match="finite"):
        explain_unit(net, np.full((28, 28), np.nan), "conv1", 0, 0, 0)
    e = explain_unit(net, np.zeros((1, 1, 28, 28)), "conv1", 0, 0, 0)  # a batch of one is one digit
    assert e.value == max(float(net.params["conv1.bias"][0]), 0.0)
