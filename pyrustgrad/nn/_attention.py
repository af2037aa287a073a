"""Attention for ``nn.functional``: scaled_dot_product_attention and multi_head_attention_forward,
with PyTorch 2.15's semantics (masks, causal hint, scale, grouped-query attention, fully masked
rows giving zeros, messages). Plain differentiable tensor ops, so any gradient order works; no
Tensor methods are added here (chunk, masked_fill and tril are written as private helpers).
Must stay valid Python 3.6.
"""

import math
import warnings


def _pt():
    import pyrustgrad
    return pyrustgrad


def _is_float(t):
    return t.is_floating_point()


def _chunk(t, sizes, dim=0):
    out, start = [], 0
    for s in sizes:
        out.append(t.narrow(dim, start, s))
        start += s
    return out


def _causal(L, S):
    # ones(L, S).tril(0) as a bool mask: key j visible from query i when j <= i
    pt = _pt()
    return pt.arange(L).unsqueeze(1) >= pt.arange(S).unsqueeze(0)


def _bool_to_bias(mask, allowed, dtype):
    # a float bias: 0 where attention is allowed, -inf elsewhere
    pt = _pt()
    keep = mask if allowed else ~mask
    zero = pt.zeros(list(mask.shape), dtype=dtype)
    return pt.where(keep, zero, pt.full(list(mask.shape), float("-inf"), dtype=dtype))


def _repeat_heads(t, times):
    # t.repeat_interleave(times, dim=-3)
    if times == 1:
        return t
    shape = list(t.shape)
    e = t.unsqueeze(-3).expand(*(shape[:-2] + [times] + shape[-2:]))
    return e.reshape(*(shape[:-3] + [shape[-3] * times] + shape[-2:]))


def _safe_softmax(scores, bias):
    """softmax over the last dim; rows whose every score is -inf give zeros (not NaN), without NaN gradients."""
    pt = _pt()
    if bias is None:
        return scores.softmax(-1)
    dead = (scores.detach() == float("-inf")).all(-1, keepdim=True)
    if not bool(dead.any()):
        return scores.softmax(-1)
    zero = pt.zeros([1], dtype=scores.dtype)
    p = pt.where(dead, zero, scores).softmax(-1)
    return pt.where(dead, zero, p)


_C_TYPE = {"float32": "float", "float64": "double", "int64": "long int", "bool": "bool"}


def _c_type(dtype):
    # the C++ scalar-type names PyTorch's messages use
    name = str(dtype).split(".")[-1]
    return _C_TYPE.get(name, name)


def _check_sdpa_inputs(query, key, value, attn_mask):
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError("Expected query, key, and value to have the same dtype, but got query.dtype: %s key.dtype: "
                           "%s and value.dtype: %s instead." % (_c_type(query.dtype), _c_type(key.dtype),
                                                                _c_type(value.dtype)))
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError("Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: %d "
                           "key.dim: %d and value.dim: %d instead." % (query.dim(), key.dim(), value.dim()))
    if attn_mask is not None and not str(attn_mask.dtype).endswith("bool") and attn_mask.dtype != query.dtype \
            and not attn_mask.is_floating_point():
        raise RuntimeError("Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           "attn_mask.dtype: %s and  query.dtype: %s instead." % (_c_type(attn_mask.dtype),
                                                                                   _c_type(query.dtype)))
    batch = tuple(query.shape[:-2])
    if batch == tuple(key.shape[:-2]) == tuple(value.shape[:-2]):
        # PyTorch's math path multiplies [B, L, E] by [B, E, S] and then [B, S, Ev] as batched matrices
        b = 1
        for d in batch:
            b *= d
        if key.size(-1) != query.size(-1):
            raise RuntimeError("Expected size for first two dimensions of batch2 tensor to be: [%d, %d] but got: "
                               "[%d, %d]." % (b, query.size(-1), b, key.size(-1)))
        if value.size(-2) != key.size(-2):
            raise RuntimeError("Expected size for first two dimensions of batch2 tensor to be: [%d, %d] but got: "
                               "[%d, %d]." % (b, key.size(-2), b, value.size(-2)))


def _check_broadcast(a, b):
    # PyTorch adds the mask to 4-D scores, so its message counts dimensions as in 4-D
    nd = max(4, len(a), len(b))
    for i in range(1, min(len(a), len(b)) + 1):
        x, y = a[-i], b[-i]
        if x != y and x != 1 and y != 1:
            raise RuntimeError("The size of tensor a (%d) must match the size of tensor b (%d) at non-singleton "
                               "dimension %d" % (x, y, nd - i))


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """softmax(q k^T * scale + bias) v. A bool attn_mask marks the keys that take part (True); a float one is added."""
    from . import functional as F
    _check_sdpa_inputs(query, key, value, attn_mask)
    L, S = query.size(-2), key.size(-2)
    scale_factor = 1.0 / math.sqrt(query.size(-1)) if scale is None else float(scale)
    bias = None
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                               "is_causal=True")
        bias = _bool_to_bias(_causal(L, S), True, query.dtype)
    elif attn_mask is not None:
        if str(attn_mask.dtype).endswith("bool"):
            bias = _bool_to_bias(attn_mask, True, query.dtype)
        else:
            bias = attn_mask
    if enable_gqa and query.dim() >= 3 and key.dim() >= 3:
        hq, hk, hv = query.size(-3), key.size(-3), value.size(-3)
        if hq % hk != 0 or hq % hv != 0:
            raise RuntimeError("Number of heads in key and value must divide the number of heads in query")
        key = _repeat_heads(key, hq // hk)
        value = _repeat_heads(value, hq // hv)
    scores = query.matmul(key.transpose(-2, -1)) * scale_factor
    if bias is not None:
        _check_broadcast(scores.shape, bias.shape)
        scores = scores + bias
    weights = _safe_softmax(scores, bias)
    if dropout_p > 0.0:
        weights = F.dropout(weights, dropout_p, True)
    return weights.matmul(value)


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    if mask is None:
        return None
    is_bool = str(mask.dtype).endswith("bool")
    if not is_bool and not _is_float(mask):
        raise AssertionError("only bool and floating types of %s are supported" % mask_name)
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn("Support for mismatched %s and %s is deprecated. Use same type for both instead."
                      % (mask_name, other_name), stacklevel=3)
    if is_bool:
        return _bool_to_bias(mask, False, target_type)
    return mask


def _none_or_dtype(t):
    return None if t is None else t.dtype


def _shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D but found %d-D and "
                                 "%d-D tensors respectively" % (key.dim(), value.dim()))
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but found "
                                 "%d-D tensor instead" % key_padding_mask.dim())
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                                 "%d-D tensor instead" % attn_mask.dim())
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found %d-D "
                                 "and %d-D tensors respectively" % (key.dim(), value.dim()))
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but "
                                 "found %d-D tensor instead" % key_padding_mask.dim())
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                     "found %d-D tensor instead" % attn_mask.dim())
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError("Expected `attn_mask` shape to be %s but got %s" % (expected, attn_mask.shape))
        return False
    raise AssertionError("query should be unbatched 2D or batched 3D tensor but received %d-D query tensor"
                         % query.dim())


def _size_str(shape):
    return repr(_pt().Size([int(d) for d in shape]))


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """nn.MultiheadAttention's computation on sequence-first [L, N, E] (or unbatched [L, E]) inputs."""
    pt = _pt()
    from . import functional as F
    is_batched = _shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask",
                                       query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError("was expecting embedding dimension of %s, but got %s" % (embed_dim_to_check, embed_dim))
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError("embed_dim %s not divisible by num_heads %s" % (embed_dim, num_heads))
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError("key's sequence and batch dims %s do not match value's %s"
                                 % (_size_str(key.shape[:2]), _size_str(value.shape[:2])))
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError("key shape %s does not match value shape %s" % (_size_str(key.shape),
                                                                             _size_str(value.shape)))
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        w_q, w_k, w_v = _chunk(in_proj_weight, [embed_dim] * 3)
        b_q, b_k, b_v = _chunk(in_proj_bias, [embed_dim] * 3) if in_proj_bias is not None else (None, None, None)
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError("use_separate_proj_weight is True but %s_proj_weight is None" % name)
        w_q, w_k, w_v = q_proj_weight, k_proj_weight, v_proj_weight
        b_q, b_k, b_v = _chunk(in_proj_bias, [embed_dim] * 3) if in_proj_bias is not None else (None, None, None)
        for what, w, shape in (("query", w_q, (embed_dim, embed_dim)), ("key", w_k, (embed_dim, key.size(-1))),
                               ("value", w_v, (embed_dim, value.size(-1)))):
            if tuple(w.shape) != shape:
                raise AssertionError("expecting %s weights shape of %s, but got %s" % (what, shape, _size_str(w.shape)))
    q = F.linear(query, w_q, b_q)
    k = F.linear(key, w_k, b_k)
    v = F.linear(value, w_v, b_v)

    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError("The shape of the 2D attn_mask is %s, but should be %s."
                                   % (_size_str(attn_mask.shape), (tgt_len, src_len)))
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError("The shape of the 3D attn_mask is %s, but should be %s."
                                   % (_size_str(attn_mask.shape), (bsz * num_heads, tgt_len, src_len)))
        else:
            raise RuntimeError("attn_mask's dimension %d is not supported" % attn_mask.dim())

    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = pt.cat([k, bias_k.expand(1, bsz, embed_dim)])
        v = pt.cat([v, bias_v.expand(1, bsz, embed_dim)])
        if attn_mask is not None:
            attn_mask = F.pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = F.pad(key_padding_mask, (0, 1))
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_k is None else static_k
    v = v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_v is None else static_v
    if add_zero_attn:
        k = pt.cat([k, pt.zeros(bsz * num_heads, 1, head_dim, dtype=k.dtype)], 1)
        v = pt.cat([v, pt.zeros(bsz * num_heads, 1, head_dim, dtype=v.dtype)], 1)
        if attn_mask is not None:
            attn_mask = F.pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = F.pad(key_padding_mask, (0, 1))
    src_len = k.size(1)
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError("Expected key_padded_mask.shape[0] to be %d, but got %d"
                                 % (bsz, key_padding_mask.shape[0]))
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError("Expected key_padded_mask.shape[1] to be %d, but got %d"
                                 % (src_len, key_padding_mask.shape[1]))
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(bsz, num_heads, 1, src_len)
        kpm = kpm.reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0

    if need_weights:
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        scores = (q * math.sqrt(1.0 / float(head_dim))).matmul(k.transpose(-2, -1))
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = scores.softmax(-1)
        if dropout_p > 0.0:
            weights = F.dropout(weights, p=dropout_p)
        out = weights.matmul(v)
        out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = F.linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(1)
        if not is_batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights
    if attn_mask is not None:
        if attn_mask.size(0) == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = F.linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
    if not is_batched:
        out = out.squeeze(1)
    return out, None
