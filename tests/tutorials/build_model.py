# "Build the neural network": a Flatten + Linear/ReLU stack, softmax, argmax, model printing.
import torch
from torch import nn

device = "cuda" if torch.cuda.is_available() else "cpu"


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


model = NeuralNetwork().to(device)
print(model)
X = torch.rand(1, 28, 28, device=device)
logits = model(X)
pred_probab = nn.Softmax(dim=1)(logits)
y_pred = pred_probab.argmax(1)
print(f"Predicted class: {y_pred}")
input_image = torch.rand(3, 28, 28)
flat_image = nn.Flatten()(input_image)
layer1 = nn.Linear(in_features=28 * 28, out_features=20)
hidden1 = layer1(flat_image)
hidden1 = nn.ReLU()(hidden1)
seq_modules = nn.Sequential(nn.Flatten(), layer1, nn.ReLU(), nn.Linear(20, 10))
logits = seq_modules(input_image)
pred_probab = nn.Softmax(dim=1)(logits)
params = []
for name, param in model.named_parameters():
    print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")
    params.append((name, str(param.size()).replace("torch.", "").replace("pyrustgrad.", "")))
RESULT = {"repr": repr(model), "probab_sum": float(pred_probab.sum(1).sum().item()), "pred_shape": list(y_pred.shape),
          "flat": list(flat_image.shape), "hidden": list(hidden1.shape), "min_relu": float(hidden1.min().item()) >= 0,
          "params": params, "pred_dtype": str(y_pred.dtype).split(".")[-1]}
