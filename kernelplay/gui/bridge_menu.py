"""Kernels that cross between the tabs (issue 12), wired into the window: a learned kernel the
training tab hands over (right-click ▸ Open in the playground) becomes the playground's kernel, and
Kernel ▸ Put into the Network… copies the playground's kernel into a conv1 channel of the network
being trained, frozen or not.

Nothing here loads the training tab's modules (pyqtgraph) or the network's before the tab is built
or the menu used: the window is shown first and builds that tab afterwards (tab_loader.py).
"""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu


__all__ = ["add_bridge_items", "connect_training_tab", "open_in_playground", "put_into_network", "looks_like"]


def looks_like(kernel: np.ndarray) -> str:
    """``"looks most like: left sobel (r = 0.62)"``: the preset of highest correlation (see
    :func:`kernelplay.bridge.nearest_preset`)."""
    from kernelplay.bridge import nearest_preset

    match = nearest_preset(kernel)
    if match.name is None:
        return "flat: looks like no preset"
    return f"looks most like: {match.name} (r = {match.correlation:.2f})".replace("-", "−")


def connect_training_tab(window, tab) -> None:
    """A learned kernel the tab hands over (``kernel_to_playground``) opens in the playground."""
    tab.kernel_to_playground.connect(lambda kernel, title: open_in_playground(window, kernel, title))


def add_bridge_items(window, kernel_menu: QMenu) -> QAction:
    """Add Kernel ▸ Put into the Network… (``window.put_kernel_action``); returns that action."""
    action = QAction("&Put into the Network…", window)
    action.setStatusTip("Copy this kernel into a first-layer channel of the network being trained, frozen or not")
    action.triggered.connect(lambda: put_into_network(window))
    kernel_menu.addSeparator()
    kernel_menu.addAction(action)
    window.put_kernel_action = action
    return action


def open_in_playground(window, kernel: np.ndarray, title: str) -> None:
    """Make ``kernel`` (a learned slice, e.g. "conv2.weight[7, 3]") the playground's kernel and show it."""
    window.playground.kernel_editor.set_kernel(kernel)
    window.tabs.setCurrentWidget(window.playground)
    k = kernel.shape[0]
    window.show_message(f"The learned kernel {title} ({k}×{k}) is the playground's kernel now — {looks_like(kernel)}.")


def put_into_network(window):
    """Ask which conv1 channel gets the playground's kernel (and frozen or not), then put it there;
    the dialog (a :class:`~kernelplay.gui.training.put_kernel_dialog.PutKernelDialog`) is returned
    open (``window.put_kernel_dialog``), not waited for."""
    from kernelplay.gui.training.put_kernel_dialog import PutKernelDialog

    training = window.training
    latest = training.latest_snapshot()
    config = latest.config if latest is not None else training.config
    kernel = window.playground.kernel_editor.kernel()
    dialog = PutKernelDialog(kernel, config.channels[0], config.kernel_size,
                             latest.frozen_channels if latest is not None else (), window)

    def put() -> None:
        channel, frozen = dialog.channel(), dialog.frozen()
        training.session.put_kernel(channel, kernel, frozen)
        window.tabs.setCurrentWidget(training)
        state = "frozen: training leaves it unchanged" if frozen else "not frozen: watch training adjust it"
        window.show_message(f"Put the playground's kernel into the network as conv1 kernel {channel}, {state}.")

    dialog.accepted.connect(put)
    dialog.finished.connect(dialog.deleteLater)
    window.put_kernel_dialog = dialog
    dialog.open()
    return dialog
