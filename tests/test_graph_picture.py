"""pyrustgrad.utils.graph: the DOT text of a graph (node labels, parameter names, shapes,
edges), and the pure-Python SVG layout (well-formed, one box per node, one path per edge,
every edge pointing down a layer). Must stay valid Python 3.6."""

import xml.etree.ElementTree as ET

import pytest

import pyrustgrad as torch
from pyrustgrad.utils import graph

SVG = "{http://www.w3.org/2000/svg}"


def _model_graph():
    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh())
    y = m(torch.randn(4, 3)).sum()
    return y, dict(m.named_parameters())


def test_dot_text_names_parameters_and_shapes():
    y, params = _model_graph()
    assert graph.to_dot(y, params=params).source == "\n".join([
        "digraph {",
        '\tgraph [size="12,12"]',
        "\tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled]",
        '\tn0 [label="()" fillcolor=darkolivegreen1]',
        '\tn1 [label="SumBackward0" fillcolor=lightgray]',
        '\tn2 [label="TanhBackward0" fillcolor=lightgray]',
        '\tn3 [label="AddmmBackward0" fillcolor=lightgray]',
        '\tn4 [label="0.bias\\n (2)" fillcolor=lightblue]',
        '\tn5 [label="TBackward0" fillcolor=lightgray]',
        '\tn6 [label="0.weight\\n (2, 3)" fillcolor=lightblue]',
        "\tn1 -> n0", "\tn2 -> n1", "\tn3 -> n2", "\tn4 -> n3", "\tn5 -> n3", "\tn6 -> n5",
        "}", ""])
    # Without names, leaves show their shape only.
    assert '[label="(2, 3)" fillcolor=lightblue]' in graph.to_dot(y).source


def test_shared_subexpressions_are_drawn_once_and_several_outputs_share_the_picture():
    x = torch.ones(2, requires_grad=True)
    a = x * 2
    y, z = a + a, a.exp()
    g = graph.Graph([y, z], params={"x": x})
    labels = [label for _, label, _ in g.nodes]
    assert labels.count("MulBackward0") == 1 and labels.count('x\n (2)') == 1
    assert [k for _, _, k in g.nodes].count("output") == 2
    mul = [i for i, label, _ in g.nodes if label == "MulBackward0"][0]
    add = [i for i, label, _ in g.nodes if label == "AddBackward0"][0]
    assert g.edges.count((mul, add)) == 2   # a + a: two edges, as the graph has two inputs


def test_attributes_and_a_graph_after_backward():
    x = torch.ones(3, requires_grad=True)
    y = (x * 3).sum()
    y.grad_fn.metadata["step"] = 7
    assert '"SumBackward0\\nstep=7"' in graph.to_dot(y, show_attrs=True, show_saved=True).source
    y.backward()
    assert "MulBackward0" in graph.to_dot(y).source


def test_svg_is_well_formed_with_a_box_per_node_and_edges_pointing_down():
    x = torch.randn(4, 3, requires_grad=True)
    y, params = _model_graph()
    y = y + (x * x).mean()
    g = graph.Graph(y, params)
    root = ET.fromstring(graph.to_svg(y, params).encode())
    nodes = root.findall(SVG + "g")
    assert len(nodes) == len(g.nodes)
    assert all(len(n.findall(SVG + "rect")) == 1 and len(n.findall(SVG + "text")) == 1 for n in nodes)
    boxes = {n.get("id"): n.find(SVG + "rect") for n in nodes}
    paths = [p for p in root.findall(SVG + "path") if p.get("class") == "edge"]
    assert len(paths) == len(set(g.edges))
    for p in paths:
        nums = [float(v) for v in p.get("d").replace("M", "").replace("C", " ").replace(",", " ").split()]
        assert nums[1] < nums[-1]   # from the bottom of the input to the top of its consumer
    # Each edge's end points are on its two boxes.
    tops = sorted(float(r.get("y")) for r in boxes.values())
    assert tops[0] >= 0 and float(root.get("height")) > tops[-1]


def test_a_deep_chain_needs_no_recursion_and_a_huge_svg_is_refused():
    x = torch.ones(1, requires_grad=True)
    y = x
    for _ in range(20000):
        y = y * 1.0
    assert graph.to_dot(y).source.count("MulBackward0") == 20000
    with pytest.raises(ValueError, match="more than MAX_SVG_NODES"):
        graph.to_svg(y)


def test_save_svg_writes_the_document(tmp_path):
    y, params = _model_graph()
    path = graph.save_svg(str(tmp_path / "g.svg"), y, params)
    with open(path) as f:
        assert f.read() == graph.to_svg(y, params)
