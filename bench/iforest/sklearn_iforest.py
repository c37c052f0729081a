#!/usr/bin/python3
"""scikit-learn's side of compare.sh: fit IsolationForest on the training
CSV, time batch and single-point scoring on the test CSV, compute ROC-AUC
of its scores and of ours (read from --ours), and print the figures as one
JSON object on stdout."""

import argparse
import json
import time

import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True, help="features, then the label 0/1")
    p.add_argument("--ours", required=True, help="our score per test row")
    p.add_argument("--trees", type=int, default=100)
    p.add_argument("--sample-size", type=int, default=256)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--single", type=int, default=300)
    a = p.parse_args()

    train = np.loadtxt(a.train, delimiter=",", ndmin=2)
    test = np.loadtxt(a.test, delimiter=",", ndmin=2)
    x, y = test[:, :-1], test[:, -1]
    ours = np.loadtxt(a.ours, delimiter=",")

    forest = IsolationForest(n_estimators=a.trees, max_samples=a.sample_size,
                             random_state=a.seed, n_jobs=1)
    start = time.perf_counter()
    forest.fit(train)
    fit_s = time.perf_counter() - start

    scores = -forest.score_samples(x)  # the paper's s(x) in [0, 1]
    reps, start = 0, time.perf_counter()
    while reps < 3 or time.perf_counter() - start < 1.0:
        forest.score_samples(x)
        reps += 1
    batch = reps * len(x) / (time.perf_counter() - start)

    lat = []
    for i in range(a.single):
        row = x[i % len(x)].reshape(1, -1)
        t0 = time.perf_counter()
        forest.score_samples(row)
        lat.append((time.perf_counter() - t0) * 1e6)

    print(json.dumps({
        "version": "sklearn " + sklearn.__version__,
        "fit_s": fit_s,
        "batch_points_per_s": batch,
        "single_us_mean": float(np.mean(lat)),
        "single_us_p50": float(np.median(lat)),
        "auc": roc_auc_score(y, scores),
        "ours_auc": roc_auc_score(y, ours),
    }))


if __name__ == "__main__":
    main()
