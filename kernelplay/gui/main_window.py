"""The main window: the two tabs, the menus and shortcuts, drag-and-drop and the clipboard."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kernelplay import __version__
from kernelplay.imaging.images import ImageLoadError, image_from_bytes, load_image, save_image
from kernelplay.imaging.kernels import KernelFileError, load_kernels, save_kernels
from kernelplay.gui.bridge_menu import add_bridge_items, connect_training_tab
from kernelplay.gui.classroom import Classroom
from kernelplay.gui.message_bar import MessageBar
from kernelplay.gui.playground.playground_tab import PlaygroundTab
from kernelplay.gui.qt_arrays import array_to_qimage, qimage_to_array
from kernelplay.gui.run_menu import add_run_menu_items, add_save_image_menus
from kernelplay.gui.settings import AppSettings
from kernelplay.gui.tab_loader import TabLoader
from kernelplay.gui.window_fit import WindowFit
from kernelplay.common.files import FileSaveError, save_failure
from kernelplay.common.resources import IMAGE_SUFFIXES, sample_images
from kernelplay.common.text import sentence

IMAGE_FILTER = "Images (" + " ".join(f"*{s}" for s in IMAGE_SUFFIXES) + ");;All files (*)"
SAVE_FILTER = "PNG image (*.png);;JPEG image (*.jpg *.jpeg);;BMP image (*.bmp)"
KERNEL_FILTER = "Kernel files (*.json);;All files (*)"
TRAINING_MODULES = ("pyqtgraph", "kernelplay.gui.training.training_tab")  # imported one per idle turn


class MainWindow(QMainWindow):
    """kernelplay's window: tab 1 the kernel playground, tab 2 CNN training."""

    def __init__(self, settings: AppSettings | None = None, *, with_training: bool = True) -> None:
        """``with_training=False`` leaves out the training tab (tests of the playground start faster)."""
        super().__init__()
        self.setWindowTitle("kernelplay")
        self.settings = settings or AppSettings()
        self.playground = PlaygroundTab()
        self.playground.kernel_editor.add_custom_kernels(self.settings.custom_kernels())
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.playground, "Kernel playground")
        self._training = None  # built after the window is up: see the training property
        self._training_loader = TabLoader(self, self.tabs, "CNN training", lambda: self._create_training_tab(),
                                          TRAINING_MODULES) if with_training else None
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.tabs)
        self.setCentralWidget(central)
        # floats beside the tabs (over the top of the page if long): a message never moves what the user aims at
        self.message_bar = MessageBar(central, anchor=self.tabs.tabBar())
        self.statusBar().addWidget(self.playground.hover_label, 1)
        self.statusBar().addPermanentWidget(self.playground.summary_label)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._on_tab_changed(self.tabs.currentIndex())
        self.setAcceptDrops(True)
        self._create_actions()
        self._create_menus()
        add_save_image_menus(self)
        self.classroom = Classroom(self)  # Help ▸ Lesson, presentation mode, colours, the layout kept
        self.fit = WindowFit(self)  # on a screen too small for the pages they scroll (window_fit.py)
        self.playground.message_posted.connect(self.show_message)
        if self.settings.dropped_kernels:  # settings the app could not use: it starts, and says so
            self.show_message(self.settings.dropped_kernels)
        if self._training_loader is not None:
            self._training_loader.loaded.connect(self._on_training_loaded)
        self.playground.image_loaded.connect(self._on_image_loaded)
        geometry = self.settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 800)
        self._open_first_sample()

    @property
    def training(self) -> QWidget | None:
        """The CNN training tab (None without one). It is built in the event loop's idle turns once
        the window is painted, or when its tab is chosen, or here on first use (tab_loader.py)."""
        return None if self._training_loader is None else self._training_loader.widget()

    @Slot(QWidget)
    def _on_training_loaded(self, tab: QWidget) -> None:
        self._training = tab
        self.statusBar().addWidget(tab.status_label, 1)
        tab.message_posted.connect(self.show_message)
        add_save_image_menus(self, tab)
        connect_training_tab(self, tab)
        self.classroom.on_training_loaded(tab)
        self._on_tab_changed(self.tabs.currentIndex())

    @staticmethod
    def _create_training_tab() -> QWidget:
        from kernelplay.gui.training.training_tab import TrainingTab

        return TrainingTab()

    def _open_first_sample(self) -> None:
        samples = sample_images()
        preferred = next((name for name in ("camera", "photo") if name in samples), None)
        name = preferred or next(iter(samples), None)
        if name is not None:
            self.playground.set_image(load_image(samples[name]), name)

    # -- actions and menus ----------------------------------------------------------------
    def _create_actions(self) -> None:
        def action(text: str, slot, shortcut=None, tip: str = "") -> QAction:
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(shortcut)
            act.setStatusTip(tip)
            act.triggered.connect(slot)
            return act

        self.open_action = action("&Open Image…", self._on_open, QKeySequence.StandardKey.Open, "Open an image file")
        self.paste_action = action(
            "&Paste Image", self.paste_image, QKeySequence.StandardKey.Paste, "Use the image on the clipboard as input"
        )
        self.save_action = action(
            "&Save Output…", self._on_save_output, QKeySequence.StandardKey.Save, "Save the filtered image (PNG, JPEG, BMP)"
        )
        self.copy_action = action(
            "&Copy Output", self.copy_output, QKeySequence("Ctrl+Shift+C"), "Copy the filtered image to the clipboard"
        )
        self.quit_action = action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.load_kernels_action = action("&Load Kernels…", self._on_load_kernels, None, "Add kernels from a JSON file")
        self.save_kernels_action = action("Save &Kernels…", self._on_save_kernels, None, "Save your kernels to a JSON file")
        self.keep_kernel_action = action(
            "&Keep Current Kernel…", self._on_keep_kernel, QKeySequence("Ctrl+K"), "Name the current kernel and keep it"
        )
        self.zoom_in_action = action("Zoom &In", lambda: self._zoom_by(1.25), QKeySequence.StandardKey.ZoomIn)
        self.zoom_out_action = action("Zoom &Out", lambda: self._zoom_by(0.8), QKeySequence.StandardKey.ZoomOut)
        self.zoom_fit_action = action("Zoom to &Fit", self.playground.images.zoom_to_fit, QKeySequence("Ctrl+0"))
        self.zoom_actual_action = action(
            "&Actual Pixels", lambda: self.playground.images.set_zoom(1.0), QKeySequence("Ctrl+1")
        )
        self.about_action = action("&About kernelplay", self._on_about)
        for act in (self.zoom_in_action, self.zoom_out_action, self.zoom_fit_action, self.zoom_actual_action):
            self.addAction(act)

    def _create_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.open_action)
        self.samples_menu = file_menu.addMenu("Open &Sample")
        for name, path in sample_images().items():
            self.samples_menu.addAction(name, lambda checked=False, n=name, p=path: self._open_sample(n, p))
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self._rebuild_recent_menu()
        file_menu.addAction(self.paste_action)
        file_menu.addSeparator()
        file_menu.addAction(self.save_action)
        file_menu.addAction(self.copy_action)
        file_menu.addSeparator()
        if self._training_loader is not None:
            add_run_menu_items(self, file_menu)
            file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        kernel_menu = self.menuBar().addMenu("&Kernel")
        kernel_menu.addAction(self.keep_kernel_action)
        kernel_menu.addAction(self.load_kernels_action)
        kernel_menu.addAction(self.save_kernels_action)
        if self._training_loader is not None:  # kernels between the tabs (issue 12)
            add_bridge_items(self, kernel_menu)
        view_menu = self.menuBar().addMenu("&View")
        for act in (self.zoom_in_action, self.zoom_out_action, self.zoom_fit_action, self.zoom_actual_action):
            view_menu.addAction(act)
        self.menuBar().addMenu("&Help").addAction(self.about_action)

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files()
        for path in files:
            self.recent_menu.addAction(path, lambda checked=False, p=path: self.open_path(p))
        if files:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear Recent", self._on_clear_recent)
        self.recent_menu.setEnabled(bool(files))

    # -- opening images -------------------------------------------------------------------
    def open_path(self, path: str | Path) -> bool:
        """Open an image file in the playground (a failure is reported and changes nothing)."""
        self.tabs.setCurrentWidget(self.playground)
        if not self.playground.open_path(path):
            return False
        self.settings.add_recent_file(str(Path(path).resolve()))
        self._rebuild_recent_menu()
        return True

    def _open_sample(self, name: str, path: Path) -> None:
        self.tabs.setCurrentWidget(self.playground)
        self.playground.set_image(load_image(path), name)

    @Slot()
    def _on_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open Image", "", IMAGE_FILTER)
        if path:
            self.open_path(path)

    @Slot()
    def paste_image(self) -> bool:
        """Use the clipboard's image (or an image file path / URL on it) as the input."""
        return self._open_mime(QGuiApplication.clipboard().mimeData(), "pasted image")

    def _open_mime(self, mime: QMimeData | None, name: str) -> bool:
        if mime is None:
            self.show_message("There is nothing on the clipboard.")
            return False
        local_files = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
        if local_files:
            return self.open_path(local_files[0])
        if mime.hasImage():
            try:
                pixels = qimage_to_array(mime.imageData())
            except ValueError as error:
                self.show_message(f"The image could not be read: {error}.")
                return False
            self.tabs.setCurrentWidget(self.playground)
            self.playground.set_image(pixels, name)
            return True
        for fmt in ("image/png", "image/jpeg", "image/bmp"):
            if mime.hasFormat(fmt):
                try:
                    pixels = image_from_bytes(bytes(mime.data(fmt).data()))
                except ImageLoadError as error:
                    self.show_message(str(error))
                    return False
                self.playground.set_image(pixels, name)
                return True
        text = mime.text().strip() if mime.hasText() else ""
        if text and Path(text).is_file():
            return self.open_path(text)
        self.show_message("The clipboard holds no image. Copy an image or an image file, then paste again.")
        return False

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() or event.mimeData().hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        event.acceptProposedAction()
        self._open_mime(event.mimeData(), "dropped image")

    # -- the output and kernels -------------------------------------------------------------
    @Slot()
    def _on_save_output(self) -> None:
        if self.playground.output_pixels() is None:
            self.show_message(self.playground.why_no_output())
            return
        stem = Path(self.playground.image_name()).stem or "output"
        path, _ = QFileDialog.getSaveFileName(self, "Save Output", f"{stem}-filtered.png", SAVE_FILTER)
        if path:
            self.save_output(path)

    def save_output(self, path: str | Path) -> bool:
        """Write the shown output to ``path`` (format from its suffix), atomically."""
        pixels = self.playground.output_pixels()
        if pixels is None:
            return False
        try:
            save_image(path, pixels)
        except (OSError, ValueError) as error:  # a missing folder, a full disk, a suffix it cannot write
            self.show_message(save_failure(path, error))
            return False
        self.show_message(f"Saved {path}")
        return True

    @Slot()
    def copy_output(self) -> None:
        pixels = self.playground.output_pixels()
        if pixels is None:
            self.show_message(self.playground.why_no_output())
            return
        QGuiApplication.clipboard().setImage(array_to_qimage(pixels))
        self.show_message("Output copied to the clipboard.")

    @Slot()
    def _on_keep_kernel(self) -> None:
        name, ok = QInputDialog.getText(self, "Keep Kernel", "Name for this kernel:")
        if ok and name.strip():
            self.keep_kernel(name.strip())

    def keep_kernel(self, name: str) -> None:
        """Add the current kernel to the list under ``name``; it is remembered across restarts."""
        editor = self.playground.kernel_editor
        self._keep_kernels({name: editor.kernel()})
        editor.set_preset(name if name in editor.known_kernels() else f"{name} (mine)")
        self.show_message(f"Kept kernel “{name}”.")

    def _keep_kernels(self, kernels: dict) -> None:
        """Add ``kernels`` (name → array) to the editor's list and remember them across restarts."""
        editor = self.playground.kernel_editor
        editor.add_custom_kernels(kernels)
        self.settings.set_custom_kernels(editor.custom_kernels())

    @Slot()
    def _on_load_kernels(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load Kernels", "", KERNEL_FILTER)
        if path:
            self.load_kernels(path)

    def load_kernels(self, path: str | Path) -> bool:
        try:
            kernels = load_kernels(path)
        except KernelFileError as error:
            self.show_message(str(error))
            return False
        self._keep_kernels(kernels)
        self.show_message(f"Loaded {len(kernels)} kernel(s) from {Path(path).name}.")
        return True

    @Slot()
    def _on_save_kernels(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save Kernels", "kernels.json", KERNEL_FILTER)
        if path:
            self.save_kernels(path)

    def save_kernels(self, path: str | Path) -> bool:
        """Save your kept kernels and the one being edited (as "current") to a JSON file."""
        editor = self.playground.kernel_editor
        try:
            save_kernels(path, {**editor.custom_kernels(), "current": editor.kernel()})
        except (FileSaveError, ValueError) as error:  # a missing folder, no permission, a full disk
            self.show_message(sentence(str(error)))
            return False
        self.show_message(f"Saved kernels to {path}")
        return True

    # -- training runs and exports (the training tab's files; see run_menu.py) -----------------
    def save_training_run(self, path: str | Path) -> None:
        """Save the run — checkpoints, curves, settings — to ``path`` (a message follows)."""
        self.training.run_files.save_run(path)

    def open_training_run(self, path: str | Path) -> None:
        """Go on from the run in ``path``, its timeline restored (a message follows)."""
        self.tabs.setCurrentWidget(self.training)
        self.training.run_files.open_run(path)

    def export_kernel_animation(self, path: str | Path) -> None:
        self.training.run_files.export_kernel_animation(path)

    def export_curves_csv(self, path: str | Path) -> bool:
        return self.training.run_files.export_curves_csv(path)

    def export_confusion_csv(self, path: str | Path) -> bool:
        return self.training.run_files.export_confusion_csv(path)

    # -- misc ---------------------------------------------------------------------------
    def _zoom_by(self, factor: float) -> None:
        self.playground.images.set_zoom(self.playground.images.zoom() * factor)

    @Slot(str)
    def show_message(self, text: str) -> None:
        self.message_bar.show_message(text)

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        """The status bar speaks of the tab on show: the playground's image, or the training's progress."""
        on_playground = self.tabs.widget(index) is self.playground
        self.playground.hover_label.setVisible(on_playground)
        self.playground.summary_label.setVisible(on_playground)
        if self._training is not None:
            self._training.status_label.setVisible(not on_playground)

    @Slot(str)
    def _on_image_loaded(self, name: str) -> None:
        self.setWindowTitle(f"{name} — kernelplay")

    @Slot()
    def _on_clear_recent(self) -> None:
        self.settings.clear_recent_files()
        self._rebuild_recent_menu()

    @Slot()
    def _on_about(self) -> None:
        QMessageBox.about(
            self,
            "About kernelplay",
            f"<b>kernelplay {__version__}</b><p>Learn how convolutional neural networks see: "
            "apply kernels to images, follow each multiply-and-sum, and watch a small CNN learn.</p>",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.set_geometry(self.saveGeometry())
        self.playground.shutdown()
        if self._training is not None:
            self._training.shutdown()
        super().closeEvent(event)

