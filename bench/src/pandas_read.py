"""Times pandas.read_csv on a bench input, as the JavaScript contenders are timed.

Usage: pandas_read.py FILE whole|chunks SPEC_JSON
SPEC_JSON: {"label": ..., "numeric": [...] or null, "categorical": ... or null, "categories": [...]}
A numeric file is read with every column float32; a mixed one with its numeric columns float32,
the categorical column as a pandas Categorical and only the columns a model uses. Each frame then
becomes a float32 feature matrix (missing values 0, the category one-hot) and a label vector.
`chunks` reads 100,000 rows at a time (chunksize). Prints one JSON line: numRows, seconds, peakRssMB.
"""
import json
import resource
import sys
import time

import numpy as np
import pandas as pd

CHUNK_ROWS = 100_000


def main() -> None:
    path, mode, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    label = spec["label"]
    start = time.perf_counter()
    if spec.get("numeric") is None:
        options = {"dtype": np.float32}

        def to_arrays(frame: pd.DataFrame) -> int:
            x = frame.drop(columns=[label]).to_numpy(dtype=np.float32)
            y = frame[label].to_numpy(dtype=np.float32)
            return len(x) if len(x) == len(y) else -1
    else:
        numeric, categorical = spec["numeric"], spec["categorical"]
        dtype = {column: np.float32 for column in numeric}
        dtype[categorical] = pd.CategoricalDtype(spec["categories"])
        dtype[label] = "category"
        options = {"dtype": dtype, "usecols": [*numeric, categorical, label]}

        def to_arrays(frame: pd.DataFrame) -> int:
            dense = frame[numeric].fillna(0).to_numpy(dtype=np.float32)
            one_hot = pd.get_dummies(frame[categorical]).to_numpy(dtype=np.float32)
            x = np.concatenate([dense, one_hot], axis=1)
            y = frame[label].cat.codes.to_numpy(dtype=np.float32)
            return len(x) if len(x) == len(y) else -1

    if mode == "whole":
        rows = to_arrays(pd.read_csv(path, **options))
    else:
        rows = sum(to_arrays(chunk) for chunk in pd.read_csv(path, chunksize=CHUNK_ROWS, **options))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"numRows": rows, "seconds": seconds, "peakRssMB": peak}))


if __name__ == "__main__":
    main()
