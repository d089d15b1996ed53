"""The PyTorch side of the round trip (driven by roundtrip.ts; run with Debian's python3-torch).

  roundtrip.py torch-to-axon DIR   train each model briefly in PyTorch; write DIR/torch_<kind>.safetensors
                                   (the state dict) and DIR/torch_<kind>_io.safetensors (input, output)
  roundtrip.py axon-to-torch DIR   load DIR/axon_<kind>.safetensors into the PyTorch model (strict) and
                                   check its output on DIR/axon_<kind>_io.safetensors' input; prints
                                   one JSON line of max |difference| per model, exits 1 above 1e-5
"""
import json
import os
import sys

import torch

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
from models import MODELS, batch  # noqa: E402

TOLERANCE = 1e-5


def train_in_torch(kind, directory):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    model = MODELS[kind]()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = torch.nn.CrossEntropyLoss() if kind == "cnn" else torch.nn.MSELoss()
    model.train()
    for _ in range(30):
        x, y = batch(kind, 16, gen)
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    model.eval()
    x, _ = batch(kind, 5, gen)
    with torch.no_grad():
        out = model(x)
    safetensors_io.save(os.path.join(directory, f"torch_{kind}.safetensors"), model.state_dict(), {"format": "pt"})
    safetensors_io.save(os.path.join(directory, f"torch_{kind}_io.safetensors"), {"input": x, "output": out})


def check_in_torch(kind, directory):
    model = MODELS[kind]()
    model.load_state_dict(safetensors_io.load(os.path.join(directory, f"axon_{kind}.safetensors")), strict=True)
    model.eval()
    io = safetensors_io.load(os.path.join(directory, f"axon_{kind}_io.safetensors"))
    with torch.no_grad():
        out = model(io["input"])
    return (out - io["output"]).abs().max().item()


def main():
    mode, directory = sys.argv[1], sys.argv[2]
    if mode == "torch-to-axon":
        for kind in MODELS:
            train_in_torch(kind, directory)
    elif mode == "axon-to-torch":
        diffs = {kind: check_in_torch(kind, directory) for kind in MODELS}
        print(json.dumps(diffs))
        sys.exit(0 if all(d <= TOLERANCE for d in diffs.values()) else 1)
    else:
        sys.exit(f"roundtrip.py: unknown mode {mode!r}")


if __name__ == "__main__":
    main()
