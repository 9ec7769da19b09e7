"""One recipe of `kindling train` trained with PyTorch on the CPU, on the very
images Kindling trained on, for `cargo xtask bench --real PATH --vs-pytorch`.

xtask loads the photo folder with Kindling's own loader and split (the seed
`kindling train` uses by default) and writes each pile here as raw bytes: no
image is decoded on this side, so both frameworks see identical pixels.

    DATA/meta.json                 class names, pile sizes, Kindling's normalisation
    DATA/{train,validation,test}.pixels   N x 3 x 32 x 32 bytes (colour planes)
    DATA/{train,validation,test}.labels   N bytes

What is the same as Kindling's recipe (crates/kindling-train, Burn 0.22.1):
- the layers: the baseline CNN (valid 3x3 convolutions) or the CNN with batch
  normalisation (padded 3x3 convolutions with bias, batch norm, ReLU, global
  average); PyTorch initialises the weights its own way;
- the optimizer: Adam, or AdamW when there is weight decay, with Burn's betas
  (0.9, 0.999) and epsilon (1e-5, added to the square root as PyTorch does;
  PyTorch's own default epsilon is 1e-8), decay on every parameter;
- the learning rate of every batch, from the same formula as schedule.rs;
- label smoothing (PyTorch's `label_smoothing` mixes the targets as Burn does);
- flip and crop: pad 4 black pixels (byte 0, before normalisation), take a
  random 32x32 window, then mirror half of the images;
- pixels / 255, minus Kindling's fitted mean, over its standard deviation;
- the shuffled batches, the last short one kept; validation after each epoch
  in evaluation mode, counted in that epoch's seconds as Kindling counts it.
What differs: PyTorch's own random draws (weights, order, augmentation), and
batch norm's running variance (PyTorch keeps the n-1 estimate, Burn the n one;
n is at least 16 pixels times the batch, so the two differ by under 0.1%).
Only the thread count is set (torch.set_num_threads); everything else is
PyTorch's default.

Prints one JSON line on standard output; progress goes to standard error.
Exits with status 3 and a message when torch cannot be imported.
"""

import argparse
import json
import math
import os
import resource
import sys
import time

# Burn's Adam and AdamW settings, as Kindling's FitConfig builds them.
BETAS = (0.9, 0.999)
EPSILON = 1e-5
# Kindling's evaluation batch size (kindling-train/src/evaluate.rs).
EVAL_BATCH_SIZE = 256
CROP_PAD = 4


def scheduled_rate(peak, epoch, batch, batches, epochs, decay, warmup_epochs):
    """The rate of batch `batch` (from 1) of `epoch` (from 1): the formula of
    kindling-train/src/schedule.rs, step for step."""
    batches = max(batches, 1)
    total = max(epochs, 1) * batches
    step = min((epoch - 1) * batches + batch, total)
    # Rust's f64::round rounds halves away from zero; Python's round() does not.
    warmup = min(math.floor(warmup_epochs * batches + 0.5), total)
    if step <= warmup:
        return peak * step / max(warmup, 1)
    left = (total - step) / max(total - warmup, 1)
    if decay == "cosine":
        return peak * 0.5 * (1.0 - math.cos(math.pi * left))
    return peak * left


def read_pile(folder, name, count):
    import torch

    with open(os.path.join(folder, name + ".pixels"), "rb") as file:
        pixels = torch.frombuffer(bytearray(file.read()), dtype=torch.uint8)
    with open(os.path.join(folder, name + ".labels"), "rb") as file:
        labels = torch.frombuffer(bytearray(file.read()), dtype=torch.uint8)
    if pixels.numel() != count * 3 * 32 * 32 or labels.numel() != count:
        raise SystemExit(f"{folder}: the {name} pile does not hold {count} images")
    return pixels.view(count, 3, 32, 32), labels.long()


def build_model(name, classes):
    from torch import nn

    if name == "baseline-cnn":
        # Conv32 - pool - Conv64 - pool - Conv64 - Dense64 - Dense, valid convolutions.
        return nn.Sequential(
            nn.Conv2d(3, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 64, 3), nn.ReLU(),
            nn.Flatten(),
            nn.Linear(64 * 4 * 4, 64), nn.ReLU(),
            nn.Linear(64, classes),
        )
    if name == "bn-cnn":
        layers = []
        # (in, out, pool after): kindling-models/src/bn_cnn.rs, widths 32, 64, 128.
        for inputs, outputs, pool in [
            (3, 32, True), (32, 64, True), (64, 64, False), (64, 128, True), (128, 128, False),
        ]:
            layers += [nn.Conv2d(inputs, outputs, 3, padding=1), nn.BatchNorm2d(outputs), nn.ReLU()]
            if pool:
                layers.append(nn.MaxPool2d(2))
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, classes)]
        return nn.Sequential(*layers)
    raise SystemExit(f"unknown model {name}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--model", required=True, choices=["baseline-cnn", "bn-cnn"])
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--batch-size", type=int, required=True)
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--schedule", default="constant", choices=["constant", "cosine", "one-cycle"])
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--augment", default="none", choices=["none", "flip,crop"])
    parser.add_argument("--label-smoothing", type=float, default=0.0)
    parser.add_argument("--weight-decay", type=float, default=0.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    started = time.perf_counter()
    try:
        import torch
        import torch.nn.functional as F
        from torch import nn
    except ImportError as error:
        print(f"torch cannot be imported: {error}", file=sys.stderr)
        sys.exit(3)
    import_seconds = time.perf_counter() - started

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)

    started = time.perf_counter()
    with open(os.path.join(args.data, "meta.json")) as file:
        meta = json.load(file)
    train_x, train_y = read_pile(args.data, "train", meta["train"])
    valid_x, valid_y = read_pile(args.data, "validation", meta["validation"])
    test_x, test_y = read_pile(args.data, "test", meta["test"])
    load_seconds = time.perf_counter() - started

    # Kindling normalises as pixel * (1 / (255 std)) - mean / std, in f32.
    std = torch.tensor(meta["std"], dtype=torch.float32)
    mean = torch.tensor(meta["mean"], dtype=torch.float32)
    scale = (1.0 / (255.0 * std)).view(1, 3, 1, 1)
    shift = (mean / std).view(1, 3, 1, 1)

    def normalise(pixels):
        return pixels.float() * scale - shift

    generator = torch.Generator().manual_seed(args.seed)
    offsets = torch.arange(32)

    def augment(pixels):
        # Crop first, then flip, as kindling-data/src/augment.rs does.
        count = pixels.shape[0]
        padded = F.pad(pixels, (CROP_PAD, CROP_PAD, CROP_PAD, CROP_PAD))
        x = torch.randint(0, 2 * CROP_PAD + 1, (count,), generator=generator)
        y = torch.randint(0, 2 * CROP_PAD + 1, (count,), generator=generator)
        rows = (y[:, None] + offsets)[:, None, :, None]
        columns = (x[:, None] + offsets)[:, None, None, :]
        window = padded[
            torch.arange(count)[:, None, None, None], torch.arange(3)[None, :, None, None], rows, columns
        ]
        flip = torch.rand(count, generator=generator) < 0.5
        return torch.where(flip[:, None, None, None], window.flip(3), window)

    model = build_model(args.model, len(meta["classes"]))
    if args.weight_decay > 0:
        optimizer = torch.optim.AdamW(
            model.parameters(), lr=args.lr, betas=BETAS, eps=EPSILON, weight_decay=args.weight_decay
        )
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, betas=BETAS, eps=EPSILON)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=args.label_smoothing)

    def accuracy(pixels, labels):
        model.eval()
        correct = 0
        with torch.no_grad():
            for start in range(0, len(labels), EVAL_BATCH_SIZE):
                logits = model(normalise(pixels[start:start + EVAL_BATCH_SIZE]))
                correct += (logits.argmax(1) == labels[start:start + EVAL_BATCH_SIZE]).sum().item()
        model.train()
        return correct / len(labels)

    count = len(train_y)
    batches = math.ceil(count / args.batch_size)
    epochs = []
    model.train()
    for epoch in range(1, args.epochs + 1):
        started = time.perf_counter()
        order = torch.randperm(count, generator=generator)
        loss_sum, correct, rate = 0.0, 0, args.lr
        for batch in range(1, batches + 1):
            indices = order[(batch - 1) * args.batch_size:batch * args.batch_size]
            pixels = train_x[indices]
            if args.augment != "none":
                pixels = augment(pixels)
            targets = train_y[indices]
            if args.schedule != "constant":
                rate = scheduled_rate(
                    args.lr, epoch, batch, batches, args.epochs, args.schedule, args.warmup
                )
                for group in optimizer.param_groups:
                    group["lr"] = rate
            logits = model(normalise(pixels))
            loss = loss_fn(logits, targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(indices)
            correct += (logits.argmax(1) == targets).sum().item()
        val_accuracy = accuracy(valid_x, valid_y)
        seconds = time.perf_counter() - started
        epochs.append({
            "seconds": seconds,
            "loss": loss_sum / count,
            "accuracy": correct / count,
            "val_accuracy": val_accuracy,
            "lr": rate,
        })
        print(
            f"Epoch {epoch}/{args.epochs} - {seconds:.1f}s - loss {loss_sum / count:.4f}"
            f" - accuracy {correct / count:.4f} - val_accuracy {val_accuracy:.4f}",
            file=sys.stderr,
            flush=True,
        )

    started = time.perf_counter()
    test_accuracy = accuracy(test_x, test_y)
    test_seconds = time.perf_counter() - started
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "import_seconds": import_seconds,
        "load_seconds": load_seconds,
        "epochs": epochs,
        "test_accuracy": test_accuracy,
        "test_seconds": test_seconds,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }))


if __name__ == "__main__":
    main()
