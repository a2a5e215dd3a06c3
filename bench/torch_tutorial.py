"""The classic PyTorch MNIST autoencoder tutorial, written the way it usually is, to time it.

torchvision's MNIST dataset with a per-item ToTensor transform behind a DataLoader (batch 128,
shuffled), a 784-400-20 encoder and 20-400-784 decoder, binary cross-entropy summed over pixels,
Adam 1e-3, a progress line every 100 batches, and after each epoch the test loss and a picture of
8 test digits beside their reconstructions. Default thread settings, as the tutorial runs.

Usage: torch_tutorial.py MNIST_DIR [EPOCHS]   (MNIST_DIR holds the four *-ubyte.gz files)
Needs: apt-get install python3-torch python3-torchvision libopenblas0-pthread
"""
import gzip
import os
import shutil
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision import datasets, transforms
from torchvision.utils import save_image

FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


def unpack(mnist_dir, root):
    """torchvision reads root/MNIST/raw/*-ubyte and would download them otherwise: unpack the
    shared files there first (not timed; the tutorial's data is on disk already)."""
    raw = os.path.join(root, "MNIST", "raw")
    os.makedirs(raw)
    for name in FILES:
        with gzip.open(os.path.join(mnist_dir, name + ".gz"), "rb") as src, open(os.path.join(raw, name), "wb") as dst:
            shutil.copyfileobj(src, dst)


class Autoencoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(784, 400), nn.ReLU(), nn.Linear(400, 20))
        self.decoder = nn.Sequential(nn.Linear(20, 400), nn.ReLU(), nn.Linear(400, 784), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x.view(-1, 784)))


def main():
    mnist_dir = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    root = tempfile.mkdtemp()
    try:
        unpack(mnist_dir, root)
        start = time.time()
        torch.manual_seed(1)
        train = datasets.MNIST(root, train=True, download=False, transform=transforms.ToTensor())
        test = datasets.MNIST(root, train=False, download=False, transform=transforms.ToTensor())
        train_loader = torch.utils.data.DataLoader(train, batch_size=128, shuffle=True)
        test_loader = torch.utils.data.DataLoader(test, batch_size=128, shuffle=False)
        model = Autoencoder()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        for epoch in range(1, epochs + 1):
            model.train()
            total = 0.0
            for batch, (data, _) in enumerate(train_loader):
                optimizer.zero_grad()
                loss = F.binary_cross_entropy(model(data), data.view(-1, 784), reduction="sum")
                loss.backward()
                total += loss.item()
                optimizer.step()
                if batch % 100 == 0:
                    print(f"Train Epoch: {epoch} [{batch * len(data)}/{len(train)}]\tLoss: {loss.item() / len(data):.6f}")
            model.eval()
            test_total = 0.0
            with torch.no_grad():
                for i, (data, _) in enumerate(test_loader):
                    recon = model(data)
                    test_total += F.binary_cross_entropy(recon, data.view(-1, 784), reduction="sum").item()
                    if i == 0:
                        pair = torch.cat([data[:8], recon.view(-1, 1, 28, 28)[:8]])
                        save_image(pair, os.path.join(root, f"reconstruction_{epoch}.png"), nrow=8)
            print(f"====> Epoch: {epoch} Average training loss: {total / len(train):.4f}  test loss: {test_total / len(test):.4f}")
        print(f"total {time.time() - start:.2f}s")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
