"""What a person would see as broken in a window, found by measuring: text wider than its widget,
a widget outside its parent, a plot squeezed below its own minimum, tick labels on top of each
other. Each function returns sentences naming the widget, empty when all is well."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QSizeF, Qt
from PySide6.QtGui import QFontInfo, QFontMetricsF, QImage, QPainter, QTextDocument
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLabel,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QStyleOptionComboBox,
    QWidget,
)

SLACK = 1.0  # pixels: rounding between text layout and widget geometry


def describe(widget: QWidget) -> str:
    text = getattr(widget, "text", lambda: "")()
    name = widget.accessibleName() or widget.objectName()
    parent = widget.parentWidget()
    return f"{type(widget).__name__} {name!r} {text[:40]!r} in {type(parent).__name__ if parent else None}"


def _shown(root: QWidget, kind) -> list:
    """The widgets of ``kind`` (a class or a tuple of them) on show in ``root``'s window."""
    return [w for w in root.findChildren(QWidget)
            if isinstance(w, kind) and w.isVisible() and w.window() is root.window()]


def label_text_width(label: QLabel) -> float:
    """The width the label's text takes on one line per line break (rich text laid out as Qt does)."""
    document = QTextDocument()
    document.setDocumentMargin(0)
    document.setDefaultFont(label.font())
    text = label.text()
    if label.textFormat() == Qt.TextFormat.PlainText or "<" not in text:
        document.setPlainText(text)
    else:
        document.setHtml(text)
    return document.idealWidth()


def cut_texts(root: QWidget) -> list[str]:
    """Single-line labels, buttons, combo boxes, check boxes and spin boxes whose text is wider than
    the room their widget gives it (word-wrapped labels wrap instead: skipped)."""
    problems = []
    for label in _shown(root, QLabel):
        if label.wordWrap() or not label.text() or label.width() <= 0:
            continue
        room = label.contentsRect().width() - 2 * label.margin() - max(label.indent(), 0)
        if label_text_width(label) > room + SLACK:
            problems.append(f"{describe(label)}: text {label_text_width(label):.0f} px > {room} px")
    for button in _shown(root, QPushButton):
        option = QStyleOptionButton()
        button.initStyleOption(option)
        room = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button).width()
        metrics = QFontMetricsF(button.font())
        need = metrics.horizontalAdvance(button.text().replace("&", ""))
        if not button.icon().isNull():
            need += button.iconSize().width() + 4
        if need > room + SLACK:
            problems.append(f"{describe(button)}: text {need:.0f} px > {room} px")
    for combo in _shown(root, QComboBox):
        option = QStyleOptionComboBox()
        combo.initStyleOption(option)
        room = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxEditField, combo).width()
        need = QFontMetricsF(combo.font()).horizontalAdvance(combo.currentText())
        if need > room + SLACK:
            problems.append(f"{describe(combo)}: {combo.currentText()!r} {need:.0f} px > {room} px")
    for box in _shown(root, QCheckBox):
        option = QStyleOptionButton()
        box.initStyleOption(option)
        room = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxContents, option, box).width()
        need = QFontMetricsF(box.font()).horizontalAdvance(box.text().replace("&", ""))
        if need > room + SLACK:
            problems.append(f"{describe(box)}: text {need:.0f} px > {room} px")
    for spin in _shown(root, QAbstractSpinBox):
        editor = spin.lineEdit()
        need = QFontMetricsF(editor.font()).horizontalAdvance(editor.text())
        room = editor.contentsRect().width() - 4  # QLineEdit's own horizontal margin, 2 px a side
        if need > room + SLACK:
            problems.append(f"{describe(spin)}: {editor.text()!r} {need:.0f} px > {room} px")
    return problems


def outside_parents(root: QWidget) -> list[str]:
    """Widgets that reach beyond their parent's rectangle, where they are cut off (the contents of
    scroll areas, which scroll, are skipped)."""
    problems = []
    for widget in root.findChildren(QWidget):
        parent = widget.parentWidget()
        if not widget.isVisible() or widget.isWindow() or parent is None or widget.window() is not root.window():
            continue
        if isinstance(parent.parentWidget(), QAbstractScrollArea) and parent is parent.parentWidget().viewport():
            continue
        if not parent.rect().adjusted(-1, -1, 1, 1).contains(widget.geometry()):
            problems.append(f"{describe(widget)}: {widget.geometry()} outside {parent.rect()}")
    return problems


def squeezed_plots(root: QWidget) -> list[str]:
    """pyqtgraph views whose scene is laid out wider or taller than the view (its right or bottom cut
    off): a title or axis that needs more room than the view has."""
    problems = []
    for view in _shown(root, pg.GraphicsView):
        item = view.centralWidget
        room = view.viewport().rect()
        if item is None:
            continue
        laid = item.geometry().size().expandedTo(QSizeF(item.minimumWidth(), item.minimumHeight()))
        if laid.width() > room.width() + SLACK or laid.height() > room.height() + SLACK:
            problems.append(f"{type(view).__name__} {view.accessibleName()!r}: laid out {laid.width():.0f}×"
                            f"{laid.height():.0f}, has {room.width()}×{room.height()}")
    return problems


def overlapping_ticks(root: QWidget) -> list[str]:
    """Axes whose tick labels touch or overlap (e.g. "50000100000150000")."""
    problems = []
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    for view in _shown(root, pg.GraphicsView):
        for axis in (i for i in view.scene().items() if isinstance(i, pg.AxisItem) and i.isVisible()):
            painter = QPainter(image)
            painter.setFont(view.font())
            _, _, texts = axis.generateDrawSpecs(painter)
            painter.end()
            rects = [(r, text) for r, _, text in texts]
            for i, (a, text_a) in enumerate(rects):
                for b, text_b in rects[i + 1:]:
                    if a.intersects(b):
                        problems.append(f"{view.accessibleName()!r} axis {axis.orientation}: {text_a!r} overlaps {text_b!r}")
    return problems


def tick_texts(axis: pg.AxisItem) -> list[tuple[float, str]]:
    """The tick labels an axis draws now, with the x (bottom axes) or y (left axes) of each centre."""
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    _, _, texts = axis.generateDrawSpecs(painter)
    painter.end()
    horizontal = axis.orientation in ("bottom", "top")
    return [(r.center().x() if horizontal else r.center().y(), text) for r, _, text in texts]


def small_fonts(root: QWidget, smallest_px: int = 11) -> list[str]:
    """Text widgets whose font is under ``smallest_px`` pixels tall."""
    return [f"{describe(w)}: font {QFontInfo(w.font()).pixelSize()} px"
            for w in _shown(root, (QLabel, QPushButton, QComboBox, QCheckBox, QAbstractSpinBox))
            if QFontInfo(w.font()).pixelSize() < smallest_px]


def diagram_problems(diagram) -> list[str]:
    """The network diagram's boxes inside it, each title and shape within its box."""
    problems = []
    shape_font = diagram.font()
    title_font = shape_font.__class__(shape_font)
    title_font.setBold(True)
    for rect, title, shape in diagram.labels():
        for text, font in ((title, title_font), (shape, shape_font)):
            if QFontMetricsF(font).horizontalAdvance(text) > rect.width() - 4 + SLACK:
                problems.append(f"diagram box {title!r}: {text!r} wider than {rect.width():.0f} px")
        if not diagram.rect().adjusted(0, 0, 1, 1).contains(rect.toAlignedRect()):
            problems.append(f"diagram box {title!r} at {rect} outside the diagram's {diagram.rect()}")
    return problems


def training_tab_problems(tab) -> list[str]:
    """What only the training tab can be asked: its diagram's labels fit their boxes, its notes are
    whole, its probe strip shows a digit of each class."""
    problems = diagram_problems(tab.diagram)
    note = tab.architecture_editor.parameter_label
    if note.text() != note.note():
        problems.append(f"architecture note cut: {note.text()!r}")
    grid = tab.filter_grid
    bar = grid.colour_bar.mapRectToScene(grid.colour_bar.boundingRect())
    if bar.width() < 40 or not grid.mapToScene(grid.viewport().rect()).boundingRect().contains(bar):
        problems.append(f"the kernels' colour bar is {bar.width():.0f} px wide, at {bar}")
    shown = [b for b in tab.probe_strip.buttons if b.isVisible()]
    if len(shown) < min(10, len(tab.probe_strip.buttons)):
        problems.append(f"probe strip shows only {len(shown)} digits")
    return problems


def window_problems(window) -> list[str]:
    """Every check above on the window as it is now."""
    found = []
    for check in (cut_texts, outside_parents, squeezed_plots, overlapping_ticks, small_fonts):
        found += check(window)
    if window.training is not None and window.tabs.currentWidget() is window.training:
        found += training_tab_problems(window.training)
    return found
