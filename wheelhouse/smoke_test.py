"""pyrustgrad smoke test, run by install.sh after an offline install.

    python smoke_test.py                 backward pass + NumPy interop (the default)
    python smoke_test.py --import-only   only imports pyrustgrad (for developing the
                                         install machinery before the tensor API exists)
    python smoke_test.py --no-numpy      skips the NumPy steps (a wheelhouse made with
                                         build-wheelhouse --no-numpy)

Prints one line per step and exits 1 naming the first step that fails.
Written for Python 3.6 and later.
"""
import sys


class SmokeFailure(Exception):
    pass


def step(name, func):
    try:
        detail = func()
    except SmokeFailure:
        raise
    except Exception as e:  # the message names the step, the exception and its text
        raise SmokeFailure("%s: %s: %s" % (name, type(e).__name__, e))
    print("smoke: ok   %s%s" % (name, " (%s)" % detail if detail else ""))


def expect(what, got, want):
    if got != want:
        raise SmokeFailure("%s: got %r, expected %r" % (what, got, want))


def main(argv):
    import_only = "--import-only" in argv
    state = {}

    def do_import():
        import pyrustgrad
        state["torch"] = pyrustgrad
        return "pyrustgrad %s, Python %s" % (
            getattr(pyrustgrad, "__version__", "?"), sys.version.split()[0])

    step("import pyrustgrad", do_import)
    if import_only:
        print("smoke: PASSED (import only; the backward and NumPy steps were skipped)")
        return 0
    torch = state["torch"]

    def do_backward():
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (x * x).sum()
        y.backward()
        expect("x.grad.tolist()", x.grad.tolist(), [2.0, 4.0, 6.0])
        state["x"] = x

    step("backward of (x * x).sum()", do_backward)
    if "--no-numpy" in argv:
        print("smoke: PASSED (NumPy interop skipped: this wheelhouse has no NumPy)")
        return 0

    def do_numpy_import():
        import numpy
        state["np"] = numpy
        return "numpy %s" % numpy.__version__

    step("import numpy", do_numpy_import)
    np = state["np"]

    def do_to_numpy():
        a = np.asarray(state["x"].detach())
        expect("np.asarray(x.detach()).tolist()", a.tolist(), [1.0, 2.0, 3.0])

    step("tensor -> numpy (__array_interface__)", do_to_numpy)

    def do_from_numpy():
        t = torch.from_numpy(np.ones(2))
        expect("torch.from_numpy(np.ones(2)).tolist()", t.tolist(), [1.0, 1.0])

    step("numpy -> tensor (from_numpy)", do_from_numpy)
    print("smoke: PASSED")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except SmokeFailure as e:
        print("smoke: FAILED %s" % e)
        sys.exit(1)
