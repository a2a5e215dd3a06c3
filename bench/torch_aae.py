# The PyTorch peer of `bottleneck train --kind aae`: the tutorial encoder and decoder
# (784-400-20-400-784, ReLU, sigmoid out, BCE summed, Adam 1e-3, batch 128, reshuffled every
# epoch) and a discriminator 20-256-256-1 (ReLU) on the code, trained as Bottleneck does: each
# step, one Adam (2e-4, betas 0.5/0.999) step of the discriminator on a batch of N(0, I) draws
# (label 1) and the batch's codes (label 0), then the autoencoder's step on BCE plus
# softplus(-D(z)) summed. Data preloaded as tensors; the test loss (reconstruction) every epoch.
# Usage: /usr/bin/python3 bench/torch_aae.py MNIST_DIR [threads] [epochs]
import sys, time, gzip, os, torch, torch.nn as nn, torch.nn.functional as F
root = sys.argv[1]; threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 10
torch.set_num_threads(threads); torch.manual_seed(42)
def idx(name):
    p = os.path.join(root, name)
    raw = gzip.open(p + '.gz').read() if os.path.exists(p + '.gz') else open(p, 'rb').read()
    return torch.frombuffer(bytearray(raw[16:]), dtype=torch.uint8).float().div_(255).view(-1, 784)
xtr, xte = idx('train-images-idx3-ubyte'), idx('t10k-images-idx3-ubyte')
encoder = nn.Sequential(nn.Linear(784, 400), nn.ReLU(), nn.Linear(400, 20))
decoder = nn.Sequential(nn.Linear(20, 400), nn.ReLU(), nn.Linear(400, 784), nn.Sigmoid())
disc = nn.Sequential(nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 1))
opt = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=1e-3)
opt_d = torch.optim.Adam(disc.parameters(), lr=2e-4, betas=(0.5, 0.999))
t0 = time.time()
for ep in range(1, epochs + 1):
    perm = torch.randperm(xtr.shape[0]); tot = 0.0
    for i in range(0, xtr.shape[0], 128):
        x = xtr[perm[i:i + 128]]
        z = encoder(x)
        both = torch.cat([torch.randn_like(z), z.detach()])
        labels = torch.cat([torch.ones(len(z), 1), torch.zeros(len(z), 1)])
        opt_d.zero_grad()
        F.binary_cross_entropy_with_logits(disc(both), labels, reduction='sum').backward()
        opt_d.step()
        opt.zero_grad()
        loss = F.binary_cross_entropy(decoder(z), x, reduction='sum') + F.softplus(-disc(z)).sum()
        loss.backward(); opt.step(); tot += loss.item()
    with torch.no_grad():
        te = sum(F.binary_cross_entropy(decoder(encoder(xte[i:i+1000])), xte[i:i+1000], reduction='sum').item()
                 for i in range(0, 10000, 1000))
    print(f'epoch {ep} train {tot/60000:.4f} test {te/10000:.4f} elapsed {time.time()-t0:.2f}s', flush=True)
print(f'total {time.time()-t0:.2f}s')
