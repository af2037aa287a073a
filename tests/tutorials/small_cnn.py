# "Training a classifier": the CIFAR-10 style CNN on random images and labels, SGD with
# momentum, torch.max(outputs, 1), a state_dict round trip into a fresh net.
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


torch.manual_seed(0)
net = Net()
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
inputs = torch.randn(16, 3, 32, 32)
labels = torch.randint(0, 10, (16,))
losses = []
for epoch in range(30):
    optimizer.zero_grad()
    outputs = net(inputs)
    loss = criterion(outputs, labels)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
print(f'first loss: {losses[0]:.3f} last loss: {losses[-1]:.3f}')
_, predicted = torch.max(net(inputs), 1)
correct = (predicted == labels).sum().item()
net2 = Net()
net2.load_state_dict(net.state_dict())
same = bool((net2(inputs) == net(inputs)).all())
RESULT = {"repr": repr(net), "learned": losses[-1] < 0.5 * losses[0], "predicted_shape": list(predicted.shape),
          "fits": correct >= 12, "same_after_load": same, "keys": list(net.state_dict().keys())}
