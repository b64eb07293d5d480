"""The optimisers' arithmetic, checked against numbers worked out by hand (no PyTorch needed), and
against ``torch.optim`` where PyTorch is installed.

Every hand check takes two steps from p0 = [1, -2, 0.5] with the gradients g1 = [0.5, 1, -2], then
g2 = [0.5, -1, 1], learning rate 0.1: the second step is where momentum and Adam's bias correction
show. The comments carry the arithmetic; elementwise, one column per parameter.
"""
import numpy as np
import pytest

from kernelplay.nn.optim import (
    OPTIMIZERS,
    SGD,
    Adam,
    check_learning_rate,
    check_weight_decay,
    make_optimizer,
)

P0 = [1.0, -2.0, 0.5]
G1 = [0.5, 1.0, -2.0]
G2 = [0.5, -1.0, 1.0]
# Adam divides by sqrt(v̂) + 1e-8: with |g| ≥ 0.5 the eps moves a result by < 1e-8
TOLERANCE = 1e-7

# SGD, momentum 0.9, no weight decay:  v = 0.9·v + g;  p -= 0.1·v
#   step 1: v = g1 = [0.5, 1, -2]                            p = [0.95, -2.1, 0.7]
#   step 2: v = 0.9·[0.5, 1, -2] + [0.5, -1, 1]
#             = [0.95, -0.1, -0.8]                           p = [0.855, -2.09, 0.78]
SGD_PLAIN = ([0.95, -2.1, 0.7], [0.855, -2.09, 0.78])

# SGD, momentum 0.9, weight decay 0.1: the gradient becomes g + 0.1·p
#   step 1: g = [0.5 + 0.1, 1 - 0.2, -2 + 0.05] = [0.6, 0.8, -1.95] = v
#           p = [1 - 0.06, -2 - 0.08, 0.5 + 0.195]            = [0.94, -2.08, 0.695]
#   step 2: g = [0.5 + 0.094, -1 - 0.208, 1 + 0.0695]         = [0.594, -1.208, 1.0695]
#           v = 0.9·[0.6, 0.8, -1.95] + g                      = [1.134, -0.488, -0.6855]
#           p = [0.94 - 0.1134, -2.08 + 0.0488, 0.695 + 0.06855] = [0.8266, -2.0312, 0.76355]
SGD_DECAYED = ([0.94, -2.08, 0.695], [0.8266, -2.0312, 0.76355])

# Adam, β1 0.9, β2 0.999, no weight decay:
#   m = 0.9·m + 0.1·g;  v = 0.999·v + 0.001·g²;  p -= 0.1 · (m / (1 - 0.9^t)) / sqrt(v / (1 - 0.999^t))
#   step 1: m = 0.1·g1, v = 0.001·g1²; the corrections divide by 0.1 and 0.001, so m̂ = g1, v̂ = g1²
#           and each value moves by 0.1 against the sign of its gradient: p = [0.9, -2.1, 0.6]
#   step 2: the corrections are 1 - 0.81 = 0.19 and 1 - 0.998001 = 0.001999
#     column 1 (g2 = g1 = 0.5): m̂ = (0.045 + 0.05) / 0.19 = 0.5, v̂ = 0.25: moves by 0.1 again, to 0.8
#     column 2 (g2 = -g1 = -1): m̂ = (0.09 - 0.1) / 0.19 = -1/19, v̂ = (0.000999 + 0.001) / 0.001999 = 1
#                               p = -2.1 + 0.1/19 = -2.09473684
#     column 3 (-2, then 1):    m = -0.18 + 0.1 = -0.08,        m̂ = -0.08 / 0.19 = -0.42105263
#                               v = 0.003996 + 0.001 = 0.004996, v̂ = 2.49924962, sqrt 1.58090152
#                               p = 0.6 + 0.1 · 0.42105263 / 1.58090152 = 0.62663370
ADAM_PLAIN = ([0.9, -2.1, 0.6], [0.8, -2.09473684, 0.62663370])

# Adam with weight decay 0.1 (g + 0.1·p, as torch.optim.Adam):
#   step 1: g = [0.6, 0.8, -1.95], the same signs as g1: p = [0.9, -2.1, 0.6] again
#   step 2: g = [0.5 + 0.09, -1 - 0.21, 1 + 0.06] = [0.59, -1.21, 1.06]
#           m = 0.09·[0.6, 0.8, -1.95] + 0.1·g = [0.113, -0.049, -0.0695]
#           v = 0.000999·[0.36, 0.64, 3.8025] + 0.001·[0.3481, 1.4641, 1.1236]
#             = [0.00070774, 0.00210346, 0.0049222975]
#           m̂ = m / 0.19 = [0.59473684, -0.25789474, -0.36578947]
#           sqrt(v̂) = sqrt(v / 0.001999) = [0.59501851, 1.02579536, 1.56919723]
#           p = [0.9 - 0.09995266, -2.1 + 0.02514095, 0.6 + 0.02331061]
ADAM_DECAYED = ([0.9, -2.1, 0.6], [0.80004734, -2.07485905, 0.62331061])


def two_steps(optimizer, size=3):
    """p after each of the two steps (the three values tiled to ``size``)."""
    tile = size // 3
    p = np.tile(P0, tile)
    seen = []
    for g in (G1, G2):
        optimizer.step({"p": p}, {"p": np.tile(g, tile)})
        seen.append(p[:3].copy())
        np.testing.assert_array_equal(p, np.tile(p[:3], tile))  # every copy updated alike
    return seen


@pytest.mark.parametrize("make, expected", [
    (lambda: SGD(0.1, momentum=0.9), SGD_PLAIN),
    (lambda: SGD(0.1, momentum=0.9, weight_decay=0.1), SGD_DECAYED),
    (lambda: Adam(0.1), ADAM_PLAIN),
    (lambda: Adam(0.1, weight_decay=0.1), ADAM_DECAYED),
], ids=["sgd", "sgd-weight-decay", "adam", "adam-weight-decay"])
@pytest.mark.parametrize("size", [3, 3 * 30_000])  # the large one is updated in two halves on two threads
def test_two_steps_match_the_hand_computed_values(make, expected, size):
    first, second = two_steps(make(), size)
    np.testing.assert_allclose(first, expected[0], rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(second, expected[1], rtol=0, atol=TOLERANCE)


def test_reset_forgets_the_moments():
    optimizer = SGD(0.1, momentum=0.9)
    two_steps(optimizer)
    optimizer.reset()
    first, _ = two_steps(optimizer)  # from P0 again, with no velocity left over
    np.testing.assert_allclose(first, SGD_PLAIN[0], rtol=0, atol=TOLERANCE)


def test_settings_change_between_steps_and_are_checked():
    optimizer = Adam(1e-3)
    optimizer.learning_rate = 0.5
    optimizer.weight_decay = 0.0
    assert optimizer.learning_rate == 0.5
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="learning rate must be a positive number"):
            optimizer.learning_rate = bad
    with pytest.raises(ValueError, match="weight decay must be zero or positive, got -0.1"):
        optimizer.weight_decay = -0.1
    assert optimizer.learning_rate == 0.5 and optimizer.weight_decay == 0.0
    assert check_learning_rate(3) == 3.0 and check_weight_decay(0) == 0.0
    with pytest.raises(ValueError, match="got -1$"):
        check_learning_rate(-1)  # the value as given, not as converted
    with pytest.raises(ValueError, match="momentum"):
        SGD(0.1, momentum=1.0)


def test_optimizers_by_name():
    assert list(OPTIMIZERS) == ["adam", "sgd"]
    assert isinstance(make_optimizer("Adam", 1e-3), Adam)
    sgd = make_optimizer("sgd", 0.05, momentum=0.5, weight_decay=1e-4)
    assert isinstance(sgd, SGD) and (sgd.momentum, sgd.weight_decay) == (0.5, 1e-4)
    with pytest.raises(ValueError, match="choose one of: adam, sgd"):
        make_optimizer("rmsprop", 1e-3)


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
@pytest.mark.parametrize("size", [5, 70_000])  # the large one is updated in two halves on two threads
def test_optimizers_match_pytorch(weight_decay, size):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    start = rng.standard_normal(size).astype(np.float32)
    grads = [rng.standard_normal(size).astype(np.float32) for _ in range(3)]
    for ours, theirs in ((Adam(1e-2, weight_decay=weight_decay), lambda q: torch.optim.Adam([q], 1e-2, weight_decay=weight_decay)),
                         (SGD(1e-2, momentum=0.9, weight_decay=weight_decay),
                          lambda q: torch.optim.SGD([q], 1e-2, momentum=0.9, weight_decay=weight_decay))):
        p = start.copy()
        q = torch.nn.Parameter(torch.from_numpy(start.copy()))
        topt = theirs(q)
        for g in grads:
            ours.step({"p": p}, {"p": g})
            q.grad = torch.from_numpy(g.copy())
            topt.step()
        np.testing.assert_allclose(p, q.detach().numpy(), rtol=1e-5, atol=1e-6)
