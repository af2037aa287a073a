"""One Python object per tensor and per graph node, as in PyTorch: identity, hashing, dict
keys, weakrefs, attributes, subclasses, pickle and deepcopy, and grad_fn classes with stable
next_functions, metadata and hooks. Expectations checked against PyTorch 2.15."""

import copy
import gc
import pickle
import re
import weakref

import pytest

import pyrustgrad as torch
from pyrustgrad.autograd.graph import Node


class MyTensor(torch.Tensor):
    pass


# ---------------------------------------------------------------- identity

def test_grad_is_the_same_object_across_accesses():
    x = torch.ones(2, requires_grad=True)
    (x * 3).sum().backward()
    assert x.grad is x.grad
    g = x.grad
    (x * 3).sum().backward()  # accumulates in place: still the same object
    assert x.grad is g and g.tolist() == [6.0, 6.0]


def test_hash_is_id_and_tensors_work_as_dict_keys_and_set_members():
    params = [torch.ones(2), torch.zeros(3), torch.ones(1)]
    state = {p: i for i, p in enumerate(params)}
    assert [state[p] for p in params] == [0, 1, 2]
    assert all(hash(p) == id(p) for p in params)
    assert len(set(params + params)) == 3


def test_attributes_set_on_a_tensor_persist():
    x = torch.ones(2, requires_grad=True)
    (x * 2).sum().backward()
    g = x.grad
    g.tag = "first"
    x.name = "weights"
    assert x.grad.tag == "first" and x.name == "weights"
    assert x.__dict__ == {"name": "weights"}


def test_an_object_lives_while_python_holds_it():
    # The tensor keeps a weak reference to its object: an attribute set on an object nobody
    # holds goes with it (PyTorch would keep it; a known difference, in the README).
    x = torch.ones(2, requires_grad=True)
    (x * 2).sum().backward()
    x.grad.tag = "lost"
    assert not hasattr(x.grad, "tag")


def test_weakrefs_to_tensors_die_with_the_tensor():
    t = torch.ones(3)
    r = weakref.ref(t)
    assert r() is t
    del t
    gc.collect()
    assert r() is None


def test_every_path_to_a_tensor_gives_its_object():
    x = torch.ones(2, requires_grad=True)
    s = (x * 2).sum()
    acc = s.grad_fn.next_functions[0][0].next_functions[0][0]
    assert acc.variable is x
    y = x * 1
    y.retain_grad()
    y.sum().backward()
    assert y.grad is y.grad


def test_object_and_tensor_are_freed_together():
    refs = [weakref.ref(torch.ones(2) * 2) for _ in range(100)]
    gc.collect()
    assert all(r() is None for r in refs)
    x = torch.ones(2, requires_grad=True)
    (x * 2).sum().backward()
    r = weakref.ref(x.grad)
    del x
    gc.collect()
    assert r() is None


def _rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    pytest.skip("no /proc/self/status")


def test_no_leak_over_100000_creations():
    def churn(n):
        for i in range(n):
            t = torch.ones(4) * i
            t.tag = i
            weakref.ref(t)
            _ = t.grad_fn

    churn(20000)  # warm up allocator pools
    gc.collect()
    before = _rss_kib()
    churn(100000)
    gc.collect()
    grown = _rss_kib() - before
    assert grown < 2048, "RSS grew by %d KiB over 100000 tensor objects" % grown


# ---------------------------------------------------------------- subclasses

def test_subclass_type_survives_as_subclass_and_requires_grad_():
    m = torch.ones(2).as_subclass(MyTensor)
    assert type(m) is MyTensor and isinstance(m, torch.Tensor)
    assert type(m.requires_grad_()) is MyTensor
    assert m.requires_grad_() is m


def test_as_subclass_stays_in_the_graph():
    a = torch.ones(2, requires_grad=True)
    b = a.as_subclass(MyTensor)
    assert b.grad_fn.name() == "AliasBackward0" and b.requires_grad and not b.is_leaf
    (b * 3).sum().backward()
    assert a.grad.tolist() == [3.0, 3.0]


def test_make_subclass_shares_data_and_sets_requires_grad():
    data = torch.zeros(2)
    p = torch.Tensor._make_subclass(MyTensor, data, True)
    assert type(p) is MyTensor and p.requires_grad and p.is_leaf
    with torch.no_grad():
        p.add_(1)
    assert data.tolist() == [1.0, 1.0]
    assert repr(p) == "MyTensor([1., 1.], requires_grad=True)"
    assert repr(torch.ones(2, 2).as_subclass(MyTensor)) == "MyTensor([[1., 1.],\n          [1., 1.]])"


def test_legacy_tensor_constructor():
    assert torch.Tensor([1, 2]).tolist() == [1.0, 2.0] and torch.Tensor([1, 2]).dtype == torch.float32
    assert torch.Tensor(2, 3).shape == (2, 3)
    assert torch.Tensor().shape == (0,)
    t = torch.ones(2)
    assert torch.Tensor(t) is t
    assert type(MyTensor([1.0])) is MyTensor


# ---------------------------------------------------------------- pickle and deepcopy

def test_pickle_round_trip_keeps_values_dtype_shape_strides_requires_grad_and_attributes():
    w = torch.ones(2, 3, dtype=torch.float64).requires_grad_()
    (w * 2).sum().backward()
    w.tag = "hello"
    p = pickle.loads(pickle.dumps(w))
    assert p.tolist() == w.tolist() and p.dtype == torch.float64 and p.shape == (2, 3)
    assert p.requires_grad and p.is_leaf and p.grad is None and p.tag == "hello"
    t = pickle.loads(pickle.dumps(torch.arange(6).reshape(2, 3).t()))
    assert t.stride() == (1, 3) and t.tolist() == [[0, 3], [1, 4], [2, 5]]
    assert pickle.loads(pickle.dumps(torch.tensor(True))).item() is True
    assert type(pickle.loads(pickle.dumps(torch.ones(1).as_subclass(MyTensor)))) is MyTensor
    assert pickle.loads(pickle.dumps(torch.float32)) is torch.float32


def test_pickle_of_non_leaf_keeps_data_and_requires_grad():
    y = torch.ones(2, requires_grad=True) * 2
    p = pickle.loads(pickle.dumps(y))
    assert p.tolist() == [2.0, 2.0] and p.requires_grad and p.is_leaf


def test_deepcopy_copies_values_grad_and_attributes():
    w = torch.ones(2, 3, requires_grad=True)
    (w * 2).sum().backward()
    w.tag = "hello"
    c = copy.deepcopy(w)
    assert c is not w and c.tolist() == w.tolist() and c.requires_grad
    assert c.grad.tolist() == w.grad.tolist() and c.grad is not w.grad
    assert c.tag == "hello"
    with torch.no_grad():
        c.add_(1)
    assert w.tolist() == [[1.0] * 3] * 2
    assert copy.deepcopy({"a": w, "b": w})["a"] is not w


def test_deepcopy_of_non_leaf_is_refused_as_pytorch():
    with pytest.raises(RuntimeError, match=r"^Only Tensors created explicitly by the user \(graph leaves\) support "
                                           r"the deepcopy protocol at the moment\."):
        copy.deepcopy(torch.ones(2, requires_grad=True) * 2)


def test_copy_copy_shares_memory_as_pytorch():
    t = torch.ones(3)
    c = copy.copy(t)
    c[0] = 5.0
    assert t.tolist() == [5.0, 1.0, 1.0] and c is not t


# ---------------------------------------------------------------- data assignment

def test_data_assignment_keeps_identity_grad_and_graph():
    a = torch.ones(4, requires_grad=True)
    y = (a * 2).sum()
    obj = a
    a.data = torch.zeros(5)
    assert a is obj and a.shape == (5,) and a.requires_grad
    y.backward()
    assert a.grad.tolist() == [2.0, 2.0, 2.0, 2.0]  # the graph was recorded for 4 elements


def test_data_assignment_swaps_storage_so_old_views_keep_old_values():
    a = torch.zeros(3)
    v = a[1:]
    a.data = torch.ones(3)
    assert a.tolist() == [1.0, 1.0, 1.0] and v.tolist() == [0.0, 0.0]


def test_inplace_operators_with_the_same_tensor_on_both_sides():
    x = torch.tensor([1.0, 2.0])
    y = x
    x += x
    assert x is y and x.tolist() == [2.0, 4.0]
    x -= y
    x *= x
    x /= torch.tensor([1.0, 2.0])
    assert x.tolist() == [0.0, 0.0]
    x.data = x
    assert x.tolist() == [0.0, 0.0]


# ---------------------------------------------------------------- grad_fn objects

GRAD_FN_CASES = [
    ("MulBackward0", lambda x, y: x * y),
    ("AddBackward0", lambda x, y: x + y),
    ("SubBackward0", lambda x, y: x - y),
    ("DivBackward0", lambda x, y: x / y),
    ("NegBackward0", lambda x, y: -x),
    ("PowBackward0", lambda x, y: x ** 2),
    ("PowBackward1", lambda x, y: x ** y),
    ("ExpBackward0", lambda x, y: x.exp()),
    ("LogBackward0", lambda x, y: x.log()),
    ("SqrtBackward0", lambda x, y: x.sqrt()),
    ("TanhBackward0", lambda x, y: x.tanh()),
    ("SigmoidBackward0", lambda x, y: x.sigmoid()),
    ("ReluBackward0", lambda x, y: x.relu()),
    ("AbsBackward0", lambda x, y: x.abs()),
    ("SumBackward0", lambda x, y: x.sum()),
    ("SumBackward1", lambda x, y: x.sum(0)),
    ("MeanBackward0", lambda x, y: x.mean()),
    ("MmBackward0", lambda x, y: x.mm(y.t())),
    ("TBackward0", lambda x, y: x.t()),
    ("ViewBackward0", lambda x, y: x.view(-1)),
    ("SelectBackward0", lambda x, y: x[0]),
    ("SliceBackward0", lambda x, y: x[:, 1:]),
    ("SoftmaxBackward0", lambda x, y: x.softmax(1)),
    ("MaximumBackward0", lambda x, y: x.maximum(y)),
    ("CatBackward0", lambda x, y: torch.cat([x, y])),
    ("IndexBackward0", lambda x, y: x[[0]]),
]


@pytest.mark.parametrize("name,fn", GRAD_FN_CASES, ids=[c[0] for c in GRAD_FN_CASES])
def test_grad_fn_is_an_instance_of_a_class_named_after_the_node(name, fn):
    x = torch.rand(2, 3, requires_grad=True)
    y = torch.rand(2, 3, requires_grad=True) + 0.5
    f = fn(x, y).grad_fn
    assert type(f).__name__ == name and f.name() == name
    assert isinstance(f, Node) and isinstance(f, torch.autograd.graph.Node)
    assert re.match(r"^<%s object at 0x[0-9a-f]+>$" % name, repr(f))
    assert type(fn(x, y).grad_fn) is type(f)  # one class per node kind


def test_accumulate_grad_node():
    x = torch.ones(2, requires_grad=True)
    acc = (x * 2).grad_fn.next_functions[0][0]
    assert type(acc).__name__ == "AccumulateGrad" and isinstance(acc, Node)
    assert acc.name() == "torch::autograd::AccumulateGrad"
    assert acc.variable is x and acc.next_functions == ()
    assert acc._sequence_nr() == 2 ** 64 - 1
    with pytest.raises(AttributeError, match="^'MulBackward0' object has no attribute 'variable'$"):
        (x * 2).grad_fn.variable


def test_next_functions_objects_are_stable_and_grad_fn_too():
    x = torch.ones(2, requires_grad=True)
    a = (x * 2).exp()
    assert a.grad_fn is a.grad_fn
    assert a.grad_fn.next_functions[0][0] is a.grad_fn.next_functions[0][0]
    assert (torch.ones(2) * x).grad_fn.next_functions[0] == (None, 0)


def test_node_metadata_lives_with_the_node():
    y = torch.ones(2, requires_grad=True) * 2
    y.grad_fn.metadata["k"] = 1
    gc.collect()
    assert y.grad_fn.metadata == {"k": 1}


def test_node_hooks_run_in_pytorchs_order_with_pytorchs_arguments():
    x = torch.ones(2, requires_grad=True)
    y = x * 3
    z = y.sum()
    acc = y.grad_fn.next_functions[0][0]
    seen = []
    acc.register_hook(lambda gi, go: seen.append(("acc post", gi, [g.tolist() for g in go])))
    acc.register_prehook(lambda go: seen.append(("acc pre", [g.tolist() for g in go])))
    y.grad_fn.register_hook(lambda gi, go: seen.append(("mul post", [g if g is None else g.tolist() for g in gi],
                                                         [g.tolist() for g in go])))
    y.grad_fn.register_prehook(lambda go: seen.append(("mul pre", [g.tolist() for g in go])))
    y.register_hook(lambda g: seen.append(("y tensor hook", g.tolist())))
    z.backward()
    assert seen == [
        ("y tensor hook", [1.0, 1.0]),
        ("mul pre", [[1.0, 1.0]]),
        ("mul post", [[3.0, 3.0], None], [[1.0, 1.0]]),
        ("acc pre", [[3.0, 3.0]]),
        ("acc post", (), [[3.0, 3.0]]),
    ]


def test_node_hooks_can_replace_gradients():
    x = torch.ones(2, requires_grad=True)
    y = x * 3
    y.grad_fn.register_hook(lambda gi, go: (gi[0] * 10, None))
    y.sum().backward()
    assert x.grad.tolist() == [30.0, 30.0]
    x.grad = None
    y = x * 3
    y.grad_fn.register_prehook(lambda go: (go[0] * 100,))
    y.sum().backward()
    assert x.grad.tolist() == [300.0, 300.0]


def test_node_hook_results_are_checked_as_pytorch():
    x = torch.ones(2, requires_grad=True)
    y = x * 3
    y.grad_fn.register_hook(lambda gi, go: 5)
    with pytest.raises(TypeError, match="^expected tuple, but hook returned 'int'$"):
        y.sum().backward()
    y = x * 3

    def wrong(gi, go):
        return (gi[0],)

    y.grad_fn.register_hook(wrong)
    with pytest.raises(RuntimeError, match=r"^hook 'wrong' has returned an incorrect number of values \(got 1, but "
                                           r"expected 2\)$"):
        y.sum().backward()


def test_removable_handles():
    x = torch.ones(2, requires_grad=True)
    y = x * 3
    seen = []
    h = y.grad_fn.register_hook(lambda gi, go: seen.append("post"))
    with y.grad_fn.register_prehook(lambda go: seen.append("pre")):
        pass  # removed when the block ends
    h2 = x.register_hook(lambda g: seen.append("leaf"))
    assert type(h).__name__ == "RemovableHandle" and isinstance(h.id, int)
    h.remove()
    h.remove()  # idempotent
    y.sum().backward(retain_graph=True)
    assert seen == ["leaf"]
    h2.remove()
    y.sum().backward()
    assert seen == ["leaf"]


def test_post_accumulate_grad_hook_sees_the_updated_grad():
    x = torch.ones(2, requires_grad=True)
    seen = []
    x.register_post_accumulate_grad_hook(lambda t: seen.append((t is x, t.grad.tolist())))
    (x * 2).sum().backward()
    (x * 2).sum().backward()
    assert seen == [(True, [2.0, 2.0]), (True, [4.0, 4.0])]
    with pytest.raises(RuntimeError, match="^post accumulate grad hooks cannot be registered on non-leaf tensors$"):
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)


def test_every_node_of_every_gradcheck_graph_has_its_own_class():
    # Walks the graphs of all the ops the gradient tests cover.
    from test_gradcheck import CASES

    kinds = set()
    for name, (fn, make) in sorted(CASES.items()):
        out = fn(*make())
        stack, seen = [out.grad_fn], set()
        while stack:
            node = stack.pop()
            if node is None or id(node) in seen:
                continue
            seen.add(id(node))
            assert isinstance(node, Node), name
            # PyTorch's C++ nodes outside its generated table give namespaced names.
            cpp = ("AccumulateGrad", "CopySlices", "NotImplemented", "DelayedError")
            expected = "torch::autograd::" + type(node).__name__ if type(node).__name__ in cpp else type(node).__name__
            assert node.name() == expected, name
            kinds.add(type(node).__name__)
            stack.extend(f for f, _ in node.next_functions)
    assert len(kinds) >= 40, sorted(kinds)
