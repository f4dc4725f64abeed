"""examples/torch_ddp.py: DistributedDataParallel with a string-defined
activation: 2 processes on this machine (gloo), an MLP on scikit-learn's
digits.

    ACTJIT_LIBRARY=build/libactjit.so PYTHONPATH=python \\
        python3 examples/torch_ddp.py [--epochs 20]
        [--activation "x*tanh(softplus(x))"] [--processes 2]

The parent builds the model, actjit.torch.Activation inside, and hands it
to torch.multiprocessing.spawn: each child unpickles it (the activation
pickles by source and is compiled again there).  Children inherit the
parent's environment (ACTJIT_LIBRARY, PYTHONPATH).  Each rank trains on its
DistributedSampler shard; DDP averages the gradients.  At the end the ranks
compare their parameters bit for bit (all_gather) and rank 0 measures test
accuracy.  The data split, the model (64-128-64-10) and the accuracy come
from torch_digits.py, which must sit beside this file.  The last line, printed once every process has finished:

    ddp: 2 processes finished, accuracy 0.9750, parameters identical ...

Exit status 1 if a process failed, the parameters differ across ranks,
or the accuracy is below 0.90.
"""
import argparse
import copy
import datetime
import os
import socket
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

import actjit
import actjit.torch as at
# the data split, the model and the accuracy of the one-process example
# beside this file (every rank computes the same split)
from torch_digits import MIN_ACCURACY, accuracy, digits, mlp


def free_port():
    """A TCP port free on 127.0.0.1 now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker(rank, world, model, args, results):
    torch.set_num_threads(1)
    # Tensors passed to spawn arrive in shared memory, the same storage in
    # every child: each rank takes its own copy before training.  (The
    # copy pickles the activation again, and compiles it again.)
    model = copy.deepcopy(model)
    dist.init_process_group("gloo", rank=rank, world_size=world,
                            timeout=datetime.timedelta(seconds=60))
    try:
        x_tr, y_tr, x_te, y_te = digits(args.seed)
        train = TensorDataset(x_tr, y_tr)
        sampler = DistributedSampler(train, num_replicas=world, rank=rank,
                                     shuffle=True, seed=args.seed)
        loader = DataLoader(train, batch_size=args.batch, sampler=sampler)
        ddp = DistributedDataParallel(model)
        opt = torch.optim.Adam(ddp.parameters(), lr=args.lr)
        loss_fn = torch.nn.CrossEntropyLoss()
        t0 = time.perf_counter()
        for epoch in range(args.epochs):
            sampler.set_epoch(epoch)
            ddp.train()
            for xb, yb in loader:
                opt.zero_grad()
                loss_fn(ddp(xb), yb).backward()
                opt.step()
        per_epoch = (time.perf_counter() - t0) / args.epochs

        # Every rank's parameters, flattened, gathered everywhere: they
        # must be the same to the bit.
        flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
        every = [torch.empty_like(flat) for _ in range(world)]
        dist.all_gather(every, flat)
        same = all(torch.equal(every[0], v) for v in every[1:])
        if rank == 0:
            acc = accuracy(model, x_te, y_te)
            print("ddp: rank 0: %d epochs, %.4f s/epoch, parameters %s "
                  "across %d ranks, test accuracy %.4f"
                  % (args.epochs, per_epoch,
                     "identical" if same else "DIFFERENT", world, acc),
                  flush=True)
            results.put((acc, per_epoch, same))
        if not same:
            raise RuntimeError("rank %d: parameters differ across ranks"
                               % rank)
    finally:
        dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--activation", default="x*tanh(softplus(x))",
                    metavar="SOURCE",
                    help="actjit source (default %(default)s)")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32,
                    help="minibatch per process (default %(default)s)")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.epochs < 1 or args.processes < 1:
        ap.error("--epochs and --processes must be at least 1")
    try:
        act = at.Activation(args.activation)
    except actjit.Error as e:
        ap.error("--activation: %s" % e)

    model = mlp(act, args.seed)
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(free_port())
    print("ddp: %d processes (gloo, 127.0.0.1:%s), 64-128-64-10 MLP with %r"
          % (args.processes, os.environ["MASTER_PORT"], act), flush=True)

    results = mp.get_context("spawn").SimpleQueue()
    t0 = time.perf_counter()
    try:
        mp.spawn(worker, args=(args.processes, model, args, results),
                 nprocs=args.processes, join=True)
    except Exception as e:  # a child raised or died: spawn has ended the rest
        print("ddp: FAIL: %s" % str(e).strip(), file=sys.stderr)
        return 1
    wall = time.perf_counter() - t0
    if results.empty():
        print("ddp: FAIL: rank 0 reported nothing", file=sys.stderr)
        return 1
    acc, per_epoch, same = results.get()
    if not same:
        print("ddp: FAIL: parameters differ across ranks", file=sys.stderr)
        return 1
    print("ddp: %d processes finished, accuracy %.4f, parameters identical "
          "(%.4f s/epoch, %.1f s in all)"
          % (args.processes, acc, per_epoch, wall))
    if acc < MIN_ACCURACY:
        print("ddp: FAIL: accuracy below %.2f" % MIN_ACCURACY, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
