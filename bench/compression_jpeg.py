#!/usr/bin/python3
"""PNG and JPEG sizes of the MNIST test images, for the comparison in docs/COMPRESSION.md.

Each image is saved as its own 28x28 8-bit grayscale file with Pillow (Debian: python3-pil) and the
bytes are averaged per image. For JPEG, the quality (1-100) is searched whose mean per-image PSNR
over the set is closest to --target-psnr (the PSNR that `bottleneck compress` reported), and the
lowest quality that reaches the target is shown too. With --mosaic, the images are instead tiled
100 to a row into one large image, saved once, cut apart again, and the file's bytes divided by the
number of images: the per-file headers (about 300 bytes of tables for a JPEG) are then shared.

PSNR and SSIM are computed as Bottleneck computes them (src/Bottleneck/Metrics/ImageQuality.cs):
pixel / 255, data range 1, mean of the per-image values; SSIM with an 11x11 Gaussian window
(sigma 1.5, K1 0.01, K2 0.03, population moments) averaged over the valid region.

    /usr/bin/python3 bench/compression_jpeg.py --data ../shared/datasets/mnist --target-psnr 21.71
"""
import argparse
import gzip
import io
import os
import struct
import sys

import numpy as np
from PIL import Image


def read_images(folder):
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            break
    else:
        sys.exit(f"compression_jpeg.py: error: no t10k-images-idx3-ubyte(.gz) in {folder}")
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, n, h, w = struct.unpack_from(">IIII", data, 0)
    if magic != 0x803 or len(data) != 16 + n * h * w:
        sys.exit(f"compression_jpeg.py: error: {path} is not an IDX file of {n} {h}x{w} images")
    return np.frombuffer(data, np.uint8, n * h * w, 16).reshape(n, h, w)


def taps():
    x = np.arange(11) - 5
    t = np.exp(-0.5 / 1.5 ** 2 * x * x)
    return t / t.sum()


TAPS = taps()


def filter_valid(a):
    """Separable 11-tap Gaussian over the last two axes, valid region only: [N, H, W] -> [N, H-10, W-10]."""
    rows = np.lib.stride_tricks.sliding_window_view(a, 11, axis=2) @ TAPS
    return np.lib.stride_tricks.sliding_window_view(rows, 11, axis=1) @ TAPS


def psnr_per_image(x, y):
    mse = ((x - y) ** 2).mean(axis=(1, 2))
    with np.errstate(divide="ignore"):
        return 10 * np.log10(1 / mse)


def ssim_per_image(x, y):
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    mx, my = filter_valid(x), filter_valid(y)
    vx = filter_valid(x * x) - mx * mx
    vy = filter_valid(y * y) - my * my
    cov = filter_valid(x * y) - mx * my
    s = (2 * mx * my + c1) * (2 * cov + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return s.mean(axis=(1, 2))


def save_mosaic(images, fmt, columns=100, **options):
    """All images tiled into one file: its bytes shared out per image, and the images read back."""
    n, h, w = images.shape
    rows = -(-n // columns)
    tiles = np.zeros((rows * columns, h, w), np.uint8)
    tiles[:n] = images
    mosaic = tiles.reshape(rows, columns, h, w).transpose(0, 2, 1, 3).reshape(rows * h, columns * w)
    buffer = io.BytesIO()
    Image.fromarray(mosaic, "L").save(buffer, fmt, **options)
    size = buffer.tell()
    buffer.seek(0)
    back = np.asarray(Image.open(buffer).convert("L"))
    back = back.reshape(rows, h, columns, w).transpose(0, 2, 1, 3).reshape(rows * columns, h, w)[:n]
    return np.full(n, size / n), back


def save_all(images, fmt, mosaic=False, **options):
    """Bytes of each image saved as its own file, and the images read back."""
    if mosaic:
        return save_mosaic(images, fmt, **options)
    sizes = np.empty(len(images), np.int64)
    back = np.empty_like(images)
    for i, im in enumerate(images):
        buffer = io.BytesIO()
        Image.fromarray(im, "L").save(buffer, fmt, **options)
        sizes[i] = buffer.tell()
        buffer.seek(0)
        back[i] = np.asarray(Image.open(buffer).convert("L"))
    return sizes, back


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="../shared/datasets/mnist", help="folder with t10k-images-idx3-ubyte.gz")
    parser.add_argument("--target-psnr", type=float, required=True, help="the mean PSNR (dB) to match")
    parser.add_argument("--optimize", action="store_true", help="JPEG: optimised Huffman tables (smaller files, same pixels)")
    parser.add_argument("--mosaic", action="store_true", help="one file of all images tiled 100 a row, bytes shared out per image")
    parser.add_argument("--limit", type=int, help="the first N test images only")
    args = parser.parse_args()

    images = read_images(args.data)
    if args.limit:
        images = images[: args.limit]
    n = len(images)
    original = images.astype(np.float64) / 255
    print(f"{n} MNIST test images, 28x28 8-bit gray; Pillow {Image.__version__}, numpy {np.__version__}")
    print(f"raw: {images[0].size} bytes per image")

    layout = "one mosaic file of all images, bytes shared out" if args.mosaic else "each image its own file"
    print(f"layout: {layout}")
    png_sizes, png_back = save_all(images, "PNG", args.mosaic)
    assert np.array_equal(png_back, images), "PNG is lossless"
    png_opt, _ = save_all(images, "PNG", args.mosaic, optimize=True)
    print(f"PNG (lossless, Pillow defaults): {png_sizes.mean():.2f} bytes per image; with optimize=True: {png_opt.mean():.2f}")

    cache = {}

    def jpeg(q):
        if q not in cache:
            sizes, back = save_all(images, "JPEG", args.mosaic, quality=q, optimize=args.optimize)
            decoded = back.astype(np.float64) / 255
            p = psnr_per_image(original, decoded)
            cache[q] = (p.mean(), ssim_per_image(original, decoded).mean(), sizes.mean(), np.isinf(p).sum())
        return cache[q]

    # Mean PSNR grows with the quality (nearly monotonically): bisect for the lowest quality that
    # reaches the target, then look at its neighbours for the closest.
    lo, hi = 1, 100
    while lo < hi:
        mid = (lo + hi) // 2
        if jpeg(mid)[0] >= args.target_psnr:
            hi = mid
        else:
            lo = mid + 1
    reaching = lo if jpeg(lo)[0] >= args.target_psnr else None
    for q in range(max(1, lo - 3), min(100, lo + 3) + 1):
        jpeg(q)

    label = "JPEG" + (" optimize=True" if args.optimize else " (Pillow defaults)")
    print(f"{label}, by quality (evaluated ones):")
    print("  quality  PSNR dB   SSIM     bytes/image")
    for q in sorted(cache):
        p, s, b, identical = cache[q]
        note = f"  ({identical} images identical: PSNR infinite)" if identical else ""
        print(f"  {q:7d}  {p:7.3f}  {s:.4f}  {b:10.2f}{note}")
    closest = min(cache, key=lambda q: (abs(cache[q][0] - args.target_psnr), q))
    p, s, b, _ = cache[closest]
    print(f"target PSNR {args.target_psnr:.2f} dB: closest JPEG quality {closest}: PSNR {p:.2f} dB, SSIM {s:.4f}, {b:.2f} bytes per image")
    if reaching is not None:
        p, s, b, _ = cache[reaching]
        print(f"lowest JPEG quality reaching it: {reaching}: PSNR {p:.2f} dB, SSIM {s:.4f}, {b:.2f} bytes per image")
    else:
        print("no JPEG quality reaches the target")


if __name__ == "__main__":
    main()
