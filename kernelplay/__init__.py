"""kernelplay: learn how convolutional neural networks see.

The names below are the public, Qt-free core (see the README's "Python API"). Image kernels live in
:mod:`kernelplay.imaging`, the digit CNN in :mod:`kernelplay.nn`, what both use in
:mod:`kernelplay.common`; the Qt app is :mod:`kernelplay.gui` and imports them, never the reverse.
"""
__version__ = "0.1.0"

from kernelplay.bridge import PresetMatch, learned_kernel, nearest_preset, put_kernel
from kernelplay.imaging.borders import BORDER_MODES
from kernelplay.imaging.explain import PixelExplanation, explain_pixel
from kernelplay.imaging.filtering import apply_kernel, apply_kernel_naive
from kernelplay.imaging.images import MAX_PIXELS, ImageLoadError, image_from_bytes, load_image, luminance, save_image
from kernelplay.imaging.kernels import (
    PRESETS,
    KernelFileError,
    kernel_as_fraction,
    load_kernels,
    parse_kernel,
    parse_weight,
    save_kernels,
)
from kernelplay.imaging.mapping import OUTPUT_MAPPINGS, MappedOutput, map_output, map_value
from kernelplay.nn.checkpoints import CheckpointHistory
from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.datasets import Digits, DigitSplit, IdxFormatError, load_digits, load_mnist_dir, read_idx
from kernelplay.nn.digits import center_digit
from kernelplay.nn.evaluation import Evaluation, evaluate_digits
from kernelplay.nn.explain_unit import UnitExplanation, explain_unit
from kernelplay.nn.exports import write_confusion_csv, write_curves_csv, write_kernel_animation
from kernelplay.nn.model_file import ModelFileError
from kernelplay.nn.network import Network
from kernelplay.nn.optim import SGD, Adam
from kernelplay.nn.run_file import RunFileError, TrainingRun, read_run_file, write_run_file
from kernelplay.nn.snapshot import Snapshot, StepResult, StopKind, StopReason
from kernelplay.nn.top_activating import TopActivating, top_activating
from kernelplay.nn.training import Trainer, train
