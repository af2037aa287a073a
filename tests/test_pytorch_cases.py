"""Small programs run under pyrustgrad and compared with what PyTorch 2.15 gave for the same
source: values, dtypes, shapes, grad_fn names, gradients, and the exact type and message of
errors. Each case is Python source run with ``torch`` bound to the library; it sets ``out``
(a tensor, number, or a tuple/list of them).

tests/data/pytorch_cases_pytorch215.json is written by running this file with PyTorch:

    /opt/torch-venv/bin/python tests/test_pytorch_cases.py --record

Add a case, record again, and the test compares it. Must stay valid Python 3.6.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _pytorch_cases  # noqa: E402
from _pytorch_cases import _floats, case_tests, record  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "pytorch_cases_pytorch215.json")

SETUP = """
x = torch.tensor([[3.0, 1.0, 4.0, 1.5], [5.0, 9.0, 2.0, 6.0], [5.5, 3.5, 5.8, 9.7]], dtype=torch.float64, requires_grad=True)
w = torch.tensor([[0.5, -1.0, 2.0, 0.25], [1.5, 0.75, -0.5, 3.0], [-2.0, 1.25, 0.125, 1.0]], dtype=torch.float64)
i3 = torch.tensor([[2, 0, 1, 2], [0, 1, 2, 0]])
v = torch.tensor([2.0, float('nan'), -1.0, 2.0, 0.5, -3.0, 2.0], requires_grad=True)
"""

CASES = {
    # ---------------------------------------------------------------- gather / scatter
    "gather_dim0": "y = x.gather(0, i3); (y * w[:2]).sum().backward(); out = (y, x.grad)",
    "gather_dim1": "y = torch.gather(x, 1, torch.tensor([[3, 3], [0, 1], [2, 2]])); y.sum().backward(); out = (y, x.grad)",
    "gather_neg_dim": "out = x.detach().gather(-1, torch.tensor([[-1], [0], [-4]]))",
    "gather_small_index": "out = x.detach().gather(1, torch.tensor([[1]]))",
    "gather_0d": "out = torch.tensor(2.5).gather(0, torch.tensor(0))",
    "gather_grad_fn": "out = x.gather(0, i3).grad_fn.name()",
    "gather_err_dtype": "out = x.gather(0, i3.float())",
    "gather_err_bool": "out = x.gather(0, i3.bool())",
    "gather_err_oob": "out = x.gather(0, torch.tensor([[3, 0, 0, 0]]))",
    "gather_err_negoob": "out = x.gather(1, torch.tensor([[-5]]))",
    "gather_err_ndim": "out = x.gather(0, torch.tensor([0, 1]))",
    "gather_err_size": "out = x.gather(0, torch.tensor([[0, 0, 0, 0, 0]]))",
    "gather_err_dim": "out = x.gather(2, i3)",
    "gather_double_backward": (
        "y = (x.gather(1, torch.tensor([[0, 0], [1, 3], [2, 2]])) ** 2).sum();"
        "g, = torch.autograd.grad(y, x, create_graph=True); g.sum().backward(); out = (g, x.grad)"),
    "scatter_add": (
        "src = w.clone().requires_grad_(); z = torch.zeros(3, 4, dtype=torch.float64, requires_grad=True);"
        "y = z.scatter_add(0, i3, src[:2]); (y * torch.arange(12.).double().reshape(3, 4)).sum().backward();"
        "out = (y, z.grad, src.grad, y.grad_fn.name())"),
    "scatter_add_repeats": "out = torch.zeros(5).scatter_add(0, torch.tensor([1, 1, 3, 1]), torch.tensor([1., 2., 3., 4.]))",
    "scatter_add_int": "out = torch.zeros(2, 3, dtype=torch.int64).scatter_add(1, torch.tensor([[0, 0], [2, 1]]), torch.tensor([[7, 8], [9, 10]]))",
    "scatter_src": (
        "src = w.clone().requires_grad_(); y = x.scatter(1, torch.tensor([[0], [3], [1]]), src);"
        "(y * w).sum().backward(); out = (y, x.grad, src.grad, y.grad_fn.name())"),
    # PyTorch's formula gives src a gradient shaped as index: a larger src fails in backward.
    "scatter_src_larger_backward": "b = w.clone().requires_grad_(); x.scatter(1, torch.tensor([[2], [0], [1]]), b).sum().backward()",
    "scatter_value": "y = x.scatter(0, torch.tensor([[1, 0, 2, 1]]), 7.5); y.sum().backward(); out = (y, x.grad, y.grad_fn.name())",
    "scatter_value_int_into_float": "out = torch.zeros(2, 3).scatter(1, torch.tensor([[2], [0]]), 1)",
    "scatter_inplace_onehot": "out = torch.zeros(4, 5).scatter_(1, torch.tensor([[1], [4], [0], [1]]), 1.0)",
    "scatter_add_inplace": (
        "z = torch.zeros(2, 4, dtype=torch.float64); s = w[:2].clone().requires_grad_(); z.scatter_add_(1, i3, s);"
        "z.sum().backward(); out = (z, s.grad, z.grad_fn.name())"),
    "scatter_inplace_leaf_err": "out = x.scatter_(0, i3, 1.0)",
    "scatter_err_dtype": "out = torch.zeros(3).scatter(0, torch.tensor([1]), torch.tensor([1.0], dtype=torch.float64))",
    "scatter_err_src_size": "out = torch.zeros(3, 3).scatter(0, torch.tensor([[1, 2]]), torch.ones(1, 1))",
    "scatter_err_self_size": "out = torch.zeros(2, 2).scatter(0, torch.tensor([[1, 1, 1]]), torch.ones(3, 3))",
    "scatter_value_err_self_size": "out = torch.zeros(2, 2).scatter(0, torch.tensor([[1, 1, 1]]), 2.0)",
    "scatter_err_neg": "out = torch.zeros(3).scatter(0, torch.tensor([-1]), 2.0)",
    "scatter_add_err_ndim": "out = torch.zeros(3, 2).scatter_add(0, torch.tensor([1]), torch.ones(1))",
    "scatter_err_index_dtype": "out = torch.zeros(3).scatter_add(0, torch.tensor([1.0]), torch.ones(1))",
    "scatter_empty_index": "out = torch.ones(3).scatter(0, torch.zeros(0, dtype=torch.int64), torch.ones(0))",
    "gather_empty_index": "out = torch.ones(2, 3).gather(1, torch.zeros(2, 0, dtype=torch.int64))",
    "scatter_add_err_oob": "out = torch.zeros(3).scatter_add(0, torch.tensor([3]), torch.ones(1))",
    # ---------------------------------------------------------------- flip / cumsum
    "flip_0": "y = x.flip(0); (y * w).sum().backward(); out = (y, x.grad, y.grad_fn.name())",
    "flip_01": "out = torch.flip(x.detach(), [0, 1])",
    "flip_neg": "out = x.detach().flip(-1)",
    "flip_varargs": "out = x.detach().flip(1, 0)",
    "flip_kw": "out = torch.flip(x.detach(), dims=(1,))",
    "flip_view": "out = x.detach().t().flip(0)",
    "fliplr_flipud": "out = (x.detach().fliplr(), torch.flipud(x.detach()))",
    "flip_err_dup": "out = x.flip(0, 0)",
    "cumsum_1": "y = x.cumsum(1); (y * w).sum().backward(); out = (y, x.grad, y.grad_fn.name())",
    "cumsum_0": "out = torch.cumsum(x.detach(), dim=0)",
    "cumsum_int": "out = torch.tensor([[1, 2, 3], [4, 5, 6]]).cumsum(1)",
    "cumsum_bool": "out = torch.tensor([True, False, True]).cumsum(0)",
    "cumsum_dtype": "out = torch.tensor([1, 2, 3]).cumsum(0, dtype=torch.float32)",
    "cumsum_0d": "out = torch.tensor(3.0).cumsum(0)",
    "cumsum_double_backward": (
        "y = (x.cumsum(0) ** 2).sum(); g, = torch.autograd.grad(y, x, create_graph=True);"
        "g.sum().backward(); out = (g, x.grad)"),
    "cumsum_err_dim": "out = x.cumsum(2)",
    # ---------------------------------------------------------------- sort / topk / arg*
    "sort_1": "r = v.sort(); (r.values * torch.arange(7.)).sum().backward(); out = (r.values, r.indices, v.grad, r.values.grad_fn.name())",
    "sort_desc": "r = torch.sort(v.detach(), descending=True); out = (r[0], r[1])",
    "sort_2d_dim0": "r = x.detach().sort(0); out = (r.values, r.indices)",
    "sort_2d_desc": "r = x.detach().sort(dim=1, descending=True); out = tuple(r)",
    "sort_ties_stable": "r = torch.tensor([2, 1, 2, 1, 2, 0]).sort(stable=True); out = tuple(r)",
    "sort_ties_long_stable": "r = torch.tensor([(7 * i) % 5 for i in range(60)]).sort(descending=True, stable=True); out = tuple(r)",
    "sort_repr": "out = repr(torch.tensor([3., 1., 2.]).sort())",
    "sort_bool": "out = tuple(torch.tensor([True, False, True]).sort())",
    "sort_empty": "out = tuple(torch.zeros(0).sort())",
    "sort_0d": "out = tuple(torch.tensor(4.0).sort())",
    "argsort": "out = (v.argsort(), torch.argsort(x, dim=0, descending=True))",
    "topk_2": "r = x.topk(2); r.values.sum().backward(); out = (r.values, r.indices, x.grad, r.values.grad_fn.name())",
    "topk_smallest": "r = torch.topk(x.detach(), 2, dim=0, largest=False); out = tuple(r)",
    "topk_repr": "out = repr(torch.tensor([3., 1., 2.]).topk(2))",
    "topk_nan": "out = tuple(v.detach()[1:6].topk(3))",  # PyTorch leaves the order of ties unspecified
    "topk_err_k": "out = x.topk(5)",
    "topk_err_neg": "out = x.topk(-1)",
    "topk_0": "out = tuple(x.detach().topk(0))",
    "argmax_all": "out = (x.argmax(), x.argmin(), v.argmax(), v.argmin())",
    "argmax_dim": "out = (x.argmax(1), x.argmin(dim=0), torch.argmax(x, 0, keepdim=True), torch.argmin(x, dim=1, keepdim=True))",
    "argmax_ties": "out = (torch.tensor([1, 3, 3, 0]).argmax(), torch.tensor([[1, 1], [0, 0]]).argmin(1))",
    "argmax_keepdim_all": "out = x.argmax(keepdim=True)",
    "argmax_0d": "out = torch.tensor(2.0).argmax()",
    "argmax_err_empty": "out = torch.zeros(0).argmax()",
    "argmax_err_empty_dim": "out = torch.zeros(2, 0).argmax(1)",
    "argmax_empty_other_dim": "out = torch.zeros(0, 3).argmax(1)",
    "argmax_requires_grad": "out = x.argmax().requires_grad",
}


def _encode(obj):
    """A JSON-able description of a result (tensors by dtype, shape, values and grad_fn)."""
    mod = type(obj).__module__.split(".")[0]
    if hasattr(obj, "tolist") and hasattr(obj, "dtype") and mod in ("torch", "pyrustgrad"):
        fn = obj.grad_fn
        return {"tensor": _floats(obj.detach().tolist()), "dtype": str(obj.dtype).split(".")[-1],
                "shape": list(obj.shape), "grad_fn": None if fn is None else type(fn).__name__}
    if isinstance(obj, (tuple, list)):
        return {"seq": [_encode(o) for o in obj]}
    if isinstance(obj, float):
        return {"float": _floats(obj)}
    if isinstance(obj, str):
        return {"str": obj.replace("torch", "pyrustgrad")}
    return {"value": obj}


def run_case(torch, source):
    ns = {"torch": torch}
    exec(SETUP, ns)
    try:
        exec(source, ns)
    except Exception as e:  # the error is the result
        return {"error": type(e).__name__, "message": str(e).split("\n")[0]}
    return _encode(ns["out"])


def _close(a, b):
    return _pytorch_cases._close(a, b, rel_tol=1e-6, abs_tol=1e-6)


def _same(got, want):
    if set(got) != set(want):
        return False
    if "seq" in want:
        return len(got["seq"]) == len(want["seq"]) and all(_same(g, w) for g, w in zip(got["seq"], want["seq"]))
    if "tensor" in want:
        return (got["dtype"], got["shape"], got["grad_fn"]) == (want["dtype"], want["shape"], want["grad_fn"]) \
            and _close(got["tensor"], want["tensor"])
    if "float" in want:
        return _close(got["float"], want["float"])
    return got == want


test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, run=run_case, same=_same)


if __name__ == "__main__":
    record(CASES, DATA, None, __file__, seed=None, run=run_case)
