"""Finite-difference checks of analytical gradients, like ``torch.autograd.gradcheck``."""

from .. import _core


class GradcheckError(RuntimeError):
    pass


def _flat_inputs(inputs):
    if isinstance(inputs, _core._TensorBase):
        return (inputs,)
    return tuple(inputs)


def _outputs(fn, inputs):
    out = fn(*inputs)
    if isinstance(out, _core._TensorBase):
        return (out,)
    return tuple(out)


def _numerical_jacobian(fn, inputs, wrt, eps):
    """Jacobian blocks d out / d inputs[wrt] by central differences, as nested lists."""
    import pyrustgrad as torch

    x = inputs[wrt]
    flat_vals = x.detach().reshape(-1).tolist()
    cols = []
    for k in range(len(flat_vals)):
        def run(delta):
            vals = list(flat_vals)
            vals[k] = vals[k] + delta
            # The perturbed input keeps requires_grad (as PyTorch's in-place perturbation
            # does), so functions that differentiate internally (gradgradcheck) still work.
            xk = torch.tensor(vals, dtype=x.dtype).reshape(x.shape).requires_grad_(x.requires_grad)
            args = list(inputs)
            args[wrt] = xk
            return [o.detach().reshape(-1).tolist() for o in _outputs(fn, args)]

        plus, minus = run(eps), run(-eps)
        cols.append([[(p - m) / (2 * eps) for p, m in zip(po, mo)] for po, mo in zip(plus, minus)])
    return cols  # cols[k][out_index][j]


def _analytical_jacobian(fn, inputs, wrt):
    import pyrustgrad as torch

    outs = _outputs(fn, inputs)
    x = inputs[wrt]
    rows = []  # rows[out_index][j] = flat gradient wrt x
    for o in outs:
        per_out = []
        n = o.numel()
        for j in range(n):
            if not o.requires_grad:
                per_out.append([0.0] * x.numel())
                continue
            g = torch.zeros(o.numel(), dtype=o.dtype)
            g[j] = 1.0
            (gx,) = torch.autograd.grad(o, x, g.reshape(o.shape), retain_graph=True, allow_unused=True)
            per_out.append([0.0] * x.numel() if gx is None else gx.reshape(-1).tolist())
        rows.append(per_out)
    return rows


def gradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **kwargs):
    """Checks the gradients of ``func`` at ``inputs`` against central finite differences.

    Inputs that require grad should be float64, as in PyTorch.
    """
    inputs = _flat_inputs(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, _core._TensorBase) or not x.requires_grad:
            continue
        if x.dtype != _core.float64:
            import warnings

            warnings.warn(
                "Input #%d requires gradient and is not a double precision floating point. "
                "This check will likely fail if all the inputs are not of double precision "
                "floating point." % i
            )
        numerical = _numerical_jacobian(func, inputs, i, eps)
        analytical = _analytical_jacobian(func, inputs, i)
        for k, col in enumerate(numerical):
            for oi, out_col in enumerate(col):
                for j, n_val in enumerate(out_col):
                    a_val = analytical[oi][j][k]
                    if not abs(a_val - n_val) <= atol + rtol * abs(n_val):
                        msg = (
                            "Jacobian mismatch for output %d with respect to input %d,\n"
                            "numerical:%r\nanalytical:%r\n(at output element %d, input element %d)"
                            % (oi, i, n_val, a_val, j, k)
                        )
                        if raise_exception:
                            raise GradcheckError(msg)
                        return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **kwargs):
    """Checks second-order gradients: gradcheck of the first-order gradient function."""
    import pyrustgrad as torch

    inputs = _flat_inputs(inputs)
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        torch.manual_seed(0)
        grad_outputs = tuple(torch.randn(o.shape, dtype=o.dtype, requires_grad=True) for o in outs)
    else:
        grad_outputs = _flat_inputs(grad_outputs)
    n_in = len(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, _core._TensorBase) and x.requires_grad]

    def first_order(*args):
        xs, gos = args[:n_in], args[n_in:]
        os = _outputs(func, xs)
        diff_in = [xs[i] for i in diff_idx]
        grads = torch.autograd.grad(os, diff_in, gos, create_graph=True, allow_unused=True)
        return tuple(torch.zeros_like(diff_in[k]) if g is None else g for k, g in enumerate(grads))

    return gradcheck(first_order, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
