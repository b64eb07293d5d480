"""Loading and saving images: every conversion and every way a file can be wrong."""
import io
import os
import sys
import tracemalloc

import numpy as np
import pytest
from PIL import Image

from kernelplay.imaging import images
from kernelplay.imaging.images import ImageLoadError, image_from_bytes, load_image, luminance, save_image


def _png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# --- ordinary images -------------------------------------------------------------------------


def test_rgb_png_round_trips_exactly(tmp_path):
    pixels = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "a.png")
    loaded = load_image(tmp_path / "a.png")
    assert loaded.dtype == np.uint8 and loaded.shape == (5, 7, 3)
    np.testing.assert_array_equal(loaded, pixels)


def test_grey_png_stays_grey(tmp_path):
    pixels = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    Image.fromarray(pixels).save(tmp_path / "g.png")
    loaded = load_image(str(tmp_path / "g.png"))
    assert loaded.shape == (3, 4)
    np.testing.assert_array_equal(loaded, pixels)


def test_one_bit_image_becomes_grey_0_and_255(tmp_path):
    image = Image.new("1", (3, 2), 0)
    image.putpixel((1, 0), 1)
    image.save(tmp_path / "b.png")
    np.testing.assert_array_equal(load_image(tmp_path / "b.png"), [[0, 255, 0], [0, 0, 0]])


def test_exif_orientation_is_applied(tmp_path):
    # 32 wide × 16 tall: red left half, blue right half; orientation 6 = "rotate 90° clockwise to view".
    pixels = np.zeros((16, 32, 3), dtype=np.uint8)
    pixels[:, :16] = (255, 0, 0)
    pixels[:, 16:] = (0, 0, 255)
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(pixels).save(tmp_path / "r.jpg", exif=exif, quality=95)
    loaded = load_image(tmp_path / "r.jpg")
    assert loaded.shape == (32, 16, 3)
    top, bottom = loaded[4, 8].astype(int), loaded[-4, 8].astype(int)
    assert top[0] > 200 and top[2] < 60  # the left half turned to the top
    assert bottom[2] > 200 and bottom[0] < 60


def test_palette_image_becomes_rgb(tmp_path):
    image = Image.new("P", (2, 1))
    image.putpalette([10, 20, 30, 200, 100, 50] + [0] * 762)
    image.putpixel((0, 0), 0)
    image.putpixel((1, 0), 1)
    image.save(tmp_path / "p.png")
    np.testing.assert_array_equal(load_image(tmp_path / "p.png"), [[[10, 20, 30], [200, 100, 50]]])


def test_palette_transparency_is_composited_on_white(tmp_path):
    image = Image.new("P", (2, 1))
    image.putpalette([10, 20, 30, 200, 100, 50] + [0] * 762)
    image.putpixel((1, 0), 1)
    image.info["transparency"] = 0
    image.save(tmp_path / "pt.png", transparency=0)
    np.testing.assert_array_equal(load_image(tmp_path / "pt.png"), [[[255, 255, 255], [200, 100, 50]]])


def test_rgba_is_composited_on_white(tmp_path):
    pixels = np.array([[[0, 0, 0, 255], [0, 0, 0, 0], [0, 0, 0, 128], [200, 10, 10, 255]]], dtype=np.uint8)
    Image.fromarray(pixels, "RGBA").save(tmp_path / "a.png")
    loaded = load_image(tmp_path / "a.png").astype(int)
    assert loaded.shape == (1, 4, 3)
    np.testing.assert_array_equal(loaded[0, 0], [0, 0, 0])
    np.testing.assert_array_equal(loaded[0, 1], [255, 255, 255])
    assert np.all(np.abs(loaded[0, 2] - 127) <= 1)  # half black over white
    np.testing.assert_array_equal(loaded[0, 3], [200, 10, 10])


def test_grey_with_alpha_becomes_grey_on_white(tmp_path):
    pixels = np.array([[[100, 255], [100, 0]]], dtype=np.uint8)
    Image.fromarray(pixels, "LA").save(tmp_path / "la.png")
    loaded = load_image(tmp_path / "la.png")
    assert loaded.shape == (1, 2)
    np.testing.assert_array_equal(loaded, [[100, 255]])


def test_sixteen_bit_keeps_the_top_eight_bits(tmp_path):
    pixels = np.array([[0, 255, 256, 0x1234], [0x8000, 0xFF00, 0xFFFF, 0x00FF]], dtype=np.uint16)
    Image.fromarray(pixels).save(tmp_path / "16.png")
    loaded = load_image(tmp_path / "16.png")
    assert loaded.dtype == np.uint8 and loaded.shape == (2, 4)
    np.testing.assert_array_equal(loaded, [[0, 0, 1, 0x12], [0x80, 0xFF, 0xFF, 0]])


def test_cmyk_becomes_rgb(tmp_path):
    Image.new("CMYK", (3, 2), (0, 255, 255, 0)).save(tmp_path / "c.tif")
    loaded = load_image(tmp_path / "c.tif")
    assert loaded.shape == (2, 3, 3)
    np.testing.assert_array_equal(loaded[0, 0], [255, 0, 0])


def test_animation_gives_its_first_frame(tmp_path):
    frames = [Image.new("RGB", (4, 4), (255, 0, 0)), Image.new("RGB", (4, 4), (0, 0, 255))]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert Image.open(tmp_path / "anim.gif").n_frames == 2
    loaded = load_image(tmp_path / "anim.gif")
    assert loaded.shape == (4, 4, 3)
    np.testing.assert_array_equal(loaded[0, 0], [255, 0, 0])


def test_loaded_arrays_are_writable_and_contiguous(tmp_path):
    Image.new("RGB", (3, 2), (1, 2, 3)).save(tmp_path / "w.png")
    loaded = load_image(tmp_path / "w.png")
    assert loaded.flags.writeable and loaded.flags.c_contiguous


def _whole_image_to_array(image: Image.Image) -> np.ndarray:
    """load_image's conversions as they were, on the whole image at once (the oracle for strips)."""
    mode = image.mode
    if mode in ("L", "RGB"):
        converted = image
    elif mode == "1":
        converted = image.convert("L")
    elif mode in ("LA", "La"):
        converted = images._on_white(image, "L")
    elif mode in ("RGBA", "RGBa", "PA") or (mode == "P" and "transparency" in image.info):
        converted = images._on_white(image, "RGB")
    elif mode.startswith("I;16"):
        return (np.asarray(image).astype(np.uint16) >> 8).astype(np.uint8)
    elif mode == "I":
        return (np.clip(np.asarray(image, dtype=np.int64), 0, 65535) >> 8).astype(np.uint8)
    elif mode == "F":
        values = np.nan_to_num(np.asarray(image, dtype=np.float64))
        if values.size and values.max() <= 1.0:
            values = values * 255.0
        return np.clip(np.rint(values), 0, 255).astype(np.uint8)
    else:
        converted = image.convert("RGB")
    return np.array(converted, dtype=np.uint8)


def _every_mode(height: int, width: int) -> dict[str, Image.Image]:
    rng = np.random.default_rng(11)
    bytes_of = lambda *shape: rng.integers(0, 256, (height, width) + shape, dtype=np.uint8)  # noqa: E731
    palette = Image.fromarray(bytes_of()[..., None].repeat(3, axis=2)).convert("P", palette=Image.Palette.ADAPTIVE)
    palette_alpha = palette.copy()
    palette_alpha.info["transparency"] = 3
    floats = rng.random((height, width)).astype(np.float32)
    floats[0, 0], floats[-1, -1] = np.nan, 0.5
    modes = {
        "L": Image.fromarray(bytes_of()), "RGB": Image.fromarray(bytes_of(3)),
        "1": Image.fromarray(bytes_of() > 127), "LA": Image.fromarray(bytes_of(2), "LA"),
        "RGBA": Image.fromarray(bytes_of(4), "RGBA"), "PA": Image.fromarray(bytes_of(4), "RGBA").convert("PA"),
        "P": palette, "P with transparency": palette_alpha,
        "I;16": Image.fromarray(rng.integers(0, 65536, (height, width), dtype=np.uint16)),
        "I": Image.fromarray(rng.integers(-9, 70_000, (height, width), dtype=np.int32)),
        "F 0..1": Image.fromarray(floats), "F 0..255": Image.fromarray(floats * 300),
        "CMYK": Image.fromarray(bytes_of(4), "CMYK"), "YCbCr": Image.fromarray(bytes_of(3), "YCbCr"),
        "HSV": Image.fromarray(bytes_of(3), "HSV"), "RGBa": Image.fromarray(bytes_of(4), "RGBa"),
    }
    return modes  # not "La": Pillow converts it to nothing, and decodes no file to it


@pytest.mark.parametrize("mode", list(_every_mode(1, 1)))
def test_strip_by_strip_conversion_equals_the_whole_images(monkeypatch, mode):
    # Strips of 4 rows (the strip size counts 4 bytes a pixel): 37 rows make 10, the last of 1.
    monkeypatch.setattr(images, "_STRIP_BYTES", 4 * 4 * 23)
    image = _every_mode(37, 23)[mode]
    loaded = images._to_array(image)
    expected = _whole_image_to_array(image)
    assert loaded.dtype == np.uint8 and loaded.flags.writeable and loaded.flags.c_contiguous
    np.testing.assert_array_equal(loaded, expected)


def test_strips_of_a_file_with_an_orientation(tmp_path, monkeypatch):
    monkeypatch.setattr(images, "_STRIP_BYTES", 4 * 4 * 32)
    test_exif_orientation_is_applied(tmp_path)


def test_loading_allocates_the_result_and_little_more(tmp_path):
    # Reading a Pillow image whole with numpy goes through tobytes(): the image twice over. In strips:
    # the result, a strip (0.8 MiB here) and Pillow's reads of the file (Pillow's own pixels are not
    # traced by tracemalloc; benchmarks/bench_filter.py --memory-only measures the whole process).
    rows, cols = np.mgrid[0:1500, 0:2000]
    pixels = np.stack([rows % 256, cols % 256, (rows + cols) % 256], axis=-1).astype(np.uint8)
    Image.fromarray(pixels).save(tmp_path / "big.png", compress_level=1)
    tracemalloc.start()
    try:
        loaded = load_image(tmp_path / "big.png")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(loaded, pixels)
    assert peak < 1.5 * pixels.nbytes


# --- files that are not usable images ------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(ImageLoadError, match=r"^Cannot read image file .*nothing.png: there is no such file\.$"):
        load_image(tmp_path / "nothing.png")


def test_home_folder_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    Image.new("L", (2, 2), 9).save(tmp_path / "home.png")
    np.testing.assert_array_equal(load_image("~/home.png"), [[9, 9], [9, 9]])


def test_folder(tmp_path):
    with pytest.raises(ImageLoadError, match="folder"):
        load_image(tmp_path)


def test_text_file_named_png(tmp_path):
    (tmp_path / "notes.png").write_text("these are not pixels")
    with pytest.raises(ImageLoadError, match="notes.png is not an image"):
        load_image(tmp_path / "notes.png")


def test_empty_file(tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(ImageLoadError, match="not an image"):
        load_image(tmp_path / "empty.png")


def test_truncated_png(tmp_path):
    pixels = np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    data = _png_bytes(Image.fromarray(pixels))
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageLoadError, match="truncated"):
        load_image(tmp_path / "cut.png")


def test_truncated_jpeg(tmp_path):
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(2).integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(buffer, "JPEG")
    (tmp_path / "cut.jpg").write_bytes(buffer.getvalue()[:700])
    with pytest.raises(ImageLoadError, match="damaged or incomplete"):
        load_image(tmp_path / "cut.jpg")


def test_image_over_the_pixel_limit_is_refused_before_decoding(tmp_path, monkeypatch):
    Image.new("L", (40, 30)).save(tmp_path / "big.png")
    monkeypatch.setattr(images, "MAX_PIXELS", 1000)
    with pytest.raises(ImageLoadError) as caught:
        load_image(tmp_path / "big.png")
    message = str(caught.value)
    assert "1,000" in message and "40 × 30" in message and "1,200" in message


def test_pillow_bomb_error_is_reported_with_the_limit(tmp_path, monkeypatch):
    Image.new("L", (40, 30)).save(tmp_path / "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # Pillow refuses above 2 × this, in open()
    with pytest.raises(ImageLoadError, match="too large"):
        load_image(tmp_path / "bomb.png")


def test_image_at_the_limit_loads(tmp_path, monkeypatch):
    Image.new("L", (40, 30)).save(tmp_path / "ok.png")
    monkeypatch.setattr(images, "MAX_PIXELS", 1200)
    assert load_image(tmp_path / "ok.png").shape == (30, 40)


# --- bytes (clipboard, drag and drop) ------------------------------------------------------


def test_image_from_bytes_applies_the_same_conversions():
    pixels = np.array([[[0, 0, 0, 0], [9, 8, 7, 255]]], dtype=np.uint8)
    loaded = image_from_bytes(_png_bytes(Image.fromarray(pixels, "RGBA")))
    np.testing.assert_array_equal(loaded, [[[255, 255, 255], [9, 8, 7]]])


def _cut(image_format: str, length: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(6).integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(buffer, image_format)
    return buffer.getvalue()[:length]


@pytest.mark.parametrize(
    "data",
    [b"", b"GIF89a but not really", b"\x89PNG\r\n\x1a\n", _cut("PNG", 20), _cut("PNG", 300), _cut("TIFF", 12),
     _cut("TIFF", 2000), _cut("JPEG", 400), _cut("BMP", 100), _cut("WEBP", 40)],
    ids=["empty", "text", "png-signature", "png-20", "png-300", "tiff-12", "tiff-2000", "jpeg-400", "bmp-100", "webp-40"],
)
def test_image_from_bad_bytes(data, recwarn):
    with pytest.raises(ImageLoadError, match="^The data (is not an image|is damaged|has no image)|^There is no image"):
        image_from_bytes(data)
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]


# --- luminance -----------------------------------------------------------------------------


def test_luminance_uses_bt601_weights():
    rgb = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [10, 20, 30]]], dtype=np.uint8)
    result = luminance(rgb)
    assert result.dtype == np.float32 and result.shape == (1, 5)
    expected = [0.299 * 255, 0.587 * 255, 0.114 * 255, 255.0, 0.299 * 10 + 0.587 * 20 + 0.114 * 30]
    np.testing.assert_allclose(result[0], expected, rtol=1e-6)


def test_luminance_of_a_large_image_equals_its_pixels_one_by_one():
    # The whole image runs in threaded bands; explain_pixel computes a 3×3 window alone. Both
    # must give bit-identical values.
    image = np.random.default_rng(5).integers(0, 256, (500, 700, 3), dtype=np.uint8)
    whole = luminance(image)
    expected = image[..., 0] * np.float32(0.299)
    expected += image[..., 1] * np.float32(0.587)
    expected += image[..., 2] * np.float32(0.114)
    np.testing.assert_array_equal(whole, expected)
    for row, col in [(0, 0), (250, 350), (499, 699), (123, 0)]:
        assert luminance(image[row: row + 1, col: col + 1])[0, 0] == whole[row, col]


def test_luminance_of_grey_is_the_grey_as_float32():
    grey = np.array([[0, 7], [200, 255]], dtype=np.uint8)
    result = luminance(grey)
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result, grey)


def test_luminance_rejects_other_shapes():
    with pytest.raises(ValueError, match="shape"):
        luminance(np.zeros((2, 2, 4), dtype=np.uint8))


# --- saving --------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".png", ".bmp", ".PNG"])
def test_lossless_save_round_trips(tmp_path, suffix):
    for pixels in (
        np.random.default_rng(3).integers(0, 256, (6, 5, 3), dtype=np.uint8),
        np.random.default_rng(4).integers(0, 256, (6, 5), dtype=np.uint8),
    ):
        save_image(tmp_path / f"out{suffix}", pixels)
        np.testing.assert_array_equal(load_image(tmp_path / f"out{suffix}"), pixels)


def test_jpeg_save_is_close(tmp_path):
    pixels = np.full((16, 16, 3), (120, 60, 200), dtype=np.uint8)
    save_image(tmp_path / "out.jpeg", pixels)
    assert np.abs(load_image(tmp_path / "out.jpeg").astype(int) - pixels).max() <= 3
    assert Image.open(tmp_path / "out.jpeg").format == "JPEG"


def test_unknown_suffix_names_the_supported_ones(tmp_path):
    with pytest.raises(ValueError, match=r"\.png, \.jpg, \.jpeg, \.bmp"):
        save_image(tmp_path / "out.tga", np.zeros((2, 2), dtype=np.uint8))
    assert list(tmp_path.iterdir()) == []


def test_save_rejects_non_uint8(tmp_path):
    with pytest.raises(ValueError, match="uint8"):
        save_image(tmp_path / "out.png", np.zeros((2, 2), dtype=np.float32))


def test_save_is_atomic_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "keep.png"
    original = np.full((4, 4), 77, dtype=np.uint8)
    save_image(target, original)

    def broken_save(self, stream, *args, **kwargs):
        stream.write(b"half an image")
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        save_image(target, np.zeros((4, 4), dtype=np.uint8))
    monkeypatch.undo()
    np.testing.assert_array_equal(load_image(target), original)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.png"]  # no temporary file left behind


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_saved_file_gets_the_permissions_the_umask_gives(tmp_path):
    umask = os.umask(0o027)
    try:
        save_image(tmp_path / "new.png", np.zeros((2, 2), dtype=np.uint8))
    finally:
        os.umask(umask)
    assert os.stat(tmp_path / "new.png").st_mode & 0o777 == 0o640


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need a privilege on Windows")
def test_a_symbolic_link_loop_is_called_one(tmp_path):
    (tmp_path / "loop_a.png").symlink_to(tmp_path / "loop_b.png")
    (tmp_path / "loop_b.png").symlink_to(tmp_path / "loop_a.png")
    with pytest.raises(ImageLoadError) as caught:
        load_image(tmp_path / "loop_a.png")
    assert str(caught.value) == (f"Cannot read image file {tmp_path / 'loop_a.png'}: it is a symbolic link loop "
                                 "(following its links never reaches a file).")  # was "There is no file at"


def test_bundled_sample_images_load_and_stay_small():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "assets" / "images"
    files = sorted(p for p in folder.iterdir() if p.suffix in (".png", ".jpg"))
    assert {p.name for p in files} >= {"camera.png", "cat.jpg", "coffee.jpg", "test-chart.png", "digit.png"}
    readme = (folder.parent / "README.md").read_text(encoding="utf-8")
    for path in files:
        pixels = load_image(path)
        assert max(pixels.shape[:2]) <= 512 and path.stat().st_size <= 150_000, path.name
        assert f"`{path.name}`" in readme, f"{path.name} has no source and licence in assets/README.md"
    assert load_image(folder / "digit.png").shape == (28, 28)
    assert load_image(folder / "camera.png").ndim == 2 and load_image(folder / "cat.jpg").ndim == 3
