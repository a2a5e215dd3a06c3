# Reference values for ImageQualityTests.cs. Run with /usr/bin/python3 (Debian bookworm:
# numpy 1.24.2, python3-skimage 0.19.3, scipy 1.10.1). Images come from integer formulas that the
# C# tests repeat; they are rounded to float32 (what the C# side holds) and then compared in float64.
import numpy as np
from skimage.metrics import structural_similarity, peak_signal_noise_ratio

def image(h, w, seed):
    r, c = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    x = ((r * 31 + c * 17 + r * c * 7 + seed * 13) % 97) / 96.0
    return x.astype(np.float32).astype(np.float64)

def noisy(x, seed):
    h, w = x.shape
    r, c = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    n = (((r * 13 + c * 29 + seed * 5) % 41) - 20) / 200.0
    # smooth the original a little (average with the right neighbour, wrapping) and add the noise
    y = 0.5 * (x + np.roll(x, -1, axis=1)) + n
    return np.clip(y, 0, 1).astype(np.float32).astype(np.float64)

for (h, w, seed) in [(28, 28, 1), (28, 28, 2), (11, 11, 3), (20, 33, 4)]:
    x = image(h, w, seed)
    y = noisy(x, seed)
    ssim = structural_similarity(x, y, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1.0)
    psnr = peak_signal_noise_ratio(x, y, data_range=1.0)
    print(f"[InlineData({h}, {w}, {seed}, {ssim!r}, {psnr!r})]")
