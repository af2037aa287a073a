# PyTorch's older "Learning PyTorch with Examples" series: a two-layer ReLU network fitted to
# random data, written seven ways (tensors with a manual backward, autograd, a custom
# autograd.Function, nn with manual updates, optim.Adam, a custom Module with SGD, a dynamic
# net with weight sharing and SGD momentum). Seeded, with fewer iterations than the tutorial.
import random

import torch

dtype = torch.float
device = torch.device("cpu")
torch.manual_seed(0)
N, D_in, H, D_out = 64, 1000, 100, 10
x = torch.randn(N, D_in, device=device, dtype=dtype)
y = torch.randn(N, D_out, device=device, dtype=dtype)
first, final = [], []

# 1. tensors, backward by hand
w1 = torch.randn(D_in, H, device=device, dtype=dtype)
w2 = torch.randn(H, D_out, device=device, dtype=dtype)
learning_rate = 1e-6
for t in range(200):
    h = x.mm(w1)
    h_relu = h.clamp(min=0)
    y_pred = h_relu.mm(w2)
    loss = (y_pred - y).pow(2).sum().item()
    if t == 0:
        first.append(loss)
    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.t().mm(grad_y_pred)
    grad_h_relu = grad_y_pred.mm(w2.t())
    grad_h = grad_h_relu.clone()
    grad_h[h < 0] = 0
    grad_w1 = x.t().mm(grad_h)
    w1 -= learning_rate * grad_w1
    w2 -= learning_rate * grad_w2
final.append(loss)

# 2. autograd
w1 = torch.randn(D_in, H, device=device, dtype=dtype, requires_grad=True)
w2 = torch.randn(H, D_out, device=device, dtype=dtype, requires_grad=True)
for t in range(200):
    y_pred = x.mm(w1).clamp(min=0).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t == 0:
        first.append(loss.item())
    loss.backward()
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
final.append(loss.item())


# 3. a custom autograd Function
class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


w1 = torch.randn(D_in, H, device=device, dtype=dtype, requires_grad=True)
w2 = torch.randn(H, D_out, device=device, dtype=dtype, requires_grad=True)
for t in range(200):
    relu = MyReLU.apply
    y_pred = relu(x.mm(w1)).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t == 0:
        first.append(loss.item())
    loss.backward()
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
final.append(loss.item())

# 4. nn, parameters updated by hand
model = torch.nn.Sequential(torch.nn.Linear(D_in, H), torch.nn.ReLU(), torch.nn.Linear(H, D_out))
loss_fn = torch.nn.MSELoss(reduction='sum')
learning_rate = 1e-4
for t in range(200):
    y_pred = model(x)
    loss = loss_fn(y_pred, y)
    if t == 0:
        first.append(loss.item())
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad
final.append(loss.item())
model_repr = repr(model)

# 5. optim.Adam
model = torch.nn.Sequential(torch.nn.Linear(D_in, H), torch.nn.ReLU(), torch.nn.Linear(H, D_out))
optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
for t in range(200):
    loss = loss_fn(model(x), y)
    if t == 0:
        first.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
final.append(loss.item())


# 6. a custom Module
class TwoLayerNet(torch.nn.Module):
    def __init__(self, D_in, H, D_out):
        super(TwoLayerNet, self).__init__()
        self.linear1 = torch.nn.Linear(D_in, H)
        self.linear2 = torch.nn.Linear(H, D_out)

    def forward(self, x):
        h_relu = self.linear1(x).clamp(min=0)
        return self.linear2(h_relu)


model = TwoLayerNet(D_in, H, D_out)
criterion = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=1e-4)
for t in range(200):
    loss = criterion(model(x), y)
    if t == 0:
        first.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
final.append(loss.item())
custom_repr = repr(model)


# 7. a dynamic net: the middle layer reused a random number of times
class DynamicNet(torch.nn.Module):
    def __init__(self, D_in, H, D_out):
        super(DynamicNet, self).__init__()
        self.input_linear = torch.nn.Linear(D_in, H)
        self.middle_linear = torch.nn.Linear(H, H)
        self.output_linear = torch.nn.Linear(H, D_out)

    def forward(self, x):
        h_relu = self.input_linear(x).clamp(min=0)
        for _ in range(random.randint(0, 3)):
            h_relu = self.middle_linear(h_relu).clamp(min=0)
        return self.output_linear(h_relu)


random.seed(0)
model = DynamicNet(D_in, H, D_out)
optimizer = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)
for t in range(100):
    loss = criterion(model(x), y)
    if t == 0:
        first.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
final.append(loss.item())

RESULT = {"tln_first_losses": first, "tln_model": model_repr, "tln_custom": custom_repr,
          "tln_names": [n for n, _ in model.named_parameters()]}
for i, v in enumerate(final):
    RESULT["tln_final_%d" % (i + 1)] = v
