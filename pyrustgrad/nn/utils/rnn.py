"""``nn.utils.rnn.pad_sequence``. Must stay valid Python 3.6."""


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    import pyrustgrad
    if padding_side not in ("left", "right"):
        raise ValueError("Expected padding_side to be one of left or right, but got %s." % padding_side)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    max_len = max(s.size(0) for s in sequences)
    trailing = list(sequences[0].shape[1:])
    out = pyrustgrad.full([len(sequences), max_len] + trailing, padding_value, dtype=sequences[0].dtype)
    for i, s in enumerate(sequences):
        n = s.size(0)
        if padding_side == "right":
            out[i, :n] = s
        else:
            out[i, max_len - n:] = s
    return out if batch_first else out.transpose(0, 1)
