"""Recurrent layers, nn.utils.rnn packing, scaled_dot_product_attention, MultiheadAttention and
the Transformer encoder compared with PyTorch 2.15: outputs, final states, gradients of inputs,
initial states and every parameter (first and second order), reprs, parameter names, state_dict
keys and messages, from deterministic float64 data (tests/test_nn_pytorch.py's SETUP and
comparison rules). Plus float64 finite-difference checks (gradcheck / gradgradcheck).

tests/data/rnn_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_rnn_attention.py --record

Must stay valid Python 3.6.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pytorch_cases import SETUP, case_tests, record  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "rnn_pytorch215.json")

MORE = """
R = torch.nn.utils.rnn

def flat(o):
    if isinstance(o, (tuple, list)):
        return [y for x in o for y in flat(x)]
    return [] if o is None else [o]

def wsum(outs):
    total = torch.zeros((), dtype=D)
    for i, t in enumerate(flat(outs)):
        if t.is_floating_point() and t.requires_grad:
            total = total + (t * data(*t.shape, k=0.9 + i)).sum()
    return total

def states(shapes):
    if shapes is None:
        return None, []
    hs = [data(*s, k=1.0 + i, requires_grad=True) for i, s in enumerate(shapes)]
    return (hs[0] if len(hs) == 1 else tuple(hs)), hs

def rnn(m, shape, hx_shapes=None, scale=0.5):
    # Output, final state, and the gradients of input, initial states and every parameter.
    fill(m.double(), scale)
    x = data(*shape, requires_grad=True)
    hx, hs = states(hx_shapes)
    out = m(x) if hx is None else m(x, hx)
    wsum(out).backward()
    return (out, x.grad, [h.grad for h in hs], grads(m))

def packed(m, shape, lengths, hx_shapes=None, enforce_sorted=True, batch_first=False, scale=0.5):
    # The same through pack_padded_sequence -> m -> pad_packed_sequence.
    fill(m.double(), scale)
    x = data(*shape, requires_grad=True)
    p = R.pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    hx, hs = states(hx_shapes)
    out, h = m(p) if hx is None else m(p, hx)
    padded, lens = R.pad_packed_sequence(out, batch_first=batch_first)
    wsum([padded, h]).backward()
    return (out, padded, lens, h, x.grad, [q.grad for q in hs], grads(m))

def rnn_gg(m, shape, scale=0.5):
    # Second order: gradient of |dL/dx|^2 with respect to the input and every parameter.
    fill(m.double(), scale)
    x = data(*shape, requires_grad=True)
    g, = torch.autograd.grad(wsum(m(x)), [x], create_graph=True)
    (g * g).sum().backward()
    return (x.grad, grads(m))

def g(fn, *shapes):
    xs = [data(*s, k=0.3 * i, requires_grad=True) for i, s in enumerate(shapes)]
    y = fn(*xs)
    wsum(y).backward()
    return (y, [x.grad for x in xs])

def gg(fn, *shapes):
    xs = [data(*s, k=0.3 * i, requires_grad=True) for i, s in enumerate(shapes)]
    gs = torch.autograd.grad(wsum(fn(*xs)), xs, create_graph=True)
    sum(((q * q).sum() for q in gs), torch.zeros((), dtype=D)).backward()
    return [x.grad for x in xs]

def mha(m, q_shape, k_shape=None, v_shape=None, self_attn=False, scale=0.5, **kw):
    fill(m.double(), scale)
    q = data(*q_shape, requires_grad=True)
    if self_attn:
        k = v = q
    else:
        k = data(*(k_shape or q_shape), k=0.5, requires_grad=True)
        v = data(*(v_shape or k_shape or q_shape), k=1.1, requires_grad=True)
    out = m(q, k, v, **kw)
    wsum(out).backward()
    return (out, q.grad, None if self_attn else (k.grad, v.grad), grads(m))

def enc(m, shape, scale=0.3, **kw):
    fill(m.double(), scale)
    x = data(*shape, requires_grad=True)
    y = m(x, **kw)
    wsum(y).backward()
    return (y, x.grad, grads(m))

def multi(m, *shapes, scale=0.3, **kw):
    # A module of several inputs: output and the gradients of every input and parameter.
    fill(m.double(), scale)
    xs = [data(*sh, k=0.4 * i, requires_grad=True) for i, sh in enumerate(shapes)]
    y = m(*xs, **kw)
    wsum(y).backward()
    return (y, [x.grad for x in xs], grads(m))

def causal(n):
    return torch.where(torch.arange(n).unsqueeze(1) >= torch.arange(n).unsqueeze(0), torch.zeros(n, n, dtype=D), torch.full([n, n], float('-inf'), dtype=D))

def names(m):
    return ([(n, tuple(p.shape)) for n, p in m.named_parameters()], list(m.state_dict().keys()))

def bounded(m, bound):
    return all(bool(p.abs().max() <= bound) for p in m.parameters()) and any(bool(p.abs().max() > 0.5 * bound) for p in m.parameters())

def seqs():
    return [data(4, 3), data(2, 3, k=1.0), data(3, 3, k=2.0), data(1, 3, k=3.0)]

BOOL = torch.tensor([[True, True, False, True, False], [False, True, True, True, True], [True, False, False, False, True]])
"""

CASES = {
    # ---------------------------------------------------------------- RNN
    "rnn_tanh": "out = rnn(nn.RNN(3, 4), (5, 2, 3))",
    "rnn_relu_2layer": "out = rnn(nn.RNN(3, 4, num_layers=2, nonlinearity='relu'), (5, 2, 3), scale=0.3)",
    "rnn_positional_nonlinearity": "out = rnn(nn.RNN(3, 4, 1, 'relu', False), (4, 2, 3), scale=0.3)",
    "rnn_bidir_batch_first_h0": "out = rnn(nn.RNN(3, 4, 2, bidirectional=True, batch_first=True), (2, 5, 3), [(4, 2, 4)])",
    "rnn_unbatched": "out = rnn(nn.RNN(3, 4, bidirectional=True), (5, 3), [(2, 4)])",
    "rnn_unbatched_no_h0": "out = rnn(nn.RNN(3, 2, num_layers=2, batch_first=True), (4, 3))",
    "rnn_no_bias": "out = rnn(nn.RNN(3, 4, bias=False, num_layers=2), (3, 2, 3))",
    "rnn_double_backward": "out = rnn_gg(nn.RNN(3, 4, num_layers=2, bidirectional=True), (4, 2, 3))",
    # ---------------------------------------------------------------- LSTM
    "lstm": "out = rnn(nn.LSTM(3, 4), (5, 2, 3))",
    "lstm_2layer_bidir_h0c0": "out = rnn(nn.LSTM(3, 4, num_layers=2, bidirectional=True), (5, 2, 3), [(4, 2, 4), (4, 2, 4)])",
    "lstm_batch_first": "out = rnn(nn.LSTM(3, 5, batch_first=True), (2, 4, 3), [(1, 2, 5), (1, 2, 5)])",
    "lstm_proj": "out = rnn(nn.LSTM(3, 5, proj_size=2), (4, 2, 3), [(1, 2, 2), (1, 2, 5)])",
    "lstm_proj_bidir_2layer": "out = rnn(nn.LSTM(3, 5, num_layers=2, proj_size=3, bidirectional=True, batch_first=True), (2, 4, 3))",
    "lstm_unbatched": "out = rnn(nn.LSTM(3, 4, num_layers=2), (5, 3), [(2, 4), (2, 4)])",
    "lstm_no_bias": "out = rnn(nn.LSTM(3, 4, bias=False, bidirectional=True), (3, 2, 3))",
    "lstm_double_backward": "out = rnn_gg(nn.LSTM(3, 4, num_layers=2), (4, 2, 3))",
    # ---------------------------------------------------------------- GRU
    "gru": "out = rnn(nn.GRU(3, 4), (5, 2, 3))",
    "gru_2layer_bidir_h0": "out = rnn(nn.GRU(3, 4, num_layers=2, bidirectional=True), (5, 2, 3), [(4, 2, 4)])",
    "gru_unbatched_batch_first": "out = rnn(nn.GRU(3, 4, batch_first=True), (5, 3), [(1, 4)])",
    "gru_no_bias": "out = rnn(nn.GRU(3, 4, bias=False, num_layers=2), (3, 2, 3))",
    "gru_double_backward": "out = rnn_gg(nn.GRU(3, 4, bidirectional=True), (4, 2, 3))",
    # ---------------------------------------------------------------- packed sequences through RNNs
    "lstm_packed_sorted": "out = packed(nn.LSTM(3, 4), (5, 3, 3), [5, 3, 2])",
    "lstm_packed_bidir_2layer": "out = packed(nn.LSTM(3, 4, num_layers=2, bidirectional=True), (5, 3, 3), [5, 4, 1])",
    "lstm_packed_unsorted_h0": "out = packed(nn.LSTM(3, 4, bidirectional=True, proj_size=2), (4, 3, 3), [2, 4, 3], [(2, 3, 2), (2, 3, 4)], enforce_sorted=False)",
    "gru_packed_unsorted_batch_first": "out = packed(nn.GRU(3, 4, batch_first=True, bidirectional=True), (3, 5, 3), [3, 5, 1], [(2, 3, 4)], enforce_sorted=False, batch_first=True)",
    "rnn_packed_2layer": "out = packed(nn.RNN(3, 4, num_layers=2, bidirectional=True), (4, 3, 3), torch.tensor([4, 4, 2]))",
    "rnn_packed_sequence_input": (
        "m = fill(nn.GRU(3, 2).double()); ss = seqs(); p = R.pack_sequence(ss, enforce_sorted=False); o, h = m(p);"
        "out = (o, h, R.unpack_sequence(o))"),
    # ---------------------------------------------------------------- cells
    "rnn_cell": "out = g(lambda x, h: fill(nn.RNNCell(3, 4).double())(x, h), (2, 3), (2, 4))",
    "rnn_cell_relu_no_hx": "m = fill(nn.RNNCell(3, 4, nonlinearity='relu').double()); out = (g(lambda x: m(x), (2, 3)), grads(m))",
    "rnn_cell_unbatched": "out = g(lambda x, h: fill(nn.RNNCell(3, 4, bias=False).double())(x, h), (3,), (4,))",
    "lstm_cell": "m = fill(nn.LSTMCell(3, 4).double()); out = (g(lambda x, h, c: m(x, (h, c)), (2, 3), (2, 4), (2, 4)), grads(m))",
    "lstm_cell_unbatched_no_hx": "m = fill(nn.LSTMCell(3, 4).double()); out = (g(lambda x: m(x), (3,)), grads(m))",
    "gru_cell": "m = fill(nn.GRUCell(3, 4).double()); out = (g(lambda x, h: m(x, h), (2, 3), (2, 4)), grads(m))",
    "gru_cell_unbatched": "m = fill(nn.GRUCell(3, 4, bias=False).double()); out = (g(lambda x, h: m(x, h), (3,), (4,)), grads(m))",
    "lstm_cell_double_backward": "m = fill(nn.LSTMCell(3, 4).double()); out = gg(lambda x, h, c: m(x, (h, c)), (2, 3), (2, 4), (2, 4))",
    "gru_cell_double_backward": "m = fill(nn.GRUCell(3, 4).double()); out = gg(lambda x, h: m(x, h), (2, 3), (2, 4))",
    # ---------------------------------------------------------------- construction, printing, names
    "repr_rnns": (
        "out = [repr(m) for m in [nn.RNN(3, 4), nn.RNN(3, 4, 2, 'relu', False, True, 0.5, True), nn.LSTM(3, 4, proj_size=2),"
        " nn.LSTM(2, 3, num_layers=3, batch_first=True, dropout=0.25), nn.GRU(5, 6, bidirectional=True), nn.GRU(2, 2, bias=False),"
        " nn.RNNCell(3, 4), nn.RNNCell(3, 4, bias=False, nonlinearity='relu'), nn.LSTMCell(2, 3), nn.GRUCell(2, 3, bias=False),"
        " nn.Sequential(nn.LSTM(2, 3), nn.Linear(3, 1))]]"),
    "names_rnn": "out = [names(m) for m in [nn.RNN(3, 4, num_layers=2, bidirectional=True), nn.RNN(2, 3, bias=False)]]",
    "names_lstm": "out = [names(m) for m in [nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2), nn.LSTM(3, 4, bias=False, proj_size=1)]]",
    "names_gru_cells": "out = [names(m) for m in [nn.GRU(3, 4, num_layers=2), nn.RNNCell(2, 3), nn.LSTMCell(2, 3, bias=False), nn.GRUCell(2, 3)]]",
    "rnn_attributes": (
        "m = nn.LSTM(3, 4, num_layers=2, bidirectional=True); c = nn.RNNCell(2, 3);"
        "out = (m.input_size, m.hidden_size, m.num_layers, m.bias, m.batch_first, m.dropout, m.bidirectional, m.proj_size, m.mode,"
        " m._flat_weights_names, [len(w) for w in m.all_weights], nn.RNN(2, 3, nonlinearity='relu').nonlinearity, nn.RNN(2, 3).mode,"
        " c.nonlinearity, c.bias)"),
    "rnn_init_bounds": (
        "torch.manual_seed(0)\n"
        "out = [bounded(nn.LSTM(10, 16, num_layers=2), 0.25), bounded(nn.GRU(4, 9), 1 / 3), bounded(nn.RNN(3, 25), 0.2),"
        " bounded(nn.LSTMCell(5, 4), 0.5), bounded(nn.GRUCell(5, 100), 0.1)]"),
    "rnn_dtype_default": "out = [str(p.dtype) for p in nn.GRU(2, 3).parameters()] + [str(nn.LSTM(2, 3, dtype=torch.float64).weight_ih_l0.dtype)]",
    "rnn_float32_forward": (
        "m = fill(nn.LSTM(3, 4)); x = data(5, 2, 3, dtype=torch.float32); o, (h, c) = m(x);"
        "md = fill(nn.LSTM(3, 4).double()); od, _ = md(x.double()); out = (o.dtype, o.shape, h.shape, bool((o.double() - od).abs().max() < 1e-5))"),
    "rnn_dropout_warning": (
        "import warnings\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    nn.LSTM(2, 3, dropout=0.3)\n"
        "out = str(w[0].message)"),
    "rnn_dropout_eval_is_identity": (
        "m = fill(nn.GRU(3, 4, num_layers=2, dropout=0.5).double()); m.eval(); a = m(data(4, 2, 3))[0];"
        "m2 = fill(nn.GRU(3, 4, num_layers=2).double()); out = bool((a - m2(data(4, 2, 3))[0]).abs().max() == 0)"),
    "rnn_state_dict_roundtrip": (
        "a = fill(nn.LSTM(3, 4, bidirectional=True).double()); b = nn.LSTM(3, 4, bidirectional=True).double();"
        "r = b.load_state_dict(a.state_dict()); x = data(4, 2, 3); out = (repr(r), b(x)[0], b(x)[1][1])"),
    # ---------------------------------------------------------------- RNN errors
    "err_rnn_input_4d": "nn.RNN(3, 4)(torch.zeros(2, 2, 2, 3))",
    "err_lstm_input_1d": "nn.LSTM(3, 4)(torch.zeros(3))",
    "err_gru_input_4d": "nn.GRU(3, 4)(torch.zeros(2, 2, 2, 3))",
    "err_rnn_input_size": "nn.RNN(3, 4)(torch.zeros(5, 2, 2))",
    "err_rnn_hidden_size": "nn.RNN(3, 4)(torch.zeros(5, 2, 3), torch.zeros(1, 3, 4))",
    "err_rnn_hidden_size_bidir": "nn.GRU(3, 4, bidirectional=True)(torch.zeros(5, 2, 3), torch.zeros(1, 2, 4))",
    "err_rnn_unbatched_hx_3d": "nn.RNN(3, 4)(torch.zeros(5, 3), torch.zeros(1, 1, 4))",
    "err_rnn_batched_hx_2d": "nn.GRU(3, 4)(torch.zeros(5, 2, 3), torch.zeros(1, 4))",
    "err_lstm_cell_size": "nn.LSTM(3, 4)(torch.zeros(5, 2, 3), (torch.zeros(1, 2, 4), torch.zeros(1, 2, 3)))",
    "err_lstm_hidden_size_proj": "nn.LSTM(3, 4, proj_size=2)(torch.zeros(5, 2, 3), (torch.zeros(1, 2, 4), torch.zeros(1, 2, 4)))",
    "err_lstm_batched_hx_dims": "nn.LSTM(3, 4)(torch.zeros(5, 2, 3), (torch.zeros(2, 4), torch.zeros(1, 2, 4)))",
    "err_lstm_unbatched_hx_dims": "nn.LSTM(3, 4)(torch.zeros(5, 3), (torch.zeros(1, 1, 4), torch.zeros(1, 4)))",
    "err_rnn_dtype": "nn.RNN(3, 4)(torch.zeros(5, 2, 3, dtype=torch.float64))",
    "err_rnn_nonlinearity": "nn.RNN(3, 4, nonlinearity='sigmoid')",
    "err_gru_proj_size": "nn.GRU(3, 4, proj_size=2)",
    "err_lstm_proj_too_big": "nn.LSTM(3, 4, proj_size=4)",
    "err_lstm_proj_negative": "nn.LSTM(3, 4, proj_size=-1)",
    "err_rnn_dropout_range": "nn.LSTM(3, 4, num_layers=2, dropout=1.5)",
    "err_rnn_dropout_bool": "nn.LSTM(3, 4, num_layers=2, dropout=True)",
    "err_rnn_hidden_zero": "nn.GRU(3, 0)",
    "err_rnn_input_zero": "nn.GRU(0, 3)",
    "err_rnn_layers_zero": "nn.GRU(3, 3, num_layers=0)",
    "err_rnn_hidden_float": "nn.RNN(3, 4.0)",
    "err_rnn_input_float": "nn.RNN(3.0, 4)",
    "err_rnn_bias_type": "nn.LSTM(3, 4, bias=1)",
    "err_rnn_batch_first_type": "nn.LSTM(3, 4, batch_first=None)",
    "err_rnn_cell_input_3d": "nn.RNNCell(3, 4)(torch.zeros(1, 2, 3))",
    "err_rnn_cell_hidden_3d": "nn.RNNCell(3, 4)(torch.zeros(2, 3), torch.zeros(1, 2, 4))",
    "err_rnn_cell_input_size": "nn.RNNCell(3, 4)(torch.zeros(2, 5))",
    "err_rnn_cell_hidden_batch": "nn.RNNCell(3, 4)(torch.zeros(2, 3), torch.zeros(3, 4))",
    "err_rnn_cell_hidden_size": "nn.RNNCell(3, 4)(torch.zeros(2, 3), torch.zeros(2, 5))",
    "err_gru_cell_input_size": "nn.GRUCell(3, 4)(torch.zeros(2, 2))",
    "err_gru_cell_hidden_3d": "nn.GRUCell(3, 4)(torch.zeros(3), torch.zeros(1, 1, 4))",
    "err_lstm_cell_input_3d": "nn.LSTMCell(3, 4)(torch.zeros(1, 2, 3))",
    "err_lstm_cell_hx_3d": "nn.LSTMCell(3, 4)(torch.zeros(2, 3), (torch.zeros(2, 4), torch.zeros(1, 2, 4)))",
    "err_lstm_cell_c_size": "nn.LSTMCell(3, 4)(torch.zeros(2, 3), (torch.zeros(2, 4), torch.zeros(2, 3)))",
    "err_lstm_cell_h_batch": "nn.LSTMCell(3, 4)(torch.zeros(2, 3), (torch.zeros(1, 4), torch.zeros(2, 4)))",
    "err_rnn_cell_nonlinearity": "nn.RNNCell(3, 4, nonlinearity='gelu')(torch.zeros(2, 3))",
    # ---------------------------------------------------------------- nn.utils.rnn
    "pad_sequence_variants": (
        "ss = seqs(); out = (R.pad_sequence(ss), R.pad_sequence(ss, batch_first=True, padding_value=-1.0),"
        " R.pad_sequence(ss, batch_first=True, padding_side='left'), R.pad_sequence([data(2), data(3)]))"),
    "pad_sequence_grad": "out = g(lambda a, b: R.pad_sequence([a, b], padding_value=2.0, padding_side='left'), (2, 3), (4, 3))",
    "pad_sequence_bad_side": "R.pad_sequence([torch.ones(2)], padding_side='middle')",
    "pack_padded_sorted": "x = data(4, 3, 2); p = R.pack_padded_sequence(x, [4, 2, 1]); out = (p, repr(p), type(p).__name__, p.batch_sizes, p.sorted_indices)",
    "pack_padded_unsorted": "x = data(3, 4, 2); p = R.pack_padded_sequence(x, torch.tensor([1, 4, 2]), batch_first=True, enforce_sorted=False); out = (p, repr(p))",
    "pack_padded_ties": "x = data(3, 5, 1); p = R.pack_padded_sequence(x, [2, 3, 2, 3, 1], enforce_sorted=False); out = (p.sorted_indices, p.unsorted_indices, p.data)",
    "pack_pad_roundtrip_grad": (
        "x = data(4, 3, 2, requires_grad=True); p = R.pack_padded_sequence(x, [2, 4, 3], enforce_sorted=False);"
        "y, lens = R.pad_packed_sequence(p, padding_value=-3.0, total_length=6); wsum(y).backward(); out = (y, lens, x.grad)"),
    "pad_packed_batch_first": "p = R.pack_padded_sequence(data(5, 2, 3), [5, 3]); out = R.pad_packed_sequence(p, batch_first=True, total_length=5)",
    "pack_sequence": (
        "ss = seqs(); p = R.pack_sequence(ss, enforce_sorted=False); q = R.pack_sequence([ss[0], ss[2], ss[1]]);"
        "out = (p, q, R.unpack_sequence(p), R.unpad_sequence(R.pad_sequence(ss), torch.tensor([4, 2, 3, 1])),"
        " R.unpad_sequence(R.pad_sequence(ss, batch_first=True), torch.tensor([4, 2, 3, 1]), batch_first=True))"),
    "packed_sequence_methods": (
        "p = R.pack_sequence([data(3, 2), data(1, 2)]); q = p.to(torch.float32); r = q.double();"
        "out = (str(q.data.dtype), str(r.data.dtype), p.to(torch.float64) is p, p.is_cuda, R.PackedSequence(p.data, p.batch_sizes),"
        " R.PackedSequence((p.data, p.batch_sizes)), p._fields)"),
    "err_pack_unsorted": "R.pack_padded_sequence(torch.zeros(4, 3, 2), [2, 4, 3])",
    "err_pack_sequence_unsorted": "R.pack_sequence([torch.zeros(2), torch.zeros(3)])",
    "err_pack_zero_length": "R.pack_padded_sequence(torch.zeros(4, 3, 2), [4, 2, 0])",
    "err_pack_lengths_count": "R.pack_padded_sequence(torch.zeros(4, 3, 2), [4, 2])",
    "err_pad_packed_total_length": "R.pad_packed_sequence(R.pack_padded_sequence(torch.zeros(4, 2, 2), [4, 2]), total_length=3)",
    # ---------------------------------------------------------------- scaled_dot_product_attention
    "sdpa_3d": "out = g(lambda q, k, v: F.scaled_dot_product_attention(q, k, v), (2, 3, 4), (2, 5, 4), (2, 5, 3))",
    "sdpa_4d_scale": "out = g(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, scale=0.7), (2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4))",
    "sdpa_bool_mask": "out = g(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=BOOL), (2, 3, 4), (2, 5, 4), (2, 5, 2))",
    "sdpa_float_mask_grad": "out = g(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m), (2, 3, 4), (2, 5, 4), (2, 5, 2), (3, 5))",
    "sdpa_fully_masked_row": (
        "m = BOOL.clone(); m[1] = False\n"
        "out = g(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=m), (1, 3, 4), (1, 5, 4), (1, 5, 2))"),
    "sdpa_causal": "out = g(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), (2, 2, 4, 3), (2, 2, 4, 3), (2, 2, 4, 3))",
    "sdpa_causal_rect": "out = g(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), (1, 3, 4), (1, 5, 4), (1, 5, 4))",
    "sdpa_broadcast_mask_4d": "m = torch.tensor([[[[True, False, True, True]]], [[[False, True, True, False]]]])\nout = g(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=m), (2, 2, 3, 4), (2, 2, 4, 4), (2, 2, 4, 4))",
    "sdpa_gqa": "out = g(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, enable_gqa=True), (1, 4, 3, 2), (1, 2, 5, 2), (1, 2, 5, 3))",
    "sdpa_double_backward": "out = gg(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=BOOL), (2, 3, 4), (2, 5, 4), (2, 5, 2))",
    "sdpa_dropout_one": "out = F.scaled_dot_product_attention(data(1, 3, 4), data(1, 5, 4), data(1, 5, 2), dropout_p=1.0)",
    "err_sdpa_key_dim": "F.scaled_dot_product_attention(torch.zeros(2, 3, 4), torch.zeros(2, 5, 3), torch.zeros(2, 5, 3))",
    "err_sdpa_key_dim_4d": "F.scaled_dot_product_attention(torch.zeros(2, 2, 3, 4), torch.zeros(2, 2, 5, 3), torch.zeros(2, 2, 5, 3))",
    "err_sdpa_value_len": "F.scaled_dot_product_attention(torch.zeros(2, 3, 4), torch.zeros(2, 5, 4), torch.zeros(2, 6, 3))",
    "err_sdpa_dtype": "F.scaled_dot_product_attention(torch.zeros(2, 3, 4), torch.zeros(2, 5, 4), torch.zeros(2, 5, 3, dtype=torch.float64))",
    "err_sdpa_1d": "F.scaled_dot_product_attention(torch.zeros(4), torch.zeros(5, 4), torch.zeros(5, 4))",
    "err_sdpa_mask_dtype": "F.scaled_dot_product_attention(torch.zeros(2, 3, 4), torch.zeros(2, 5, 4), torch.zeros(2, 5, 3), attn_mask=torch.zeros(3, 5, dtype=torch.int64))",
    "err_sdpa_mask_shape": "F.scaled_dot_product_attention(torch.zeros(2, 3, 4), torch.zeros(2, 5, 4), torch.zeros(2, 5, 3), attn_mask=torch.zeros(3, 4))",
    "err_sdpa_gqa_heads": "F.scaled_dot_product_attention(torch.zeros(1, 4, 3, 2), torch.zeros(1, 3, 5, 2), torch.zeros(1, 3, 5, 2), enable_gqa=True)",
    "rnn_dropout_one_train": "out = rnn(nn.GRU(3, 4, num_layers=3, dropout=1.0), (4, 2, 3))",
    "err_sdpa_causal_and_mask": "F.scaled_dot_product_attention(torch.zeros(1, 3, 4), torch.zeros(1, 3, 4), torch.zeros(1, 3, 4), attn_mask=torch.ones(3, 3, dtype=torch.bool), is_causal=True)",
    # ---------------------------------------------------------------- MultiheadAttention
    "mha_self": "m = nn.MultiheadAttention(4, 2); out = mha(m, (3, 2, 4), self_attn=True)",
    "mha_cross_per_head": "m = nn.MultiheadAttention(4, 2); out = mha(m, (3, 2, 4), (5, 2, 4), average_attn_weights=False)",
    "mha_no_weights_batch_first": "m = nn.MultiheadAttention(6, 3, batch_first=True); out = mha(m, (2, 3, 6), (2, 4, 6), need_weights=False)",
    "mha_unbatched": "m = nn.MultiheadAttention(4, 1); out = mha(m, (3, 4), (5, 4))",
    "mha_kdim_vdim": "m = nn.MultiheadAttention(4, 2, kdim=3, vdim=5); out = (mha(m, (3, 2, 4), (4, 2, 3), (4, 2, 5)), names(m))",
    "mha_bias_kv_zero_attn": "m = nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True); out = (mha(m, (3, 2, 4), (5, 2, 4)), names(m))",
    "mha_no_bias": "m = nn.MultiheadAttention(4, 2, bias=False); out = (mha(m, (3, 2, 4), self_attn=True), names(m))",
    "mha_key_padding_mask": (
        "kpm = torch.tensor([[False, False, True, False, True], [False, True, False, False, False]])\n"
        "m = nn.MultiheadAttention(4, 2); out = mha(m, (3, 2, 4), (5, 2, 4), key_padding_mask=kpm)"),
    "mha_masks_no_weights": (
        "kpm = torch.tensor([[False, False, True, False, True], [False, True, False, False, False]])\n"
        "m = nn.MultiheadAttention(4, 2, batch_first=True); out = mha(m, (2, 3, 4), (2, 5, 4), key_padding_mask=kpm, attn_mask=BOOL, need_weights=False)"),
    "mha_float_attn_mask_3d": "am = data(4, 3, 5, k=2.0); m = nn.MultiheadAttention(4, 2); out = mha(m, (3, 2, 4), (5, 2, 4), attn_mask=am)",
    "mha_causal": (
        "cm = torch.where(torch.arange(4).unsqueeze(1) >= torch.arange(4).unsqueeze(0), torch.zeros(4, 4, dtype=D), torch.full([4, 4], float('-inf'), dtype=D))\n"
        "m = nn.MultiheadAttention(4, 2); a = mha(m, (4, 2, 4), self_attn=True, attn_mask=cm, is_causal=True, need_weights=False);"
        "m2 = nn.MultiheadAttention(4, 2); b = mha(m2, (4, 2, 4), self_attn=True, attn_mask=cm); out = (a, b)"),
    "mha_unbatched_masks": (
        "kpm = torch.tensor([False, True, False, False, True]); am = data(2, 3, 5, k=1.0)\n"
        "m = nn.MultiheadAttention(4, 2); out = mha(m, (3, 4), (5, 4), key_padding_mask=kpm, attn_mask=am)"),
    "mha_double_backward": (
        "m = fill(nn.MultiheadAttention(4, 2).double())\n"
        "out = gg(lambda q, k: m(q, k, k)[0], (3, 2, 4), (5, 2, 4))"),
    "mha_functional": (
        "w = data(12, 4); b = data(12, k=1.0); ow = data(4, 4, k=2.0); ob = data(4, k=3.0)\n"
        "out = g(lambda q, k, v: F.multi_head_attention_forward(q, k, v, 4, 2, w, b, None, None, False, 0.0, ow, ob, training=False), (3, 2, 4), (5, 2, 4), (5, 2, 4))"),
    "mha_repr_names": (
        "m = nn.MultiheadAttention(4, 2); m2 = nn.MultiheadAttention(4, 2, add_bias_kv=True, kdim=2, vdim=3);"
        "out = (repr(m), names(m), repr(m2), names(m2), type(m.out_proj).__name__, m.head_dim, m._qkv_same_embed_dim, m2._qkv_same_embed_dim,"
        " m2.in_proj_weight is None, m.bias_k is None, m.batch_first, m.dropout)"),
    "mha_init": (
        "torch.manual_seed(0); m = nn.MultiheadAttention(8, 2)\n"
        "out = (bool(m.in_proj_weight.abs().max() <= (6 / 32) ** 0.5), m.in_proj_bias.abs().sum().item(), m.out_proj.bias.abs().sum().item(),"
        " bool(m.in_proj_weight.abs().max() > 0.2))"),
    "err_mha_divisible": "nn.MultiheadAttention(5, 2)",
    "err_mha_zero_heads": "nn.MultiheadAttention(4, 0)",
    "err_mha_query_dims": "nn.MultiheadAttention(4, 2)(torch.zeros(4), torch.zeros(4), torch.zeros(4))",
    "err_mha_key_dims": "nn.MultiheadAttention(4, 2)(torch.zeros(3, 2, 4), torch.zeros(3, 4), torch.zeros(3, 4))",
    "err_mha_embed": "nn.MultiheadAttention(4, 2)(torch.zeros(3, 2, 5), torch.zeros(3, 2, 5), torch.zeros(3, 2, 5))",
    "err_mha_attn_mask_shape": "nn.MultiheadAttention(4, 2)(torch.zeros(3, 2, 4), torch.zeros(5, 2, 4), torch.zeros(5, 2, 4), attn_mask=torch.zeros(3, 4))",
    "err_mha_attn_mask_3d_shape": "nn.MultiheadAttention(4, 2)(torch.zeros(3, 2, 4), torch.zeros(5, 2, 4), torch.zeros(5, 2, 4), attn_mask=torch.zeros(2, 3, 5))",
    "err_mha_kpm_shape": "nn.MultiheadAttention(4, 2)(torch.zeros(3, 2, 4), torch.zeros(5, 2, 4), torch.zeros(5, 2, 4), key_padding_mask=torch.zeros(2, 4, dtype=torch.bool))",
    "err_mha_kpm_dims": "nn.MultiheadAttention(4, 2)(torch.zeros(3, 2, 4), torch.zeros(5, 2, 4), torch.zeros(5, 2, 4), key_padding_mask=torch.zeros(5, dtype=torch.bool))",
    "err_mha_mask_dtype": "nn.MultiheadAttention(4, 2)(torch.zeros(3, 2, 4), torch.zeros(5, 2, 4), torch.zeros(5, 2, 4), attn_mask=torch.zeros(3, 5, dtype=torch.int64))",
    "err_mha_key_value_shape": "nn.MultiheadAttention(4, 2)(torch.zeros(3, 2, 4), torch.zeros(5, 2, 4), torch.zeros(4, 2, 4))",
    "err_mha_causal_without_mask": "nn.MultiheadAttention(4, 2)(torch.zeros(3, 2, 4), torch.zeros(3, 2, 4), torch.zeros(3, 2, 4), is_causal=True)",
    # ---------------------------------------------------------------- Transformer encoder
    "encoder_layer_post_norm": "out = enc(nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0), (3, 2, 4))",
    "encoder_layer_norm_first_gelu_batch_first": "out = enc(nn.TransformerEncoderLayer(4, 2, 6, 0.0, 'gelu', batch_first=True, norm_first=True), (2, 3, 4))",
    "encoder_layer_callable_activation": "out = enc(nn.TransformerEncoderLayer(4, 1, 5, 0.0, activation=torch.tanh, layer_norm_eps=1e-3), (3, 2, 4))",
    "encoder_layer_module_activation": "l = nn.TransformerEncoderLayer(4, 2, 5, 0.0, activation=nn.GELU()); out = (enc(l, (3, 2, 4)), repr(l), l.activation_relu_or_gelu)",
    "encoder_layer_no_bias_unbatched": "out = enc(nn.TransformerEncoderLayer(4, 2, 5, 0.0, bias=False), (3, 4))",
    "encoder_layer_eval_dropout": "l = nn.TransformerEncoderLayer(4, 2, 6); l.eval(); out = enc(l, (3, 2, 4))",
    "encoder_layer_masks": (
        "kpm = torch.tensor([[False, False, True], [False, False, False]]); sm = torch.tensor([[False, True, False], [False, False, True], [False, False, False]])\n"
        "out = enc(nn.TransformerEncoderLayer(4, 2, 6, 0.0, batch_first=True), (2, 3, 4), src_mask=sm, src_key_padding_mask=kpm)"),
    "encoder_stack_norm": "out = enc(nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 6, 0.0), 2, norm=nn.LayerNorm(4), enable_nested_tensor=False), (3, 2, 4))",
    "encoder_stack_causal": (
        "cm = torch.where(torch.arange(3).unsqueeze(1) >= torch.arange(3).unsqueeze(0), torch.zeros(3, 3, dtype=D), torch.full([3, 3], float('-inf'), dtype=D))\n"
        "out = enc(nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 6, 0.0, batch_first=True), 2), (2, 3, 4), mask=cm)"),
    "encoder_stack_padding": (
        "kpm = torch.tensor([[False, False, True], [False, False, False]])\n"
        "out = enc(nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 6, 0.0, batch_first=True), 2), (2, 3, 4), src_key_padding_mask=kpm)"),
    "encoder_deepcopies_layers": (
        "l = nn.TransformerEncoderLayer(4, 2, 6); e = nn.TransformerEncoder(l, 3, enable_nested_tensor=False)\n"
        "out = (repr(e), names(e)[1], e.layers[0] is l, e.layers[0].linear1.weight is e.layers[1].linear1.weight,"
        " bool((e.layers[0].linear1.weight == l.linear1.weight).all()), e.num_layers, len(list(e.parameters())))"),
    "encoder_repr_names": "l = nn.TransformerEncoderLayer(4, 2, 6, norm_first=True); out = (repr(l), names(l), l.norm_first, l.activation_relu_or_gelu)",
    "encoder_nested_warning": (
        "import warnings\n"
        "msgs = []\n"
        "for kw in [dict(), dict(batch_first=True, norm_first=True), dict(batch_first=True, activation=torch.tanh)]:\n"
        "    with warnings.catch_warnings(record=True) as w:\n"
        "        warnings.simplefilter('always')\n"
        "        e = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 6, **kw), 1)\n"
        "    msgs.append(([str(x.message) for x in w], e.use_nested_tensor))\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    e = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 1, 6, batch_first=True), 1)\n"
        "msgs.append(([str(x.message) for x in w], e.use_nested_tensor))\n"
        "out = msgs"),
    # ---------------------------------------------------------------- Transformer decoder and the whole model
    "decoder_layer_masks": (
        "mkpm = torch.tensor([[False, False, True, False, False], [False, False, False, False, True]])\n"
        "out = multi(nn.TransformerDecoderLayer(4, 2, 6, 0.0), (3, 2, 4), (5, 2, 4), tgt_mask=causal(3), memory_key_padding_mask=mkpm, tgt_is_causal=True)"),
    "decoder_layer_norm_first_gelu_batch_first": "out = multi(nn.TransformerDecoderLayer(4, 2, 6, 0.0, 'gelu', batch_first=True, norm_first=True), (2, 3, 4), (2, 5, 4))",
    "decoder_layer_unbatched_memory_mask": "mm = torch.tensor([[False, True, False, False, False], [False, False, True, False, False], [True, False, False, False, False]]); out = multi(nn.TransformerDecoderLayer(4, 2, 6, 0.0, bias=False), (3, 4), (5, 4), memory_mask=mm)",
    "decoder_stack_norm": "out = multi(nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 6, 0.0), 2, norm=nn.LayerNorm(4)), (3, 2, 4), (5, 2, 4), tgt_mask=causal(3))",
    "decoder_repr_names": "d = nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 6), 2); out = (repr(d), names(d), d.layers[0] is d.layers[1])",
    "transformer": "out = multi(nn.Transformer(4, 2, 1, 2, 6, 0.0), (5, 2, 4), (3, 2, 4), tgt_mask=nn.Transformer.generate_square_subsequent_mask(3, dtype=D))",
    "transformer_batch_first_norm_first": (
        "kpm = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])\n"
        "out = multi(nn.Transformer(4, 2, 2, 1, 6, 0.0, batch_first=True, norm_first=True), (2, 5, 4), (2, 3, 4), src_key_padding_mask=kpm, memory_key_padding_mask=kpm)"),
    "transformer_repr_names": "t = nn.Transformer(4, 2, 1, 1, 6); out = (repr(t), names(t), t.d_model, t.nhead, t.batch_first)",
    "transformer_init": "torch.manual_seed(0); t = nn.Transformer(8, 2, 1, 1, 16); out = (t.encoder.layers[0].norm1.weight, t.decoder.norm.bias, bool(t.encoder.layers[0].linear1.weight.abs().max() <= (6 / 24) ** 0.5), bool(t.decoder.layers[0].linear2.weight.abs().max() > 0.3))",
    "transformer_square_mask": "out = (nn.Transformer.generate_square_subsequent_mask(4), nn.Transformer.generate_square_subsequent_mask(2, dtype=D))",
    "transformer_constructor_warning": (
        "import warnings\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    nn.Transformer(4, 2, 1, 1, 6)\n"
        "out = [str(x.message) for x in w]"),
    "err_transformer_batch": "nn.Transformer(4, 2, 1, 1, 6)(torch.zeros(5, 2, 4), torch.zeros(3, 3, 4))",
    "err_transformer_features": "nn.Transformer(4, 2, 1, 1, 6)(torch.zeros(5, 2, 4), torch.zeros(3, 2, 5))",
    "err_encoder_activation": "nn.TransformerEncoderLayer(4, 2, activation='swish')",
    "transformer_training": (
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.emb = nn.Embedding(7, 4)\n"
        "        self.rnn = nn.LSTM(4, 4, batch_first=True)\n"
        "        self.enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, 0.0, batch_first=True), 1, enable_nested_tensor=False)\n"
        "        self.head = nn.Linear(4, 3)\n"
        "    def forward(self, idx):\n"
        "        h, _ = self.rnn(self.emb(idx))\n"
        "        return self.head(self.enc(h).mean(1))\n"
        "m = fill(Net().double(), 0.3)\n"
        "opt = torch.optim.Adam(m.parameters(), lr=0.05)\n"
        "idx = torch.tensor([[1, 2, 3, 4], [4, 5, 6, 0], [0, 0, 1, 2]]); y = torch.tensor([0, 2, 1])\n"
        "losses = []\n"
        "for _ in range(4):\n"
        "    opt.zero_grad()\n"
        "    loss = F.cross_entropy(m(idx), y)\n"
        "    loss.backward()\n"
        "    opt.step()\n"
        "    losses.append(loss.item())\n"
        "out = (losses, grads(m))"),
}


test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + MORE)


def _fd_inputs(torch, *shapes):
    out = []
    for i, s in enumerate(shapes):
        n = 1
        for d in s:
            n *= d
        vals = [0.4 * ((j * 7 + 3 * i) % 11) / 11.0 - 0.2 + 0.05 * i for j in range(n)]
        out.append(torch.tensor(vals, dtype=torch.float64).reshape(s).requires_grad_())
    return out


def test_lstm_cell_gradcheck_and_gradgradcheck():
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    cell = torch.nn.LSTMCell(3, 2).double()
    inputs = _fd_inputs(torch, (2, 3), (2, 2), (2, 2), (8, 3), (8, 2), (8,), (8,))
    names = [n for n, _ in cell.named_parameters()]

    def f(x, h, c, *ws):  # the cell with its parameters swapped for the checked inputs
        for n, w in zip(names, ws):
            cell._parameters[n] = w
        hn, cn = cell(x, (h, c))
        return hn, cn

    assert gradcheck(f, inputs)
    assert gradgradcheck(f, inputs)


def test_gru_with_packed_input_gradcheck():
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradcheck
    m = torch.nn.GRU(2, 2, bidirectional=True).double()
    R = torch.nn.utils.rnn
    x, h0 = _fd_inputs(torch, (3, 2, 2), (2, 2, 2))

    def f(x, h0):
        out, h = m(R.pack_padded_sequence(x, [3, 1]), h0)
        return R.pad_packed_sequence(out)[0], h

    assert gradcheck(f, [x, h0])


def test_scaled_dot_product_attention_gradcheck_and_gradgradcheck():
    import pyrustgrad as torch
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    F = torch.nn.functional
    q, k, v, bias = _fd_inputs(torch, (2, 3, 2), (2, 4, 2), (2, 4, 3), (3, 4))
    mask = torch.tensor([[True, False, True, True], [True, True, False, True], [False, True, True, True]])
    for fn in (lambda q, k, v, b: F.scaled_dot_product_attention(q, k, v, attn_mask=b),
               lambda q, k, v, b: F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=0.9) * b.sum(),
               lambda q, k, v, b: F.scaled_dot_product_attention(q, k, v, is_causal=True) + b.mean()):
        assert gradcheck(fn, [q, k, v, bias])
        assert gradgradcheck(fn, [q, k, v, bias])


def test_fully_masked_rows_have_finite_gradients():
    import pyrustgrad as torch
    F = torch.nn.functional
    q, k, v = _fd_inputs(torch, (1, 2, 2), (1, 3, 2), (1, 3, 2))
    mask = torch.tensor([[False, False, False], [True, False, True]])
    y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    y.sum().backward()
    assert y[0, 0].tolist() == [0.0, 0.0]
    for t in (q, k, v):
        assert all(abs(e) < 1e9 for e in t.grad.reshape(-1).tolist())


if __name__ == "__main__":
    record(CASES, DATA, SETUP + MORE, __file__)
