"""One training epoch with pandas + PyTorch, the end-to-end contender of `stepwise train`.

Usage: torch_train.py FILE LABEL THREADS BATCH_SIZE

Reads the CSV with pandas.read_csv (float32 features), standardizes the features with the
training data's mean and std (as the trainer's default schema does), builds the trainer's default
MLP (16 → 64 relu → 32 relu → classes softmax, Glorot-uniform weights, zero biases), and trains
one epoch with Adam (learning rate 0.001) and a cross-entropy loss, batch BATCH_SIZE, over a
random permutation of the in-memory tensors. Prints one JSON line: rows, seconds from the first
import to the end and to the end of the first step, and the wall-clock time (Unix seconds) the
first step ended at, so the caller can measure it from the process's spawn. The caller times the
process as a whole.
"""

import time

START = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402


def main() -> None:
    path, label, threads, batch_size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    header = pd.read_csv(path, nrows=0).columns
    features = [c for c in header if c != label]
    frame = pd.read_csv(path, dtype={**{c: np.float32 for c in features}, label: np.int64})
    x = frame[features].to_numpy(dtype=np.float32)
    y = frame[label].to_numpy()
    del frame
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    std[std == 0] = 1
    x = (x - mean) / std
    classes, y = np.unique(y, return_inverse=True)
    xs = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    ys = torch.from_numpy(y.astype(np.int64))
    model = torch.nn.Sequential(
        torch.nn.Linear(len(features), 64),
        torch.nn.ReLU(),
        torch.nn.Linear(64, 32),
        torch.nn.ReLU(),
        torch.nn.Linear(32, len(classes)),
    )
    for layer in model:
        if isinstance(layer, torch.nn.Linear):
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = torch.nn.CrossEntropyLoss()
    order = torch.randperm(xs.shape[0])
    first_step = None
    first_step_at = None
    total = 0.0
    steps = 0
    for begin in range(0, xs.shape[0], batch_size):
        index = order[begin : begin + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(xs[index]), ys[index])
        loss.backward()
        optimizer.step()
        total += loss.item()
        steps += 1
        if first_step is None:
            first_step = time.perf_counter() - START
            first_step_at = time.time()
    seconds = time.perf_counter() - START
    print(
        json.dumps(
            {
                "numRows": int(xs.shape[0]),
                "seconds": seconds,
                "firstStepSeconds": first_step,
                "firstStepAtUnixSeconds": first_step_at,
                "loss": total / max(steps, 1),
                "threads": threads,
            }
        )
    )


main()
