#!/usr/bin/python3
"""PyTorch peer of `bottleneck train --kind seq2seq`: the same character-level autoencoder of a
word list (embedding 32, GRU 256 -> linear code 64 -> GRU 256 reading [previous character, code]
at every step -> linear to the vocabulary; token ids 0 padding, 1 end, 2 start), trained the same
way: a seeded tenth of the lines held out, batches of 128 of about one length (sorted by length in
a fresh random order each epoch, the batches shuffled), teacher forcing, cross-entropy summed over
the characters and the end marker (ignore_index 0), Adam 1e-3. After each epoch: the held-out
loss per sequence and the share written back exactly by greedy decoding.

Prints one 'epoch E train_loss L test_loss T exact_match X train_seconds S eval_seconds V' line
per epoch and 'seconds_per_epoch S' (median over the epochs after the first, training and
evaluation together, as Bottleneck's metrics.csv counts them).
Usage: /usr/bin/python3 bench/torch_seq2seq.py [--data /usr/share/dict/american-english] [--epochs 2] [--threads 2]
"""
import argparse, random, statistics, time
import torch, torch.nn as nn, torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument('--data', default='/usr/share/dict/american-english')
ap.add_argument('--epochs', type=int, default=2)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--seed', type=int, default=42)
args = ap.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
rng = random.Random(args.seed)
E, H, L, B = 32, 256, 64, 128

lines = [w for w in open(args.data, encoding='utf-8').read().split('\n') if w]
order = list(range(len(lines)))
rng.shuffle(order)
held = set(order[:max(1, len(lines) // 10)])
test = [lines[i] for i in sorted(held)]
train = [w for i, w in enumerate(lines) if i not in held]
chars = sorted(set(''.join(lines)))
ids = {c: i + 3 for i, c in enumerate(chars)}
V = len(chars) + 3


class Part(nn.Module):
    def __init__(self, embedding, gru, fc):
        super().__init__()
        self.embedding, self.gru, self.fc = embedding, gru, fc


encoder = Part(nn.Embedding(V, E, padding_idx=0), nn.GRU(E, H, batch_first=True), nn.Linear(H, L))
decoder = Part(nn.Embedding(V, E, padding_idx=0), nn.GRU(E + L, H, batch_first=True), nn.Linear(H, V))
model = nn.ModuleDict({'encoder': encoder, 'decoder': decoder})
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
print(f'torch {torch.__version__}, {args.threads} threads, {sum(p.numel() for p in model.parameters())} parameters, '
      f'{len(train)} train / {len(test)} test words', flush=True)


def tensors(words):
    t = max(len(w) for w in words)
    x = torch.zeros(len(words), t, dtype=torch.long)
    dec_in = torch.zeros(len(words), t + 1, dtype=torch.long)
    target = torch.zeros(len(words), t + 1, dtype=torch.long)
    for r, w in enumerate(words):
        s = torch.tensor([ids[c] for c in w])
        x[r, :len(w)] = s
        dec_in[r, 0] = 2
        dec_in[r, 1:len(w) + 1] = s
        target[r, :len(w)] = s
        target[r, len(w)] = 1
    return x, [len(w) for w in words], dec_in, target


def encode(x, lengths):
    packed = nn.utils.rnn.pack_padded_sequence(encoder.embedding(x), lengths, batch_first=True, enforce_sorted=False)
    _, h = encoder.gru(packed)
    return encoder.fc(h[0])


def loss_of(words):
    x, lengths, dec_in, target = tensors(words)
    code = encode(x, lengths)
    inputs = torch.cat([decoder.embedding(dec_in), code[:, None, :].expand(-1, dec_in.shape[1], -1)], 2)
    out, _ = decoder.gru(inputs)
    return F.cross_entropy(decoder.fc(out).reshape(-1, V), target.reshape(-1), ignore_index=0, reduction='sum')


def greedy(words):
    x, lengths, _, _ = tensors(words)
    code = encode(x, lengths)
    token, h, written = torch.full((len(words), 1), 2, dtype=torch.long), None, []
    for _ in range(max(len(w) for w in lines) + 1):
        out, h = decoder.gru(torch.cat([decoder.embedding(token), code[:, None, :]], 2), h)
        token = decoder.fc(out).argmax(-1)
        written.append(token)
    written = torch.cat(written, 1).tolist()
    result = []
    for row in written:
        s = []
        for t in row:
            if t == 1:
                break
            if t >= 3:
                s.append(chars[t - 3])
        result.append(''.join(s))
    return result


def batches(words, size, shuffle):
    keyed = sorted(words, key=lambda w: (len(w), rng.random() if shuffle else 0))
    chunks = [keyed[i:i + size] for i in range(0, len(keyed), size)]
    if shuffle:
        rng.shuffle(chunks)
    return chunks


totals = []
for epoch in range(1, args.epochs + 1):
    start = time.perf_counter()
    model.train()
    total = 0.0
    for chunk in batches(train, B, True):
        loss = loss_of(chunk)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
    trained = time.perf_counter()
    model.eval()
    with torch.no_grad():
        test_loss, exact = 0.0, 0
        for chunk in batches(test, 512, False):
            test_loss += loss_of(chunk).item()
            exact += sum(a == b for a, b in zip(greedy(chunk), chunk))
    done = time.perf_counter()
    totals.append(done - start)
    print(f'epoch {epoch} train_loss {total / len(train):.4f} test_loss {test_loss / len(test):.4f} '
          f'exact_match {exact / len(test):.4f} train_seconds {trained - start:.1f} eval_seconds {done - trained:.1f}', flush=True)
print(f'seconds_per_epoch {statistics.median(totals[1:] if len(totals) > 1 else totals):.3f}')
