"""Soak test of memory: RSS over 10,000 training steps of a small MLP in four variants
(plain backward, retain_graph, create_graph with a gradient penalty, and tensor hooks),
printed every 1,000 steps, with the growth from step 1,000 to the last (goal: <= 1%).

    .venv/bin/python benchmarks/soak.py [--steps 10000]
"""
import argparse
import gc
import sys

import pyrustgrad as torch


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def step_fn(variant):
    torch.manual_seed(0)
    w1 = torch.randn(32, 64, requires_grad=True)
    w2 = torch.randn(64, 1, requires_grad=True)
    x, y = torch.randn(16, 32), torch.randn(16, 1)
    seen = [0]

    def count(g):
        seen[0] += 1

    def step():
        h = (x @ w1).tanh()
        if variant == "hooks":
            h.register_hook(count)
        loss = ((h @ w2 - y) ** 2).mean()
        if variant == "create_graph":
            (g1,) = torch.autograd.grad(loss, [w1], create_graph=True)
            (loss + (g1 * g1).sum()).backward()
        elif variant == "retain_graph":
            loss.backward(retain_graph=True)
            loss.backward()
        else:
            loss.backward()
        with torch.no_grad():
            w1.sub_(w1.grad * 1e-4)
            w2.sub_(w2.grad * 1e-4)
        w1.grad = None
        w2.grad = None
    return step


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=10000)
    a = p.parse_args()
    worst = 0.0
    for variant in ["plain", "retain_graph", "create_graph", "hooks"]:
        step = step_fn(variant)
        marks = []
        for i in range(1, a.steps + 1):
            step()
            if i % 1000 == 0:
                gc.collect()
                marks.append(rss_kib())
        growth = 100.0 * (marks[-1] - marks[0]) / marks[0]
        worst = max(worst, growth)
        print("%-13s RSS KiB every 1000 steps: %s  growth %+.2f%%" % (variant, " ".join(str(m) for m in marks), growth))
    print("largest growth: %+.2f%% (goal <= 1%%)" % worst)
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
