#!/usr/bin/python3
"""Writes PyTorch reference cases for the attention layers' parity tests (LayerNorm,
MultiheadAttention, TransformerEncoderLayer, the sinusoidal positional encoding).

The same format as ../shared/fixtures/torch-parity/make_fixtures.py: one safetensors file per case
(all tensors float32, little-endian, C order), the case's settings as strings in the header's
"__metadata__", and MANIFEST.attention.json listing every case with what its tensors mean.
Sequences are stored as Bottleneck lays them out, [batch, steps*features] (batch-first, step t's
features at [t*features, (t+1)*features)); PyTorch sees them as [batch, steps, features].
Parameters keep their state_dict names. Regenerate with Debian's PyTorch:
    apt-get install python3-torch && /usr/bin/python3 make_attention_fixtures.py [OUTDIR]
"""
import math, os, sys
import torch, torch.nn as nn
from fixture_file import Cases

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, 'Fixtures')
CASES = Cases(OUT, 'MANIFEST.attention.json')
torch.manual_seed(2024)
torch.set_num_threads(1)

save = CASES.save

def flat(t):
    """[batch, steps, features] -> [batch, steps*features], Bottleneck's layout."""
    return t.reshape(t.shape[0], -1)

def perturb(module, scale=0.3):
    """Moves every parameter off its initial value (zero biases, unit norm weights would leave
    parts of the backward untested), reproducibly."""
    with torch.no_grad():
        for p in module.parameters():
            p.add_(scale * torch.randn_like(p))

def case(name, module, x, meta, doc, forward=None):
    """Forward, one backward from a random dy, and every gradient: dx and grad.<state_dict name>."""
    x = x.clone().requires_grad_(True)
    out = forward(x) if forward else module(x)
    extra = {}
    if isinstance(out, tuple):
        out, extra = out[0], out[1]
    dy = torch.randn_like(out)
    params = dict(module.named_parameters())
    gs = torch.autograd.grad(out, [x] + list(params.values()), dy)
    tensors = dict(x=flat(x), y=flat(out), dy=flat(dy), dx=flat(gs[0]))
    for (k, p), g in zip(params.items(), gs[1:]):
        tensors[k] = p
        tensors['grad.' + k] = g
    tensors.update(extra)
    save(name, tensors, meta, doc)

# LayerNorm over the last dimension: 3 items of 4 steps of 6 features.
ln = nn.LayerNorm(6, eps=1e-5); perturb(ln)
case('layer_norm', ln, torch.randn(3, 4, 6) * 2 + 0.5, {'features': 6, 'steps': 4, 'eps': 1e-5},
     "y = LayerNorm(6)(x) per step; x, y, dy, dx are [3, 4*6]; weight, bias and their grad.*")

# MultiheadAttention, self-attention (query = key = value = x), batch_first, E=8, 2 heads, 5 steps, batch 2.
E, H, T, B = 8, 2, 5, 2
mha = nn.MultiheadAttention(E, H, batch_first=True); perturb(mha, 0.2)
def attend(mask):
    def f(x):
        y, w = mha(x, x, x, key_padding_mask=mask, need_weights=True, average_attn_weights=True)
        return y, dict(attn_weights=w)
    return f
settings = {'embed_dim': E, 'num_heads': H, 'steps': T, 'batch': B, 'dropout': 0.0}
doc = ("y, attn_weights = MultiheadAttention(8, 2, batch_first=True)(x, x, x, need_weights=True, "
       "average_attn_weights=True); x, y, dy, dx are [2, 5*8], attn_weights [2, 5, 5] (query, key); "
       "parameters by state_dict name and their grad.* given dy on y only")
x = torch.randn(B, T, E)
case('mha', mha, x, settings, doc, forward=attend(None))
# The same with padded keys: item 0's last two steps, item 1's first step.
mask = torch.zeros(B, T, dtype=torch.bool); mask[0, 3:] = True; mask[1, 0] = True
def attend_masked(x):
    y, extra = attend(mask)(x)
    extra['key_padding_mask'] = mask.to(torch.float32)
    return y, extra
case('mha_key_padding', mha, x, dict(settings, key_padding_mask='item 0 steps 3-4, item 1 step 0'),
     doc + "; key_padding_mask [2, 5] is 1 where a key is padding (True in PyTorch's boolean mask)",
     forward=attend_masked)

# TransformerEncoderLayer, post-norm, relu, no dropout (train mode, so PyTorch's fused fast path is off).
enc = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, dropout=0.0, activation='relu',
                                 batch_first=True, norm_first=False)
perturb(enc, 0.2)
enc.train()
case('transformer_encoder_layer', enc, torch.randn(B, T, 8),
     {'d_model': 8, 'nhead': 2, 'dim_feedforward': 16, 'dropout': 0.0, 'steps': T, 'batch': B, 'activation': 'relu', 'norm_first': False},
     "y = TransformerEncoderLayer(8, 2, 16, dropout=0, batch_first=True)(x); x, y, dy, dx are [2, 5*8]; "
     "parameters by state_dict name (self_attn.in_proj_weight, ..., norm2.bias) and their grad.*")

# Sinusoidal positional encoding ("Attention is all you need"), in float64 then rounded once.
def encoding(steps, d):
    pe = torch.zeros(steps, d, dtype=torch.float64)
    t = torch.arange(steps, dtype=torch.float64).unsqueeze(1)
    freq = torch.exp(torch.arange(0, d, 2, dtype=torch.float64) * (-math.log(10000.0) / d))
    pe[:, 0::2] = torch.sin(t * freq)
    pe[:, 1::2] = torch.cos(t * freq[: d // 2])
    return pe
save('positional_encoding', dict(pe_50x8=encoding(50, 8), pe_6x7=encoding(6, 7)), {'base': 10000},
     "pe_SxD[t, 2i] = sin(t / 10000^(2i/D)), pe_SxD[t, 2i+1] = cos(t / 10000^(2i/D)); D = 7 has no last cosine")

CASES.write_manifest()
