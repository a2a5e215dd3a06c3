#!/usr/bin/python3
"""Writes PyTorch reference cases for the recurrent layers' parity tests (GRU and LSTM, one layer,
batch_first, zero initial state).

The same format as make_attention_fixtures.py: one safetensors file per case (all tensors float32,
little-endian, C order), the case's settings as strings in the header's "__metadata__", and
MANIFEST.recurrent.json listing every case with what its tensors mean. Unlike the attention cases,
the tensors keep PyTorch's shapes: x [batch, steps, input], out [batch, steps, hidden], h_n and
c_n [1, batch, hidden]; Bottleneck's [batch, steps*features] is the same bytes. The parameters are
named without the "_l0" suffix (weight_ih is PyTorch's weight_ih_l0), their gradients with a "d":
    gru          gradients given dout on every step's output
    lstm_last    gradients given dh_last on the last step's output only
    gru_last     the same for the GRU
PyTorch stacks the gates in the rows of weight_ih / weight_hh / bias_ih / bias_hh: the GRU as
r, z, n (n = tanh(W_in x + b_in + r * (W_hn h + b_hn))), the LSTM as i, f, g, o.
Regenerate with Debian's PyTorch:
    apt-get install python3-torch && /usr/bin/python3 make_recurrent_fixtures.py [OUTDIR]
"""
import os, sys
import torch, torch.nn as nn
from fixture_file import Cases

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, 'Fixtures')
CASES = Cases(OUT, 'MANIFEST.recurrent.json')
torch.manual_seed(2025)
torch.set_num_threads(1)
INPUT, HIDDEN, STEPS, BATCH = 3, 4, 5, 2

save = CASES.save

PARAMS = ('weight_ih', 'weight_hh', 'bias_ih', 'bias_hh')

def case(name, module, last_only, doc):
    """Forward from a zero state, one backward, the input's and every parameter's gradient."""
    x = torch.randn(BATCH, STEPS, INPUT).requires_grad_(True)
    out, state = module(x)
    params = [getattr(module, p + '_l0') for p in PARAMS]
    if last_only:
        seed = torch.randn(BATCH, HIDDEN)
        loss = (out[:, -1, :] * seed).sum()
    else:
        seed = torch.randn_like(out)
        loss = (out * seed).sum()
    gs = torch.autograd.grad(loss, [x] + params)
    tensors = dict(x=x)
    for p, t in zip(PARAMS, params):
        tensors[p] = t
    tensors['out'] = out
    if isinstance(state, tuple):
        tensors['h_n'], tensors['c_n'] = state
    else:
        tensors['h_n'] = state
    tensors['dh_last' if last_only else 'dout'] = seed
    tensors['dx'] = gs[0]
    for p, g in zip(PARAMS, gs[1:]):
        tensors['d' + p] = g
    meta = {'cell': type(module).__name__, 'input_size': INPUT, 'hidden_size': HIDDEN, 'steps': STEPS,
            'batch': BATCH, 'batch_first': True, 'initial_state': 'zero',
            'loss': '(out[:, -1, :] * dh_last).sum()' if last_only else '(out * dout).sum()'}
    save(name, tensors, meta, doc)

shapes = ("x [2, 5, 3], weight_ih [{g}, 3], weight_hh [{g}, 4], bias_ih [{g}], bias_hh [{g}] "
          "(PyTorch's *_l0, default initialisation), out [2, 5, 4], h_n [1, 2, 4]")
gru_shapes = shapes.format(g=3 * HIDDEN)
lstm_shapes = shapes.format(g=4 * HIDDEN) + ", c_n [1, 2, 4]"
grads = "dx [2, 5, 3] and dweight_ih, dweight_hh, dbias_ih, dbias_hh (the parameters' shapes)"

case('gru', nn.GRU(INPUT, HIDDEN, batch_first=True), False,
     "out, h_n = GRU(3, 4, batch_first=True)(x) from h_0 = 0; " + gru_shapes +
     "; dout [2, 5, 4] random; " + grads + " of (out * dout).sum()")
case('lstm_last', nn.LSTM(INPUT, HIDDEN, batch_first=True), True,
     "out, (h_n, c_n) = LSTM(3, 4, batch_first=True)(x) from h_0 = c_0 = 0; " + lstm_shapes +
     "; dh_last [2, 4] random; " + grads + " of (out[:, -1, :] * dh_last).sum(), the last step's output only")
case('gru_last', nn.GRU(INPUT, HIDDEN, batch_first=True), True,
     "out, h_n = GRU(3, 4, batch_first=True)(x) from h_0 = 0; " + gru_shapes +
     "; dh_last [2, 4] random; " + grads + " of (out[:, -1, :] * dh_last).sum(), the last step's output only")

CASES.write_manifest()
