"""Parzen-window log-likelihood of MNIST test images under a generative model's samples, the
protocol of Goodfellow et al. (2014) that Makhzani et al. (2015) use for the adversarial
autoencoder: 10,000 codes drawn from the model's prior (N(0, I) here: vae, beta-vae and a
gaussian-prior aae), decoded by `bottleneck decode`; a Gaussian kernel of width sigma on each
decoded image; sigma picked from a grid by the mean log-likelihood of 1,000 training images;
then the mean log-likelihood (nats) of the 10,000 test images, with its standard error.
Usage: /usr/bin/python3 bench/parzen.py RUN_DIR MNIST_DIR [SAMPLES]
"""
import gzip, os, subprocess, sys, tempfile
import numpy as np

run, mnist = sys.argv[1], sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

def images(name):
    path = os.path.join(mnist, name)
    raw = gzip.open(path + ".gz").read() if os.path.exists(path + ".gz") else open(path, "rb").read()
    return np.frombuffer(raw[16:], dtype=np.uint8).reshape(-1, 784).astype(np.float64) / 255

import json
latent = json.load(open(os.path.join(run, "model.json")))["model"]["latent"]
with tempfile.TemporaryDirectory() as tmp:
    codes = np.random.default_rng(0).standard_normal((count, latent)).astype(np.float32)
    np.save(os.path.join(tmp, "codes.npy"), codes)
    cli = os.path.join(root, "src/Bottleneck.Cli/bin/Release/net10.0/bottleneck.dll")
    subprocess.run(["dotnet", cli, "decode", "--model", run, "--codes", os.path.join(tmp, "codes.npy"),
                    "--out", os.path.join(tmp, "samples.npy")], check=True, stdout=subprocess.DEVNULL)
    samples = np.load(os.path.join(tmp, "samples.npy")).astype(np.float64).reshape(count, 784)

def log_likelihoods(x, sigma):
    out = []
    s2 = (samples ** 2).sum(1)
    for i in range(0, len(x), 500):
        b = x[i:i + 500]
        d = (b ** 2).sum(1)[:, None] + s2[None, :] - 2 * b @ samples.T
        a = -np.maximum(d, 0) / (2 * sigma ** 2)
        m = a.max(1, keepdims=True)
        out.append(m[:, 0] + np.log(np.exp(a - m).sum(1)))
    return np.concatenate(out) - np.log(count) - 784 / 2 * np.log(2 * np.pi * sigma ** 2)

validation = images("train-images-idx3-ubyte")[-1000:]
grid = np.linspace(0.05, 0.4, 15)
scores = [log_likelihoods(validation, s).mean() for s in grid]
sigma = grid[int(np.argmax(scores))]
test = log_likelihoods(images("t10k-images-idx3-ubyte"), sigma)
print(f"{run}: sigma {sigma:.3f} (validation {max(scores):.1f}); test Parzen log-likelihood {test.mean():.1f} ± {test.std() / np.sqrt(len(test)):.1f} nats ({count} samples)")
