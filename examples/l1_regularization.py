"""L1 regularization with subgradients, as the seed note discusses.

|w| is not differentiable at 0; autograd uses the subgradient sign(w), which is 0 at 0
(PyTorch's convention). Minimises mean((X w - y)^2) + lam * sum(|w|) by subgradient descent
and shows that the L1 term drives the irrelevant weights to (near) zero.
"""
import pyrustgrad as torch

torch.manual_seed(0)
n, d = 200, 8
X = torch.randn(n, d)
true_w = torch.tensor([[3.0], [-2.0], [0.0], [0.0], [1.5], [0.0], [0.0], [0.0]])
y = X.mm(true_w) + 0.01 * torch.randn(n, 1)

# The subgradient at the kink: d|w|/dw at w = 0 is 0.
w0 = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
w0.abs().sum().backward()
print("d|w|/dw at w = [-1, 0, 2]:", w0.grad)

w = torch.zeros(d, 1, requires_grad=True)
lam, lr = 0.1, 0.05
for step in range(301):
    loss = ((X.mm(w) - y) ** 2).mean() + lam * w.abs().sum()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()
    if step % 100 == 0:
        print("step %3d  loss %.4f" % (step, loss.item()))

print("learned w:", [round(v, 2) for v in w.detach().reshape(-1).tolist()])
print("true w:   ", true_w.reshape(-1).tolist())
print("weights with |w| < 0.05:", sum(1 for v in w.detach().reshape(-1).tolist() if abs(v) < 0.05))
