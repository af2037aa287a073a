"""Heavy calls (matmul forward, backward, autograd.grad) release the GIL: another Python
thread keeps running at its own speed while one long call runs. With the GIL held it does
not run at all during the call (measured: 0.0 of its speed; each call takes tens of
milliseconds, and Python's 5 ms switch interval only lets threads in between calls). Released,
it keeps ~0.9 of its speed on a quiet machine and ~0.5 with two other busy processes on two
cores, hence the bound of a quarter."""

import threading
import time

import pyrustgrad as torch


def _spin_rate_during(fn, seconds_alone=0.2):
    """(rate of a spinning thread while `fn` runs) / (its rate alone), in [0, ~1]."""
    count = [0]
    stop = [False]
    started = threading.Event()

    def spin():
        started.set()
        while not stop[0]:
            count[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    started.wait()
    c0, t0 = count[0], time.perf_counter()
    time.sleep(seconds_alone)  # the main thread sleeps: the spinner runs alone
    c1, t1 = count[0], time.perf_counter()
    fn()
    c2, t2 = count[0], time.perf_counter()
    stop[0] = True
    t.join()
    alone = (c1 - c0) / (t1 - t0)
    during = (c2 - c1) / (t2 - t1)
    return during / alone


def _with_one_kernel_thread(fn):
    # One core for the kernel, the other for the spinning thread.
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return fn()
    finally:
        torch.set_num_threads(n)


def test_matmul_forward_releases_the_gil():
    a, b = torch.randn(1600, 1600), torch.randn(1600, 1600)
    ratio = _with_one_kernel_thread(lambda: _spin_rate_during(lambda: a @ b))
    assert ratio > 0.25, "the other thread ran at %.0f%% of its speed during matmul" % (100 * ratio)


def test_backward_and_autograd_grad_release_the_gil():
    a = torch.randn(1300, 1300, requires_grad=True)
    b = torch.randn(1300, 1300, requires_grad=True)
    y = (a @ b).sum()
    ratio = _with_one_kernel_thread(lambda: _spin_rate_during(lambda: y.backward(retain_graph=True)))
    assert ratio > 0.25, "the other thread ran at %.0f%% of its speed during backward" % (100 * ratio)
    ratio = _with_one_kernel_thread(lambda: _spin_rate_during(lambda: torch.autograd.grad(y, [a, b], retain_graph=True)))
    assert ratio > 0.25, "the other thread ran at %.0f%% of its speed during autograd.grad" % (100 * ratio)


def test_python_hook_runs_while_engine_is_detached_from_the_gil():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()) or g * 3)
    (x * x).sum().backward()
    assert seen == [[2.0, 4.0]]
    assert x.grad.tolist() == [6.0, 12.0]
