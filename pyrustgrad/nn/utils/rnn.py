"""``nn.utils.rnn``: padding and packing variable-length sequences, as ``torch.nn.utils.rnn``.

A PackedSequence holds the time steps of a batch of sequences sorted by decreasing length, one
after another: ``data[offset(t) : offset(t) + batch_sizes[t]]`` are the rows alive at step t.
Everything here is built from differentiable tensor ops (narrow, cat, stack, index_select),
so gradients of any order flow through packing and padding. Must stay valid Python 3.6.
"""

import collections

from ... import _core


def _pt():
    import pyrustgrad
    return pyrustgrad


PackedSequence_ = collections.namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices",
                                                             "unsorted_indices"])


def invert_permutation(permutation):
    if permutation is None:
        return None
    pt = _pt()
    n = permutation.numel()
    return pt.zeros(n, dtype=permutation.dtype).scatter_(0, permutation, pt.arange(n))


class PackedSequence(PackedSequence_):
    """The time-major packed form of a batch of sequences (see the module docstring)."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super(PackedSequence, cls).__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self, *args, **kwargs):
        return self

    def double(self):
        return self.to(dtype=_core.float64)

    def float(self):
        return self.to(dtype=_core.float32)

    def long(self):
        return self.to(dtype=_core.int64)

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False


def _lengths_list(lengths):
    if isinstance(lengths, _core._TensorBase):
        return [int(v) for v in lengths.reshape(-1).tolist()]
    return [int(v) for v in lengths]


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Packs a padded batch ([T, B, *] or [B, T, *] with batch_first) of sequences of the given lengths."""
    pt = _pt()
    lengths = _lengths_list(lengths)
    sorted_indices = None
    if not enforce_sorted:
        order = sorted(range(len(lengths)), key=lambda i: -lengths[i])  # stable, as torch.sort on CPU
        sorted_indices = pt.tensor(order, dtype=pt.int64)
        lengths = [lengths[i] for i in order]
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)
    if input.dim() < 2:
        raise RuntimeError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    batch = input.size(1)
    if len(lengths) != batch:
        raise RuntimeError("Expected `len(lengths)` to be equal to batch_size, but got %d (batch_size=%d)"
                           % (len(lengths), batch))
    if batch and lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    for a, b in zip(lengths, lengths[1:]):
        if b > a:
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass "
                "`enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement "
                "if you do not need ONNX exportability.")
    if lengths and lengths[0] > input.size(0):
        raise RuntimeError("Expected sequence length to be larger than or equal to %d, but got %d"
                           % (lengths[0], input.size(0)))
    steps = lengths[0] if lengths else 0
    batch_sizes = [sum(1 for n in lengths if n > t) for t in range(steps)]
    data = pt.cat([input[t].narrow(0, 0, b) for t, b in enumerate(batch_sizes)], 0)
    return PackedSequence(data, pt.tensor(batch_sizes, dtype=pt.int64), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Inverse of pack_padded_sequence: returns (padded, lengths), lengths an int64 tensor in the caller's order."""
    pt = _pt()
    data = sequence.data
    batch_sizes = [int(b) for b in sequence.batch_sizes.tolist()]
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             "but got total_length=%s and max sequence length being %s" % (total_length, steps))
    else:
        total_length = steps
    batch = batch_sizes[0] if batch_sizes else 0
    trailing = list(data.shape[1:])
    rows, offset = [], 0
    for b in batch_sizes:
        piece = data.narrow(0, offset, b)
        offset += b
        if b < batch:
            piece = pt.cat([piece, pt.full([batch - b] + trailing, padding_value, dtype=data.dtype)], 0)
        rows.append(piece)
    for _ in range(total_length - steps):
        rows.append(pt.full([batch] + trailing, padding_value, dtype=data.dtype))
    padded = pt.stack(rows, 0)
    lengths = [sum(1 for b in batch_sizes if b > i) for i in range(batch)]
    unsorted = sequence.unsorted_indices
    if unsorted is not None:
        padded = padded.index_select(1, unsorted)
        lengths = [lengths[i] for i in unsorted.tolist()]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, pt.tensor(lengths, dtype=pt.int64)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stacks a list of [L_i, *] tensors into [max L, B, *] (or [B, max L, *]), padding with padding_value."""
    pt = _pt()
    if padding_side not in ("left", "right"):
        raise RuntimeError("Expected padding_side to be one of left or right, but got %s." % padding_side)
    if isinstance(sequences, _core._TensorBase):
        sequences = [sequences[i] for i in range(sequences.size(0))]
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    max_len = max(s.size(0) for s in sequences)
    trailing = list(sequences[0].shape[1:])
    rows = []
    for s in sequences:
        n = s.size(0)
        if n < max_len:
            fill = pt.full([max_len - n] + trailing, padding_value, dtype=s.dtype)
            s = pt.cat([s, fill] if padding_side == "right" else [fill, s], 0)
        rows.append(s)
    out = pt.stack(rows, 0)
    return out if batch_first else out.transpose(0, 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Splits a padded batch back into a list of unpadded sequences."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[i].narrow(0, 0, n) for i, n in enumerate(_lengths_list(lengths))]


def pack_sequence(sequences, enforce_sorted=True):
    """Packs a list of [L_i, *] tensors (sorted by decreasing length unless enforce_sorted=False)."""
    lengths = [s.size(0) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """Inverse of pack_sequence: the list of unpadded sequences."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
