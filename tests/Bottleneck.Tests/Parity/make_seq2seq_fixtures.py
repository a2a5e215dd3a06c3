#!/usr/bin/python3
"""Writes the PyTorch reference case of the seq2seq autoencoder (Seq2SeqAutoencoder): a tiny
model of the same architecture and state_dict names, one teacher-forced loss with every gradient,
the codes, and greedy decoding.

Token ids: 0 padding, 1 end, 2 start, then the characters of VOCABULARY from 3. The model:
    encoder.embedding  nn.Embedding(V, E, padding_idx=0)
    encoder.gru        nn.GRU(E, H, batch_first=True) over packed sequences (each row's length)
    encoder.fc         nn.Linear(H, L): the last real step's state to the code
    decoder.embedding  nn.Embedding(V, E, padding_idx=0)
    decoder.gru        nn.GRU(E + L, H, batch_first=True): [embedding of the previous token, code] per step
    decoder.fc         nn.Linear(H, V): logits
The loss is F.cross_entropy(logits, targets, ignore_index=0, reduction='sum') with decoder inputs
[start, c1..cn] and targets [c1..cn, end], padded with 0. Tensors: the parameters by name; tokens
[B, T] (ids as float32, 0-padded); loss [1]; code [B, L]; grad.NAME for every parameter; greedy
[B, MAX_LENGTH] the argmax token of each decoding step, fed back as the next input.
Regenerate with Debian's PyTorch:
    apt-get install python3-torch && /usr/bin/python3 make_seq2seq_fixtures.py [OUTDIR]
"""
import os, sys
import torch, torch.nn as nn, torch.nn.functional as F
from fixture_file import Cases

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, 'Fixtures')
CASES = Cases(OUT, 'MANIFEST.seq2seq.json')
torch.manual_seed(2026)
torch.set_num_threads(1)
VOCABULARY = 'abcde'
V, E, H, L, MAX_LENGTH = len(VOCABULARY) + 3, 4, 5, 3, 6
WORDS = ['ab', 'cdea', 'e', 'dd']


class Part(nn.Module):
    def __init__(self, embedding, gru, fc):
        super().__init__()
        self.embedding, self.gru, self.fc = embedding, gru, fc


encoder = Part(nn.Embedding(V, E, padding_idx=0), nn.GRU(E, H, batch_first=True), nn.Linear(H, L))
decoder = Part(nn.Embedding(V, E, padding_idx=0), nn.GRU(E + L, H, batch_first=True), nn.Linear(H, V))
model = nn.ModuleDict({'encoder': encoder, 'decoder': decoder})

ids = [[VOCABULARY.index(c) + 3 for c in w] for w in WORDS]
lengths = [len(w) for w in ids]
T, B = max(lengths), len(ids)
tokens = torch.zeros(B, T, dtype=torch.long)
dec_in = torch.zeros(B, T + 1, dtype=torch.long)
targets = torch.zeros(B, T + 1, dtype=torch.long)
for r, w in enumerate(ids):
    tokens[r, :len(w)] = torch.tensor(w)
    dec_in[r, 0] = 2
    dec_in[r, 1:len(w) + 1] = torch.tensor(w)
    targets[r, :len(w)] = torch.tensor(w)
    targets[r, len(w)] = 1


def encode():
    packed = nn.utils.rnn.pack_padded_sequence(encoder.embedding(tokens), lengths, batch_first=True, enforce_sorted=False)
    _, h = encoder.gru(packed)
    return encoder.fc(h[0])


code = encode()
steps = T + 1
inputs = torch.cat([decoder.embedding(dec_in), code[:, None, :].expand(-1, steps, -1)], 2)
out, _ = decoder.gru(inputs)
logits = decoder.fc(out)
loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=0, reduction='sum')
names = [n for n, _ in model.named_parameters()]
grads = torch.autograd.grad(loss, [p for _, p in model.named_parameters()])

with torch.no_grad():
    z = code
    token = torch.full((B, 1), 2, dtype=torch.long)
    h, greedy = None, []
    for _ in range(MAX_LENGTH):
        o, h = decoder.gru(torch.cat([decoder.embedding(token), z[:, None, :]], 2), h)
        token = decoder.fc(o).argmax(-1)
        greedy.append(token)
    greedy = torch.cat(greedy, 1)

tensors = {n: p for n, p in model.named_parameters()}
tensors.update(tokens=tokens.float(), loss=loss.reshape(1), code=code, greedy=greedy.float())
for n, g in zip(names, grads):
    tensors['grad.' + n] = g
CASES.save('seq2seq', tensors,
           {'vocabulary': VOCABULARY, 'embedding': E, 'hidden': H, 'latent': L, 'max_length': MAX_LENGTH, 'words': ','.join(WORDS),
            'loss': "F.cross_entropy(logits, targets, ignore_index=0, reduction='sum')"},
           f"the parameters by state_dict name (PyTorch's default initialisation, seed 2026); tokens [{B}, {T}] the words "
           f"{WORDS} as ids, 0-padded; loss [1]; code [{B}, {L}]; grad.NAME the gradient of the loss for each parameter; "
           f"greedy [{B}, {MAX_LENGTH}] the argmax token of each greedy decoding step")
CASES.write_manifest()
