# The "Tensors" and "Automatic differentiation" tutorials' steps.
import numpy as np
import torch

data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
np_array = np.array(data)
x_np = torch.from_numpy(np_array)
x_ones = torch.ones_like(x_data)
x_rand = torch.rand_like(x_data, dtype=torch.float)
shape = (2, 3,)
rand_tensor = torch.rand(shape)
ones_tensor = torch.ones(shape)
zeros_tensor = torch.zeros(shape)
tensor = torch.rand(3, 4)
info = [str(tensor.shape), str(tensor.dtype), str(tensor.device)]
if torch.cuda.is_available():
    tensor = tensor.to("cuda")
tensor = torch.ones(4, 4)
first_row = tensor[0]
tensor[:, 1] = 0
t1 = torch.cat([tensor, tensor, tensor], dim=1)
y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
y3 = torch.rand_like(y1)
torch.matmul(tensor, tensor.T, out=y3)
z1 = tensor * tensor
z2 = tensor.mul(tensor)
z3 = torch.rand_like(tensor)
torch.mul(tensor, tensor, out=z3)
agg = tensor.sum()
agg_item = agg.item()
tensor.add_(5)
t = torch.ones(5)
n = t.numpy()
t.add_(1)
shared = n.tolist()
n2 = np.ones(5)
t2 = torch.from_numpy(n2)
np.add(n2, 1, out=n2)

x = torch.ones(5)
y = torch.zeros(3)
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
grad_fn_names = [type(z.grad_fn).__name__]
loss.backward()
grads_ok = w.grad.shape == w.shape and b.grad.shape == b.shape
with torch.no_grad():
    z = torch.matmul(x, w) + b
no_grad_req = z.requires_grad
z = torch.matmul(x, w) + b
z_det = z.detach()
inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
first_call = inp.grad.tolist()
out.backward(torch.ones_like(out), retain_graph=True)
second_call = inp.grad.tolist()
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
after_zero = inp.grad.tolist()
RESULT = {"x_data": x_data.tolist(), "x_np_dtype": str(x_np.dtype).split(".")[-1], "ones": x_ones.tolist(),
          "rand_dtype": str(x_rand.dtype).split(".")[-1], "info": [i.split(".")[-1] for i in info],
          "t1": list(t1.shape), "y": [y1.tolist(), y2.tolist(), y3.tolist()], "z": [z1.tolist(), z2.tolist(), z3.tolist()],
          "agg": agg_item, "tensor": tensor.tolist(), "shared": shared, "t2": t2.tolist(), "first_row": first_row.tolist(),
          "grad_fn": grad_fn_names, "grads_ok": grads_ok, "no_grad": no_grad_req, "det": z_det.requires_grad,
          "calls": [first_call, second_call, after_zero]}
