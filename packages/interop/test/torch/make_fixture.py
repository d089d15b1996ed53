"""Writes ../../fixtures/torch_state_names.json: for each layer configuration below, the names,
dtypes and shapes of its PyTorch state dict ('float32 [4, 5]'). test/torch_names.test.ts builds the same layers in
Axon and checks that toTorchStateDict gives exactly these (the name mapping of every layer).
Rerun after adding a case: /usr/bin/python3 make_fixture.py"""
import json
import os

import torch
from torch import nn

torch.manual_seed(0)
CASES = {
    "Linear": nn.Linear(5, 4),
    "Linear no bias": nn.Linear(5, 4, bias=False),
    "Conv2d": nn.Conv2d(3, 6, (2, 3), groups=3),
    "ConvTranspose2d": nn.ConvTranspose2d(3, 2, 3),
    "BatchNorm1d": nn.BatchNorm1d(5),
    "BatchNorm2d no affine": nn.BatchNorm2d(3, affine=False),
    "LayerNorm": nn.LayerNorm([3, 4]),
    "Embedding": nn.Embedding(7, 3),
    "RNN": nn.RNN(3, 4, num_layers=2, bidirectional=True),
    "LSTM": nn.LSTM(3, 4, num_layers=2, bidirectional=True),
    "GRU": nn.GRU(3, 4, num_layers=2, bias=False),
    "RNNCell": nn.RNNCell(3, 4),
    "LSTMCell": nn.LSTMCell(3, 4),
    "GRUCell": nn.GRUCell(3, 4),
    "MultiheadAttention": nn.MultiheadAttention(8, 2),
    "MultiheadAttention kdim vdim": nn.MultiheadAttention(8, 2, kdim=6, vdim=5),
    "Sequential": nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.BatchNorm1d(3), nn.Linear(3, 2)),
}

out = {
    case: {name: f"{str(t.dtype).replace('torch.', '')} {list(t.shape)}" for name, t in m.state_dict().items()}
    for case, m in CASES.items()
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "torch_state_names.json")
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")
print(f"wrote {os.path.normpath(path)}")
