"""Pictures of autograd graphs with no Graphviz: the seed note's computation and a small MLP,
written as SVG (and DOT) files into a folder.

    python examples/graph_demo.py [OUTDIR]      # default: ./graphs
"""

import os
import sys

import pyrustgrad as torch
from pyrustgrad.utils import graph


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    x = torch.randn(10, 5, requires_grad=True)
    w = torch.randn(5, 6, requires_grad=True)
    y = x.mm(w).sum()
    graph.save_svg(os.path.join(outdir, "seed.svg"), y, params={"x": x, "w": w})

    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    loss = torch.nn.functional.mse_loss(model(torch.randn(16, 4)), torch.randn(16, 1))
    params = dict(model.named_parameters())
    graph.save_svg(os.path.join(outdir, "mlp.svg"), loss, params)
    graph.to_dot(loss, params).save(os.path.join(outdir, "mlp.dot"))
    for name in ("seed.svg", "mlp.svg", "mlp.dot"):
        print("wrote", os.path.join(outdir, name))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "graphs")
