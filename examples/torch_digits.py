"""examples/torch_digits.py: an MLP on scikit-learn's digits with a
string-defined activation, next to the same net with PyTorch's own.

    ACTJIT_LIBRARY=build/libactjit.so PYTHONPATH=python \\
        python3 examples/torch_digits.py [--epochs 30]
        [--activation "x*tanh(softplus(x))"] [--builtin Mish]

Both runs share everything but the activation: the seed (so the same
initial weights and the same minibatch order), the 80/20 split, the
standardized features, Adam.  Prints a table of test accuracy and mean
time per training epoch, then one line to check by machine:

    digits: actjit accuracy 0.975 time/epoch 0.050 s; builtin accuracy ...

Exit status 1 if actjit's test accuracy is below 0.90.  The digits (1797
8x8 images) ship with scikit-learn: nothing is downloaded.
"""
import argparse
import sys
import time

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import actjit
import actjit.torch as at

MIN_ACCURACY = 0.90


def digits(seed):
    """(x_train, y_train, x_test, y_test): an 80/20 stratified split,
    features standardized with the training set's mean and spread."""
    x, y = load_digits(return_X_y=True)
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=0.2, random_state=seed, stratify=y)
    scaler = StandardScaler().fit(x_tr)
    f32 = lambda a: torch.tensor(a, dtype=torch.float32)
    return (f32(scaler.transform(x_tr)), torch.tensor(y_tr),
            f32(scaler.transform(x_te)), torch.tensor(y_te))


def mlp(act, seed, hidden=(128, 64)):
    """64 -> hidden... -> 10, `act` after each hidden layer.  Seeded here,
    so two nets built with the same seed start from the same weights."""
    torch.manual_seed(seed)
    layers, width = [], 64
    for h in hidden:
        layers += [torch.nn.Linear(width, h), act]
        width = h
    return torch.nn.Sequential(*layers, torch.nn.Linear(width, 10))


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def train(model, data, epochs, seed, batch=32, lr=1e-3):
    """Minibatch Adam; returns (test accuracy, mean seconds per epoch)."""
    x_tr, y_tr, x_te, y_te = data
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    order = torch.Generator().manual_seed(seed)
    times = []
    for _ in range(epochs):
        model.train()
        t0 = time.perf_counter()
        perm = torch.randperm(len(x_tr), generator=order)
        for i in range(0, len(perm), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss_fn(model(x_tr[idx]), y_tr[idx]).backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    return accuracy(model, x_te, y_te), float(np.mean(times))


def positive(text):
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=positive, default=30)
    ap.add_argument("--activation", default="x*tanh(softplus(x))",
                    metavar="SOURCE",
                    help="actjit source (default %(default)s)")
    ap.add_argument("--builtin", default="Mish", metavar="NAME",
                    help="torch.nn module to compare (default %(default)s)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1,
                    help="torch.set_num_threads (default %(default)s)")
    args = ap.parse_args()
    builtin = getattr(torch.nn, args.builtin, None)
    if not (isinstance(builtin, type)
            and issubclass(builtin, torch.nn.Module)):
        ap.error("--builtin: torch.nn has no module %r" % args.builtin)
    try:
        mine = at.Activation(args.activation)
    except actjit.Error as e:
        ap.error("--activation: %s" % e)
    torch.set_num_threads(args.threads)

    data = digits(args.seed)
    acts = [("actjit", mine), ("builtin", builtin())]
    # How far apart the two functions are (0 when they are the same one).
    grid = torch.linspace(-8, 8, 1601)
    with torch.no_grad():
        gap = (acts[0][1](grid) - acts[1][1](grid)).abs().max().item()

    print("digits: %d train / %d test images, 64-128-64-10 MLP, %d epochs "
          "of Adam (batch 32), %d thread(s)"
          % (len(data[0]), len(data[2]), args.epochs, args.threads))
    print("max |actjit - builtin| on [-8, 8]: %.2g" % gap)
    width = max(len(repr(a)) for _, a in acts)
    print("%-8s %-*s %9s %12s" % ("run", width, "activation", "accuracy",
                                  "time/epoch"))
    results = {}
    for name, act in acts:
        acc, sec = train(mlp(act, args.seed), data, args.epochs, args.seed)
        results[name] = acc, sec
        print("%-8s %-*r %9.4f %10.4f s" % (name, width, act, acc, sec))
    print("digits: actjit accuracy %.4f time/epoch %.4f s; "
          "builtin accuracy %.4f time/epoch %.4f s"
          % (results["actjit"] + results["builtin"]))
    if results["actjit"][0] < MIN_ACCURACY:
        print("digits: FAIL: actjit accuracy below %.2f" % MIN_ACCURACY,
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
