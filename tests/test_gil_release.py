"""Heavy calls (matmul forward, backward, autograd.grad) release the GIL: another Python
thread keeps running while they work. With the GIL held it would run not at all."""

import threading

import pyrustgrad as torch


def _iterations_of_other_thread_during(fn):
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
    before = count[0]
    fn()
    after = count[0]
    stop[0] = True
    t.join()
    return after - before


def test_matmul_forward_releases_the_gil():
    a, b = torch.randn(1200, 1200), torch.randn(1200, 1200)
    assert _iterations_of_other_thread_during(lambda: [a @ b for _ in range(3)]) > 1000


def test_backward_and_autograd_grad_release_the_gil():
    a = torch.randn(1200, 1200, requires_grad=True)
    b = torch.randn(1200, 1200, requires_grad=True)
    y = (a @ b).sum()
    assert _iterations_of_other_thread_during(lambda: y.backward(retain_graph=True)) > 1000
    assert _iterations_of_other_thread_during(lambda: torch.autograd.grad(y, [a, b])) > 1000


def test_python_hook_runs_while_engine_is_detached_from_the_gil():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()) or g * 3)
    (x * x).sum().backward()
    assert seen == [[2.0, 4.0]]
    assert x.grad.tolist() == [6.0, 12.0]
