"""The two PyTorch models of the round trip, written to mirror the Axon ones in roundtrip.ts layer
for layer (same children, so the same state-dict names):

- cnn(): nn.Sequential(Conv2d(1, 4, 3, padding=1), BatchNorm2d(4), ReLU, MaxPool2d(2),
  Conv2d(4, 8, 3), ReLU, Flatten, Dropout(0.1), Linear(32, 3)) on [N, 1, 8, 8];
- Regressor: an LSTM (2 layers, batch first) and a Linear head on the last step, as Axon's
  rnnRegressor({cell: 'lstm', inputSize: 2, hiddenSize: 8, outputSize: 1, numLayers: 2})."""
import torch
from torch import nn


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Dropout(0.1),
        nn.Linear(32, 3),
    )


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(2, 8, num_layers=2, batch_first=True)
        self.head = nn.Linear(8, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


MODELS = {"cnn": cnn, "lstm": Regressor}
INPUTS = {"cnn": (1, 8, 8), "lstm": (6, 2)}


def batch(kind, n, generator):
    x = torch.randn((n,) + INPUTS[kind], generator=generator)
    if kind == "cnn":
        y = (x.mean(dim=(1, 2, 3)) > 0).long() + (x[:, 0, 0, 0] > 1).long()
    else:
        y = x[:, :, 0].sum(dim=1, keepdim=True) * 0.5
    return x, y
