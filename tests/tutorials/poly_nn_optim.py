# Parts 4-6: nn.Sequential with Flatten(0, 1), manual updates; then optim.RMSprop; then a
# custom Module and a dynamic net that reuses its parameters a random number of times.
import math
import random

import torch

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)
model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
loss_fn = torch.nn.MSELoss(reduction='sum')
learning_rate = 1e-6
for t in range(2000):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad
nn_loss = loss.item()
linear_layer = model[0]
print(f'Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + {linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3')

model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
for t in range(2000):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
rms_loss = loss.item()


class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    def string(self):
        return f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3'


class DynamicNet(Polynomial3):
    def __init__(self):
        super().__init__()
        self.e = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
        for exp in range(4, random.randint(4, 6)):
            y = y + self.e * x ** exp
        return y


poly = Polynomial3()
criterion = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(poly.parameters(), lr=1e-6)
for t in range(2000):
    loss = criterion(poly(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f'Result: {poly.string()}')
poly_loss = loss.item()

random.seed(0)
dyn = DynamicNet()
optimizer = torch.optim.SGD(dyn.parameters(), lr=1e-8, momentum=0.9)
for t in range(3000):
    loss = criterion(dyn(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
RESULT = {"xx_shape": list(xx.shape), "model": repr(model), "nn_loss": nn_loss, "rms_loss": rms_loss,
          "poly_loss": poly_loss, "dyn_finite": math.isfinite(loss.item()),
          "names": [n for n, _ in dyn.named_parameters()]}
