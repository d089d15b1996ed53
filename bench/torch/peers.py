"""The PyTorch peer of `pnpm bench --peers` (see bench/src/torch_peer.ts).

One JSON object per line on stdin, one answer per line on stdout. The workloads are the bench's:
a square matmul, and the training steps of the MNIST MLP, the small CNN and the char-LM LSTM,
with the inputs, batches and initial weights that the bench writes to files (raw little-endian
values). Every step is forward + cross-entropy + backward + Adam + loss.item(), timed here with
time.perf_counter, on one thread.

Requests:
  {"cmd": "setup", "id": ..., "case": "matmul" | "mlp" | "cnn" | "lstm", ...arrays and sizes}
  {"cmd": "run", "id": ...}             -> {"ms": <time of one run>, "loss": <loss or null>}
  {"cmd": "result", "id": ..., "out": path}   (matmul: the product, written as float32)
  {"cmd": "drop", "id": ...}
  {"cmd": "quit"}
"""

import json
import re
import sys
import time

try:
    import numpy as np
    import torch
    from torch import nn
except Exception as err:  # noqa: BLE001 - any failure means: no PyTorch column
    print(json.dumps({"error": f"import torch failed: {type(err).__name__}: {err}"}), flush=True)
    sys.exit(0)

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass


def blas_library():
    """Which BLAS the process loaded (torch's matmul runs on it; BLAS_INFO=generic is the system's
    libblas.so.3, which on Debian is the reference implementation unless OpenBLAS is installed)."""
    info = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    try:
        with open("/proc/self/maps") as maps:
            libs = sorted({line.split()[-1] for line in maps if "blas" in line.lower() or "mkl" in line.lower()})
    except OSError:
        libs = []
    return f"BLAS_INFO={info.group(1) if info else '?'}" + (f", loaded {', '.join(libs)}" if libs else "")


def load(spec, dtype=None):
    arr = np.fromfile(spec["path"], dtype=np.dtype(spec["dtype"]).newbyteorder("<")).reshape(spec["shape"])
    t = torch.from_numpy(arr.astype(arr.dtype.newbyteorder("="), copy=True))
    return t.to(dtype) if dtype is not None else t


class MatMul:
    def __init__(self, req):
        self.a = load(req["a"])
        self.b = load(req["b"])

    def run(self):
        t0 = time.perf_counter()
        c = self.a @ self.b
        ms = (time.perf_counter() - t0) * 1e3
        del c
        return ms, None

    def result(self):
        return self.a @ self.b


class Flatten(nn.Module):
    def forward(self, x):
        return x.reshape(x.shape[0], -1)


class CharLstm(nn.Module):
    """nn.LSTM (seq-first) and a linear head applied at every step; names as the bench's."""

    def __init__(self, vocab, hidden):
        super().__init__()
        self.lstm = nn.LSTM(vocab, hidden)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out.reshape(-1, out.shape[-1]))


class TrainStep:
    def __init__(self, req):
        case = req["case"]
        if case == "mlp":
            sizes = req["sizes"]  # [784, 128, 10]
            self.model = nn.Sequential(nn.Linear(sizes[0], sizes[1]), nn.ReLU(), nn.Linear(sizes[1], sizes[2]))
        elif case == "cnn":
            self.model = nn.Sequential(
                nn.Conv2d(1, 8, 5),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Conv2d(8, 16, 5),
                nn.ReLU(),
                nn.MaxPool2d(2),
                Flatten(),
                nn.Linear(16 * 4 * 4, 10),
            )
        elif case == "lstm":
            self.model = CharLstm(req["vocab"], req["hidden"])
        else:
            raise ValueError(f"unknown case {case}")
        state = {name: load(spec) for name, spec in req["params"].items()}
        own = self.model.state_dict()
        if set(own) != set(state):
            raise ValueError(f"parameter names differ: torch {sorted(own)}, bench {sorted(state)}")
        self.model.load_state_dict(state)
        self.x = load(req["x"])  # [count, ...batch shape]
        self.y = load(req["y"], torch.int64)  # [count, ...]
        self.count = self.x.shape[0]
        self.step = 0
        self.loss = nn.CrossEntropyLoss()
        self.opt = torch.optim.Adam(self.model.parameters(), lr=req["lr"])

    def run(self):
        i = self.step % self.count
        self.step += 1
        x, y = self.x[i], self.y[i].reshape(-1)
        t0 = time.perf_counter()
        loss = self.loss(self.model(x), y)
        loss.backward()
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)
        value = loss.item()
        ms = (time.perf_counter() - t0) * 1e3
        return ms, value


def main():
    slots = {}
    hello = {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_library()}
    print(json.dumps(hello), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        cmd = req.get("cmd")
        try:
            if cmd == "quit":
                break
            if cmd == "setup":
                slots[req["id"]] = MatMul(req) if req["case"] == "matmul" else TrainStep(req)
                answer = {"ok": True}
            elif cmd == "run":
                ms, loss = slots[req["id"]].run()
                answer = {"ms": ms, "loss": loss}
            elif cmd == "result":
                out = slots[req["id"]].result()
                out.detach().numpy().astype("<f4").tofile(req["out"])
                answer = {"ok": True}
            elif cmd == "drop":
                slots.pop(req["id"], None)
                answer = {"ok": True}
            else:
                answer = {"error": f"unknown command {cmd}"}
        except Exception as err:  # noqa: BLE001 - reported to the bench, which skips the peer
            answer = {"error": f"{type(err).__name__}: {err}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
