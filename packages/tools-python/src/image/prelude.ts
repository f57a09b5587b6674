/**
 * Python defined in a trajectory's interpreter before its first image cell: the `Image` class (8-bit RGB,
 * row-major `pixels`), `show(img)` to return an image to the model, and the sample's images as `image` /
 * `images`. Every `Image` carries `transform`, the affine map from its pixel coordinates to the original
 * image's (None once pixels are built by hand), so the host can tell which region of the original a shown
 * image holds. Standard library only: numpy is not available offline in Pyodide.
 */
export const IMAGE_PRELUDE = String.raw`
import base64 as _tirl_b64
import json as _tirl_json

_tirl_shown = []
_TIRL_MAX_PIXELS = __MAX_PIXELS__
_TIRL_MAX_SHOWN = __MAX_SHOWN__


def _tirl_compose(t, u):
    """t ∘ u for affine maps (a, b, c, d, e, f): X = a·x + b·y + c, Y = d·x + e·y + f."""
    if t is None or u is None:
        return None
    a, b, c, d, e, f = t
    p, q, r, s, v, w = u
    return (a * p + b * s, a * q + b * v, a * r + b * w + c, d * p + e * s, d * q + e * v, d * r + e * w + f)


class Image:
    """An 8-bit RGB image. pixels: bytearray of width*height*3 bytes, row by row; (x, y) = (column, row)."""

    def __init__(self, width, height, pixels=None, transform=None):
        if not (isinstance(width, int) and isinstance(height, int)) or width <= 0 or height <= 0:
            raise ValueError(f"Image: width and height must be positive integers, got {width!r}x{height!r}")
        if width * height > _TIRL_MAX_PIXELS:
            raise ValueError(f"Image: {width}x{height} has more than {_TIRL_MAX_PIXELS} pixels")
        self.width = width
        self.height = height
        self.pixels = bytearray(width * height * 3) if pixels is None else bytearray(pixels)
        if len(self.pixels) != width * height * 3:
            raise ValueError(f"Image: pixels hold {len(self.pixels)} bytes, expected width*height*3 = {width * height * 3}")
        self.transform = transform

    def __repr__(self):
        return f"Image({self.width}x{self.height})"

    def get(self, x, y):
        """The (r, g, b) of column x, row y."""
        self._check(x, y)
        i = (y * self.width + x) * 3
        return tuple(self.pixels[i:i + 3])

    def set(self, x, y, rgb):
        self._check(x, y)
        i = (y * self.width + x) * 3
        self.pixels[i:i + 3] = bytes(rgb)

    def rows(self):
        """The pixels as a list of rows of [r, g, b] (an H x W x 3 nested list)."""
        w, p = self.width, self.pixels
        return [[list(p[(y * w + x) * 3:(y * w + x) * 3 + 3]) for x in range(w)] for y in range(self.height)]

    @staticmethod
    def from_rows(rows):
        """An image from an H x W x 3 nested list (its region of the original is unknown)."""
        h, w = len(rows), len(rows[0]) if rows else 0
        return Image(w, h, bytes(v for row in rows for px in row for v in px))

    def copy(self):
        return Image(self.width, self.height, self.pixels, self.transform)

    def crop(self, left, top, right, bottom):
        """The pixels with left <= x < right and top <= y < bottom (integers inside the image)."""
        if not all(isinstance(v, int) for v in (left, top, right, bottom)):
            raise ValueError("crop: coordinates must be integers")
        if not (0 <= left < right <= self.width and 0 <= top < bottom <= self.height):
            raise ValueError(f"crop: box ({left}, {top}, {right}, {bottom}) is not inside the {self.width}x{self.height} image")
        w, out = right - left, bytearray()
        for y in range(top, bottom):
            i = (y * self.width + left) * 3
            out += self.pixels[i:i + w * 3]
        return Image(w, bottom - top, out, _tirl_compose(self.transform, (1, 0, left, 0, 1, top)))

    def resize(self, width, height):
        """Nearest neighbour: new pixel (x, y) takes old pixel (floor((x + 0.5)·W/width), floor((y + 0.5)·H/height))."""
        out = Image(width, height)
        src = [min(self.width - 1, (2 * x + 1) * self.width // (2 * width)) for x in range(width)]
        for y in range(height):
            sy = min(self.height - 1, (2 * y + 1) * self.height // (2 * height))
            row = self.pixels[sy * self.width * 3:(sy + 1) * self.width * 3]
            i = y * width * 3
            for x, sx in enumerate(src):
                out.pixels[i + 3 * x:i + 3 * x + 3] = row[3 * sx:3 * sx + 3]
        out.transform = _tirl_compose(self.transform, (self.width / width, 0, 0, 0, self.height / height, 0))
        return out

    def zoom(self, factor):
        """Enlarges by an integer factor (each pixel becomes factor x factor pixels)."""
        if not isinstance(factor, int) or factor < 1:
            raise ValueError(f"zoom: factor must be a positive integer, got {factor!r}")
        return self.resize(self.width * factor, self.height * factor)

    def rotate(self, degrees):
        """Rotates counter-clockwise by 90, 180 or 270 degrees."""
        if degrees % 90 != 0:
            raise ValueError(f"rotate: degrees must be a multiple of 90, got {degrees!r}")
        k = (degrees // 90) % 4
        img = self
        for _ in range(k):
            img = img._rot90()
        return img.copy() if k == 0 else img

    def flip(self, horizontal=True):
        """Mirrors left-right (horizontal) or top-bottom."""
        w, h = self.width, self.height
        out = Image(w, h)
        for y in range(h):
            for x in range(w):
                sx, sy = (w - 1 - x, y) if horizontal else (x, h - 1 - y)
                out.pixels[(y * w + x) * 3:(y * w + x) * 3 + 3] = self.pixels[(sy * w + sx) * 3:(sy * w + sx) * 3 + 3]
        out.transform = _tirl_compose(self.transform, (-1, 0, w, 0, 1, 0) if horizontal else (1, 0, 0, 0, -1, h))
        return out

    def _rot90(self):
        # New pixel (x, y) is old pixel (W - 1 - y, x); in continuous coordinates old = (W - y, x).
        w, h = self.width, self.height
        out = Image(h, w)
        for y in range(w):
            for x in range(h):
                s = (x * w + (w - 1 - y)) * 3
                out.pixels[(y * h + x) * 3:(y * h + x) * 3 + 3] = self.pixels[s:s + 3]
        out.transform = _tirl_compose(self.transform, (0, -1, w, 1, 0, 0))
        return out

    def _check(self, x, y):
        if not (0 <= x < self.width and 0 <= y < self.height):
            raise IndexError(f"pixel ({x}, {y}) is outside the {self.width}x{self.height} image")


def show(img):
    """Returns the image to the model (it sees it after this call's text output)."""
    if not isinstance(img, Image):
        raise TypeError(f"show: expected an Image, got {type(img).__name__}")
    if len(_tirl_shown) >= _TIRL_MAX_SHOWN:
        raise ValueError(f"show: at most {_TIRL_MAX_SHOWN} images per call")
    _tirl_shown.append((img.width, img.height, bytes(img.pixels), img.transform))


def _tirl_take():
    out = [{"width": w, "height": h, "rgbBase64": _tirl_b64.b64encode(p).decode(), "transform": t} for (w, h, p, t) in _tirl_shown]
    _tirl_shown.clear()
    return _tirl_b64.b64encode(_tirl_json.dumps(out).encode()).decode()


def _tirl_load(sources):
    return [Image(s["width"], s["height"], _tirl_b64.b64decode(s["rgbBase64"]), (1, 0, 0, 0, 1, 0)) for s in sources]
`;

/** The cell that defines the prelude and the sample's images (`image` is the first, or None). */
export function loadCell(maxPixels: number, maxShown: number, sources: readonly { width: number; height: number; rgbBase64: string }[]): string {
  const prelude = IMAGE_PRELUDE.replace('__MAX_PIXELS__', String(maxPixels)).replace('__MAX_SHOWN__', String(maxShown));
  return `${prelude}\nimages = _tirl_load(_tirl_json.loads(${JSON.stringify(JSON.stringify(sources))}))\nimage = images[0] if images else None\n_tirl_ready = True\n`;
}
