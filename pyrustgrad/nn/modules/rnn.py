"""Recurrent layers (RNN, LSTM, GRU and their cells), as ``torch.nn``: PyTorch's constructor
arguments, parameter names and order, gate layout (LSTM i,f,g,o; GRU r,z,n), initialisation,
checks and messages. Written in plain differentiable tensor ops, so every gradient order works.

One code path serves padded and packed input: a padded [T, B, I] batch is run as a packed one
whose batch size is B at every step, each step's input and output its own tensor. Must stay valid Python 3.6.
"""

import math
import numbers
import warnings

from ... import _core
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module


def _pt():
    import pyrustgrad
    return pyrustgrad


def _empty(shape, dtype):
    return _core.full(list(shape), 0.0, _pt().get_default_dtype() if dtype is None else dtype, False)


def _gates(t, n):
    # t.chunk(n, -1) for a last dimension divisible by n
    size = t.size(-1) // n
    return [t.narrow(-1, i * size, size) for i in range(n)]


def _rnn_tanh_cell(gi, h, w_hh, b_hh):
    return (gi + F.linear(h, w_hh, b_hh)).tanh()


def _rnn_relu_cell(gi, h, w_hh, b_hh):
    return (gi + F.linear(h, w_hh, b_hh)).relu()


def _gru_cell(gi, h, w_hh, b_hh):
    gh = F.linear(h, w_hh, b_hh)
    i_r, i_z, i_n = _gates(gi, 3)
    h_r, h_z, h_n = _gates(gh, 3)
    r = (i_r + h_r).sigmoid()
    z = (i_z + h_z).sigmoid()
    n = (i_n + r * h_n).tanh()
    return n + z * (h - n)


def _lstm_cell(gi, state, w_hh, b_hh, w_hr=None):
    h, c = state
    g = gi + F.linear(h, w_hh, b_hh)
    i, f, gg, o = _gates(g, 4)
    c = f.sigmoid() * c + i.sigmoid() * gg.tanh()
    h = o.sigmoid() * c.tanh()
    if w_hr is not None:
        h = F.linear(h, w_hr)
    return h, c


def _narrow_state(state, n):
    return tuple(s.narrow(0, 0, n) for s in state)


def _run_direction(cell, xs, batch_sizes, state0, w_ih, b_ih, weights, reverse):
    """One direction of one layer. xs[t] is the [batch_sizes[t], I] input of step t (batch sizes never grow);
    state0 is a tuple of [B, *] tensors. Returns (list of per-step outputs, final state tuple).
    Steps are kept as separate tensors (never slices of one big one): the gradient of a slice is a
    zero-filled tensor of the whole, which would make backward quadratic in the sequence length."""
    pt = _pt()
    outputs = [None] * len(batch_sizes)
    if not reverse:
        state, tails = state0, []
        for t, b in enumerate(batch_sizes):
            if b < state[0].size(0):  # sequences that ended keep their last state
                tails.append(tuple(s.narrow(0, b, s.size(0) - b) for s in state))
                state = _narrow_state(state, b)
            state = cell(F.linear(xs[t], w_ih, b_ih), state, *weights)
            outputs[t] = state[0]
        if tails:
            state = tuple(pt.cat([state[k]] + [tl[k] for tl in reversed(tails)], 0) for k in range(len(state)))
        return outputs, state
    state = _narrow_state(state0, batch_sizes[-1]) if batch_sizes else state0
    for t in range(len(batch_sizes) - 1, -1, -1):
        b = batch_sizes[t]
        cur = state[0].size(0)
        if b > cur:  # sequences that start here begin from their initial state
            state = tuple(pt.cat([s, s0.narrow(0, cur, b - cur)], 0) for s, s0 in zip(state, state0))
        state = cell(F.linear(xs[t], w_ih, b_ih), state, *weights)
        outputs[t] = state[0]
    return outputs, state


def _tuple_cell(fn):
    def cell(gi, state, w_hh, b_hh):
        return (fn(gi, state[0], w_hh, b_hh),)
    return cell


_CELLS = {"RNN_TANH": _tuple_cell(_rnn_tanh_cell), "RNN_RELU": _tuple_cell(_rnn_relu_cell),
          "GRU": _tuple_cell(_gru_cell), "LSTM": _lstm_cell}


class RNNBase(Module):
    """Shared constructor, parameters and forward of RNN, LSTM and GRU."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super(RNNBase, self).__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          "expects num_layers greater than 1, but got dropout=%s and num_layers=%s"
                          % (dropout, num_layers), stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError("bias should be of type bool, got: %s" % type(bias).__name__)
        if not isinstance(batch_first, bool):
            raise TypeError("batch_first should be of type bool, got: %s" % type(batch_first).__name__)
        if not isinstance(input_size, int):
            raise TypeError("input_size should be of type int, got: %s" % type(input_size).__name__)
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError("hidden_size should be of type int, got: %s" % type(hidden_size).__name__)
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        gates = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
        if mode not in gates:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = gates[mode] * hidden_size
        num_directions = 2 if bidirectional else 1
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                suffix = "_reverse" if direction == 1 else ""
                params = [("weight_ih", (gate_size, layer_input)), ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    params += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    params += [("weight_hr", (proj_size, hidden_size))]
                names = []
                for base, shape in params:
                    name = "%s_l%d%s" % (base, layer, suffix)
                    setattr(self, name, Parameter(_empty(shape, dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self):
        pass

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # ------------------------------------------------------------------ checks
    def check_input(self, input, batch_sizes):
        w = self._flat_weights[0]
        if input.dtype != w.dtype:
            raise ValueError("RNN input dtype (%s) does not match weight dtype (%s). Convert input: input.to(%s), "
                             "or convert model: model.to(%s)" % (input.dtype, w.dtype, w.dtype, input.dtype))
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError("input must have %d dimensions, got %d" % (expected, input.dim()))
        if self.input_size != input.size(-1):
            raise RuntimeError("input.size(-1) must be equal to input_size. Expected %d, got %d"
                               % (self.input_size, input.size(-1)))

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, size)

    def check_hidden_size(self, hx, expected_hidden_size, msg="Expected hidden size {}, got {}"):
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(tuple(expected_hidden_size), list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return hx.index_select(1, permutation)

    # ------------------------------------------------------------------ the recurrence
    def _run(self, xs, batch_sizes, state):
        """xs: list of per-step inputs [batch_sizes[t], I]; state: tuple of [L*D, B, *] tensors.
        Returns (list of per-step outputs [batch_sizes[t], D*H_out], tuple of final [L*D, B, *] states)."""
        pt = _pt()
        cell = _CELLS[self.mode]
        num_directions = 2 if self.bidirectional else 1
        finals = [[] for _ in state]
        for layer in range(self.num_layers):
            outs = []
            for direction in range(num_directions):
                idx = layer * num_directions + direction
                ws = [getattr(self, n) for n in self._all_weights[idx]]
                b_ih, b_hh = (ws[2], ws[3]) if self.bias else (None, None)
                extra = [ws[-1]] if self.proj_size > 0 else []
                s0 = tuple(s[idx] for s in state)
                steps, last = _run_direction(cell, xs, batch_sizes, s0, ws[0], b_ih, [ws[1], b_hh] + extra,
                                             direction == 1)
                outs.append(steps)
                for k, s in enumerate(last):
                    finals[k].append(s)
            xs = outs[0] if num_directions == 1 else [pt.cat(pair, 1) for pair in zip(*outs)]
            if self.dropout and self.training and layer < self.num_layers - 1:
                xs = [F.dropout(x, self.dropout, True) for x in xs]
        return xs, tuple(pt.stack(f, 0) for f in finals)

    def _forward(self, input, state):
        """The part shared by RNN, GRU and LSTM once hx is known (a tuple of [L*D, B, *])."""
        pt = _pt()
        if isinstance(input, PackedSequence):
            batch_sizes = [int(b) for b in input.batch_sizes.tolist()]
            xs, offset = [], 0
            for b in batch_sizes:
                xs.append(input.data.narrow(0, offset, b))
                offset += b
            outs, finals = self._run(xs, batch_sizes, state)
            out = pt.cat(outs, 0)
            return PackedSequence(out, input.batch_sizes, input.sorted_indices, input.unsorted_indices), finals
        x = input.transpose(0, 1) if self.batch_first else input
        steps, batch = x.size(0), x.size(1)
        outs, finals = self._run([x[t] for t in range(steps)], [batch] * steps, state)
        out = pt.stack(outs, 0)
        return (out.transpose(0, 1) if self.batch_first else out), finals

    def _zeros(self, batch, size, like):
        num_directions = 2 if self.bidirectional else 1
        return _pt().zeros(self.num_layers * num_directions, batch, size, dtype=like.dtype)

    def _simple_forward(self, name, input, hx):
        """RNN and GRU: a single hidden state."""
        orig = input
        if isinstance(orig, PackedSequence):
            data, batch_sizes, sorted_indices, unsorted_indices = orig
            if hx is None:
                hx = self._zeros(int(batch_sizes[0]), self.hidden_size, data)
            else:
                hx = self.permute_hidden(hx, sorted_indices)
            self.check_forward_args(data, hx, batch_sizes)
            out, (h,) = self._forward(orig, (hx,))
            return out, self.permute_hidden(h, unsorted_indices)
        if input.dim() not in (2, 3):
            raise ValueError("%s: Expected input to be 2D or 3D, got %dD %sinstead"
                             % (name, input.dim(), "tensor " if name == "RNN" else ""))
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)
            if hx is not None:
                if hx.dim() != 2:
                    raise RuntimeError("For unbatched 2-D input, hx should also be 2-D but got %d-D tensor" % hx.dim())
                hx = hx.unsqueeze(1)
        elif hx is not None and hx.dim() != 3:
            raise RuntimeError("For batched 3-D input, hx should also be 3-D but got %d-D tensor" % hx.dim())
        if hx is None:
            hx = self._zeros(input.size(batch_dim), self.hidden_size, input)
        self.check_forward_args(input, hx, None)
        out, (h,) = self._forward(input, (hx,))
        if not is_batched:
            out = out.squeeze(batch_dim)
            h = h.squeeze(1)
        return out, h


class RNN(RNNBase):
    """Elman RNN: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act tanh or relu."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError("Unknown nonlinearity '%s'. Select from 'tanh' or 'relu'." % self.nonlinearity)
        super(RNN, self).__init__(mode, *args, **kwargs)

    def forward(self, input, hx=None):
        return self._simple_forward("RNN", input, hx)


class GRU(RNNBase):
    """GRU with PyTorch's gates: r, z from sigmoid, n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),
    h' = (1 - z) * n + z * h."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super(GRU, self).__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        return self._simple_forward("GRU", input, hx)


class LSTM(RNNBase):
    """LSTM with gates i, f, g, o (in that order in the weights) and optional projection of h."""

    def __init__(self, *args, **kwargs):
        super(LSTM, self).__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, mini_batch, self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return hx[0].index_select(1, permutation), hx[1].index_select(1, permutation)

    def forward(self, input, hx=None):
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        orig = input
        if isinstance(orig, PackedSequence):
            data, batch_sizes, sorted_indices, unsorted_indices = orig
            if hx is None:
                batch = int(batch_sizes[0])
                hx = (self._zeros(batch, real_hidden, data), self._zeros(batch, self.hidden_size, data))
            else:
                hx = self.permute_hidden(hx, sorted_indices)
            self.check_forward_args(data, hx, batch_sizes)
            out, hidden = self._forward(orig, tuple(hx))
            return out, self.permute_hidden(hidden, unsorted_indices)
        if input.dim() not in (2, 3):
            raise ValueError("LSTM: Expected input to be 2D or 3D, got %dD instead" % input.dim())
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)
        batch = input.size(batch_dim)
        if hx is None:
            hx = (self._zeros(batch, real_hidden, input), self._zeros(batch, self.hidden_size, input))
        else:
            if is_batched:
                if hx[0].dim() != 3 or hx[1].dim() != 3:
                    raise RuntimeError("For batched 3-D input, hx and cx should also be 3-D but got (%d-D, %d-D) "
                                       "tensors" % (hx[0].dim(), hx[1].dim()))
            else:
                if hx[0].dim() != 2 or hx[1].dim() != 2:
                    raise RuntimeError("For unbatched 2-D input, hx and cx should also be 2-D but got (%d-D, %d-D) "
                                       "tensors" % (hx[0].dim(), hx[1].dim()))
                hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        self.check_forward_args(input, hx, None)
        out, (h, c) = self._forward(input, tuple(hx))
        if not is_batched:
            out = out.squeeze(batch_dim)
            h, c = h.squeeze(1), c.squeeze(1)
        return out, (h, c)


# ---------------------------------------------------------------------- cells
class RNNCellBase(Module):
    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super(RNNCellBase, self).__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(_empty((num_chunks * hidden_size, input_size), dtype))
        self.weight_hh = Parameter(_empty((num_chunks * hidden_size, hidden_size), dtype))
        if bias:
            self.bias_ih = Parameter(_empty((num_chunks * hidden_size,), dtype))
            self.bias_hh = Parameter(_empty((num_chunks * hidden_size,), dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _check_input(self, input):
        if input.size(1) != self.input_size:
            raise RuntimeError("input has inconsistent input_size: got %d expected %d"
                               % (input.size(1), self.input_size))

    def _check_hidden(self, input, hx, which="0"):
        if input.size(0) != hx.size(0):
            raise RuntimeError("Input batch size %d doesn't match hidden%s batch size %d"
                               % (input.size(0), which, hx.size(0)))
        if hx.size(1) != self.hidden_size:
            raise RuntimeError("hidden%s has inconsistent hidden_size: got %d, expected %d"
                               % (which, hx.size(1), self.hidden_size))

    def _batch(self, name, input, hx, label="hidden"):
        if input.dim() not in (1, 2):
            raise ValueError("%s: Expected input to be 1D or 2D, got %dD instead" % (name, input.dim()))
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError("%s: Expected %s to be 1D or 2D, got %dD instead" % (name, label, hx.dim()))
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = _pt().zeros(input.size(0), self.hidden_size, dtype=input.dtype)
        elif not is_batched:
            hx = hx.unsqueeze(0)
        return input, hx, is_batched


class RNNCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super(RNNCell, self).__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        input, hx, is_batched = self._batch("RNNCell", input, hx)
        self._check_input(input)
        self._check_hidden(input, hx)
        gi = F.linear(input, self.weight_ih, self.bias_ih)
        if self.nonlinearity == "tanh":
            h = _rnn_tanh_cell(gi, hx, self.weight_hh, self.bias_hh)
        elif self.nonlinearity == "relu":
            h = _rnn_relu_cell(gi, hx, self.weight_hh, self.bias_hh)
        else:
            raise RuntimeError("Unknown nonlinearity: %s" % self.nonlinearity)
        return h if is_batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super(LSTMCell, self).__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        if input.dim() not in (1, 2):
            raise ValueError("LSTMCell: Expected input to be 1D or 2D, got %dD instead" % input.dim())
        if hx is not None:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    raise ValueError("LSTMCell: Expected hx[%d] to be 1D or 2D, got %dD instead" % (idx, value.dim()))
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            z = _pt().zeros(input.size(0), self.hidden_size, dtype=input.dtype)
            hx = (z, z)
        else:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0)) if not is_batched else tuple(hx)
        self._check_input(input)
        self._check_hidden(input, hx[0], "0")
        self._check_hidden(input, hx[1], "1")
        gi = F.linear(input, self.weight_ih, self.bias_ih)
        h, c = _lstm_cell(gi, hx, self.weight_hh, self.bias_hh)
        if not is_batched:
            h, c = h.squeeze(0), c.squeeze(0)
        return h, c


class GRUCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super(GRUCell, self).__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        input, hx, is_batched = self._batch("GRUCell", input, hx)
        self._check_input(input)
        self._check_hidden(input, hx)
        gi = F.linear(input, self.weight_ih, self.bias_ih)
        h = _gru_cell(gi, hx, self.weight_hh, self.bias_hh)
        return h if is_batched else h.squeeze(0)
