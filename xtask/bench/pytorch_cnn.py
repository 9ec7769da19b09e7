"""The baseline CNN (122,570 parameters) trained with PyTorch on the CPU, for
`cargo xtask bench --vs-pytorch`: the same model, batch size, optimizer (Adam,
learning rate 0.001) and thread count as Kindling's bench worker.

Prints one JSON line: {"images": ..., "seconds": ..., "peak_rss_mib": ...}.
Exits with status 3 and a message when torch cannot be imported.
"""

import argparse
import json
import resource
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    try:
        import torch
        from torch import nn
    except ImportError as error:
        print(f"torch cannot be imported: {error}", file=sys.stderr)
        sys.exit(3)

    torch.manual_seed(42)
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)

    # Keras tutorial CNN: conv 32, pool, conv 64, pool, conv 64, dense 64, dense 10.
    model = nn.Sequential(
        nn.Conv2d(3, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3), nn.ReLU(),
        nn.Flatten(),
        nn.Linear(64 * 4 * 4, 64), nn.ReLU(),
        nn.Linear(64, 10),
    )
    assert sum(p.numel() for p in model.parameters()) == 122_570
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    # Pixels kept as bytes and normalised per batch, as Kindling's batcher does.
    pixels = torch.randint(0, 256, (args.images, 3, 32, 32), dtype=torch.uint8)
    labels = torch.randint(0, 10, (args.images,))
    mean = torch.tensor([0.5, 0.5, 0.5]).view(1, 3, 1, 1)
    std = torch.tensor([0.25, 0.25, 0.25]).view(1, 3, 1, 1)

    def epoch(number):
        generator = torch.Generator().manual_seed(number)
        order = torch.randperm(args.images, generator=generator)
        loss_sum, correct = 0.0, 0
        for start in range(0, args.images, args.batch_size):
            batch = order[start:start + args.batch_size]
            images = (pixels[batch].float() / 255.0 - mean) / std
            targets = labels[batch]
            logits = model(images)
            loss = loss_fn(logits, targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(batch)
            correct += (logits.argmax(1) == targets).sum().item()
        return loss_sum, correct

    model.train()
    epoch(0)  # warm-up, as Kindling's worker does
    started = time.perf_counter()
    for number in range(1, args.epochs + 1):
        epoch(number)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({
        "images": args.images * args.epochs,
        "seconds": seconds,
        "peak_rss_mib": peak,
    }))


if __name__ == "__main__":
    main()
