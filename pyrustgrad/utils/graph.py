"""``pyrustgrad.utils.graph``: a picture of the autograd graph, with no Graphviz needed.

``to_dot(y, params=dict(model.named_parameters()))`` gives Graphviz DOT text in the style of
torchviz's ``make_dot``: one box per ``grad_fn`` node (its class name), leaf tensors as
light-blue boxes with their name from ``params`` and their shape, outputs as green boxes with
their shape, edges from inputs to the ops that use them. ``to_svg(...)`` lays the same graph
out in pure Python (layers by longest path from the leaves, then each node pulled down to just
above its first consumer, crossings reduced by barycentric
ordering, boxes sized to their text) and returns a standalone SVG document; ``save_svg(path,
...)`` writes it. The walk is iterative, so graphs of any depth work for ``to_dot``; ``to_svg``
refuses graphs above ``MAX_SVG_NODES`` with a clear error.

Saved tensors are not reachable from pyrustgrad's nodes, so ``show_saved`` is accepted and
draws nothing; ``show_attrs`` adds the node's ``metadata`` (when not empty).
Must stay valid Python 3.6.
"""

from xml.sax.saxutils import escape as _escape

MAX_SVG_NODES = 5000

__all__ = ["Graph", "to_dot", "to_svg", "save_svg", "MAX_SVG_NODES"]


def _size(t):
    return "(" + ", ".join("%d" % d for d in t.shape) + ")"


class Graph(object):
    """The graph of one or more tensors: ``nodes`` (id, label, kind) and ``edges`` (from, to),
    in a deterministic order (a breadth-first walk from the outputs)."""

    def __init__(self, var, params=None, show_attrs=False, show_saved=False, max_attr_chars=50):
        outputs = list(var) if isinstance(var, (tuple, list)) else [var]
        names = {}
        for name, p in (params or {}).items():
            names[id(p)] = name
        self.nodes = []   # (id, label, kind): kind is "output", "op", "leaf"
        self.edges = []
        ids = {}

        def node_id(key, label, kind):
            if key not in ids:
                ids[key] = "n%d" % len(ids)
                self.nodes.append((ids[key], label, kind))
            return ids[key]

        queue = []
        for out in outputs:
            oid = node_id(("tensor", id(out)), _size(out), "output")
            fn = out.grad_fn
            if fn is not None:
                self.edges.append((self._fn_id(fn, names, node_id, show_attrs, max_attr_chars), oid))
                queue.append(fn)
        seen = set()
        head = 0
        while head < len(queue):
            fn = queue[head]
            head += 1
            if id(fn) in seen:
                continue
            seen.add(id(fn))
            me = self._fn_id(fn, names, node_id, show_attrs, max_attr_chars)
            for nxt, _ in fn.next_functions:
                if nxt is None:
                    continue
                self.edges.append((self._fn_id(nxt, names, node_id, show_attrs, max_attr_chars), me))
                if id(nxt) not in seen:
                    queue.append(nxt)

    @staticmethod
    def _fn_id(fn, names, node_id, show_attrs, max_attr_chars):
        kind = type(fn).__name__
        var = getattr(fn, "variable", None) if kind == "AccumulateGrad" else None
        if var is not None:
            name = names.get(id(var), "")
            return node_id(("tensor", id(var)), (name + "\n " if name else "") + _size(var), "leaf")
        label = kind
        if show_attrs:
            meta = getattr(fn, "metadata", None)
            if meta:
                text = ", ".join("%s=%s" % (k, v) for k, v in sorted(meta.items()))
                label += "\n" + (text if len(text) <= max_attr_chars else text[:max_attr_chars - 3] + "...")
        return node_id(("fn", id(fn)), label, "op")


_FILL = {"output": "darkolivegreen1", "leaf": "lightblue", "op": "lightgray"}
_SVG_FILL = {"output": "#caff70", "leaf": "#add8e6", "op": "#d3d3d3"}


class Dot(object):
    """DOT text with ``.source``; ``_repr_svg_`` draws it (in notebooks) with ``to_svg``."""

    def __init__(self, graph):
        self.graph = graph
        lines = ["digraph {",
                 '\tgraph [size="12,12"]',
                 "\tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled]"]
        for nid, label, kind in graph.nodes:
            lines.append('\t%s [label="%s" fillcolor=%s]' % (nid, label.replace('"', '\\"').replace("\n", "\\n"),
                                                            _FILL[kind]))
        for a, b in graph.edges:
            lines.append("\t%s -> %s" % (a, b))
        lines.append("}")
        self.source = "\n".join(lines) + "\n"

    def __str__(self):
        return self.source

    def _repr_svg_(self):
        return _layout_svg(self.graph)

    def save(self, filename):
        with open(filename, "w") as f:
            f.write(self.source)
        return filename


def to_dot(var, params=None, show_attrs=False, show_saved=False, max_attr_chars=50):
    """The DOT picture of the graph behind ``var`` (a tensor or a sequence of them)."""
    return Dot(Graph(var, params, show_attrs, show_saved, max_attr_chars))


def to_svg(var, params=None, show_attrs=False, show_saved=False, max_attr_chars=50):
    """A standalone SVG document of the graph behind ``var``, laid out in pure Python."""
    return _layout_svg(Graph(var, params, show_attrs, show_saved, max_attr_chars))


def save_svg(path, var, params=None, **kwargs):
    with open(path, "w") as f:
        f.write(to_svg(var, params, **kwargs))
    return path


# ---------------------------------------------------------------- layout

_CHAR_W, _LINE_H, _PAD, _GAP_X, _GAP_Y = 7, 13, 8, 24, 46


def _layers(graph):
    """Layer of every node: 0 for nodes with no inputs, else 1 + the deepest input's layer
    (edges run from inputs to consumers, so every edge goes down at least one layer)."""
    ids = [n[0] for n in graph.nodes]
    preds = {i: [] for i in ids}
    succs = {i: [] for i in ids}
    indeg = {i: 0 for i in ids}
    for a, b in set(graph.edges):
        preds[b].append(a)
        succs[a].append(b)
        indeg[b] += 1
    layer = {i: 0 for i in ids}
    ready = [i for i in ids if indeg[i] == 0]
    topo = []
    while ready:
        i = ready.pop()
        topo.append(i)
        for j in succs[i]:
            layer[j] = max(layer[j], layer[i] + 1)
            indeg[j] -= 1
            if indeg[j] == 0:
                ready.append(j)
    # Then every node as low as its consumers allow (a bias sits just above its add).
    for i in reversed(topo):
        if succs[i]:
            layer[i] = min(layer[j] for j in succs[i]) - 1
    return layer, preds, succs


def _order(layer, preds, succs):
    depth = max(layer.values()) + 1 if layer else 0
    rows = [[] for _ in range(depth)]
    for i in sorted(layer, key=lambda k: int(k[1:])):
        rows[layer[i]].append(i)
    pos = {}
    for row in rows:
        for k, i in enumerate(row):
            pos[i] = k

    def sweep(rng, neigh):
        for r in rng:
            row = rows[r]
            bary = {}
            for k, i in enumerate(row):
                ns = [pos[j] for j in neigh[i]]
                bary[i] = sum(ns) / float(len(ns)) if ns else float(k)
            row.sort(key=lambda i: (bary[i], pos[i]))
            for k, i in enumerate(row):
                pos[i] = k

    for _ in range(4):
        sweep(range(1, depth), preds)
        sweep(range(depth - 2, -1, -1), succs)
    return rows


def _layout_svg(graph):
    n = len(graph.nodes)
    if n > MAX_SVG_NODES:
        raise ValueError("to_svg: the graph has %d nodes, more than MAX_SVG_NODES (%d); use to_dot and Graphviz, "
                         "or draw a smaller part" % (n, MAX_SVG_NODES))
    info = {nid: (label, kind) for nid, label, kind in graph.nodes}
    layer, preds, succs = _layers(graph)
    rows = _order(layer, preds, succs)
    size = {}
    for nid, (label, _) in info.items():
        lines = label.split("\n")
        size[nid] = (max(len(l) for l in lines) * _CHAR_W + 2 * _PAD, len(lines) * _LINE_H + _PAD)
    row_h = [max([size[i][1] for i in row] or [0]) for row in rows]
    widths = [sum(size[i][0] for i in row) + _GAP_X * max(len(row) - 1, 0) for row in rows]
    total_w = max(widths or [0]) + 2 * _GAP_X
    xy = {}
    y = _GAP_X
    for r, row in enumerate(rows):
        x = (total_w - widths[r]) / 2.0
        for i in row:
            w, h = size[i]
            xy[i] = (x, y + (row_h[r] - h) / 2.0)
            x += w + _GAP_X
        y += row_h[r] + _GAP_Y
    total_h = y - _GAP_Y + _GAP_X
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="monospace" font-size="11">' % (total_w, total_h, total_w, total_h),
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>']
    drawn = set()
    for a, b in graph.edges:
        if (a, b) in drawn:
            continue
        drawn.add((a, b))
        (xa, ya), (wa, ha) = xy[a], size[a]
        (xb, yb), (wb, hb) = xy[b], size[b]
        x1, y1, x2, y2 = xa + wa / 2.0, ya + ha, xb + wb / 2.0, yb
        mid = (y1 + y2) / 2.0
        out.append('<path class="edge" d="M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="none" stroke="#333" '
                   'marker-end="url(#arrow)"/>' % (x1, y1, x1, mid, x2, mid, x2, y2))
    for nid, label, kind in graph.nodes:
        x, y = xy[nid]
        w, h = size[nid]
        out.append('<g class="node" id="%s"><rect x="%.1f" y="%.1f" width="%d" height="%d" rx="3" fill="%s" '
                   'stroke="#333"/>' % (nid, x, y, w, h, _SVG_FILL[kind]))
        out.append('<text x="%.1f" y="%.1f">%s</text></g>' % (
            x + _PAD, y + _PAD / 2.0 + _LINE_H - 3,
            "".join('<tspan x="%.1f" dy="%d">%s</tspan>' % (x + _PAD, 0 if k == 0 else _LINE_H, _escape(l))
                    for k, l in enumerate(label.split("\n")))))
    out.append("</svg>")
    return "\n".join(out) + "\n"
