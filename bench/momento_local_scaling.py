"""How momento-local's cost grows with board size: p50 of put, rank and a 20-entry page at 1,000 vs 1,000,000 members.

Measured twice: through the real SDK over loopback (what tests and `make dev` see), and on the in-process data
structure alone (what the server adds on top of gRPC), so an O(n) regression cannot hide behind RPC overhead.

    python -m bench.momento_local_scaling [--sizes 1000 1000000] [--samples 2000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from momento import CacheClient, Configurations, CredentialProvider
from momento.requests import SortOrder
from momento.responses import CacheSortedSetFetch, CacheSortedSetGetRank, CacheSortedSetPutElement

from momento_local import MomentoLocalServer
from momento_local.sorted_set import SortedSet

CACHE = "bench"
BOARD = "board"
PAGE = 20
FILL_BATCH = 5000


def p50_us(operation: Callable[[int], object], samples: int) -> float:
    timings = []
    for i in range(samples):
        started = time.perf_counter()
        operation(i)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1e6


def player(i: int) -> str:
    return f"player-{i:07d}"


def measure_sdk(client: CacheClient, size: int, samples: int, rng: random.Random) -> dict[str, float]:
    names = [player(rng.randrange(size)) for _ in range(samples)]
    starts = [rng.randrange(max(1, size - PAGE)) for _ in range(samples)]

    def put(i: int) -> None:
        response = client.sorted_set_put_element(CACHE, BOARD, names[i], rng.random() * size)
        assert isinstance(response, CacheSortedSetPutElement.Success), response

    def rank(i: int) -> None:
        response = client.sorted_set_get_rank(CACHE, BOARD, names[i], SortOrder.DESCENDING)
        assert isinstance(response, CacheSortedSetGetRank.Hit), response

    def page(i: int) -> None:
        response = client.sorted_set_fetch_by_rank(CACHE, BOARD, starts[i], starts[i] + PAGE, SortOrder.DESCENDING)
        assert isinstance(response, CacheSortedSetFetch.Hit), response
        assert len(response.value_list_bytes) == PAGE

    return {"put": p50_us(put, samples), "rank": p50_us(rank, samples), "page": p50_us(page, samples)}


def measure_in_process(size: int, samples: int, rng: random.Random) -> dict[str, float]:
    members = SortedSet()
    for i in range(size):
        members.put(player(i).encode(), rng.random() * size)
    names = [player(rng.randrange(size)).encode() for _ in range(samples)]
    starts = [rng.randrange(max(1, size - PAGE)) for _ in range(samples)]
    return {
        "put": p50_us(lambda i: members.put(names[i], rng.random() * size), samples),
        "rank": p50_us(lambda i: members.rank(names[i], descending=True), samples),
        "page": p50_us(lambda i: members.by_index(starts[i], starts[i] + PAGE, descending=True), samples),
    }


def fill(client: CacheClient, size: int, rng: random.Random) -> None:
    client.delete(CACHE, BOARD)
    for start in range(0, size, FILL_BATCH):
        batch = {player(i): rng.random() * size for i in range(start, min(size, start + FILL_BATCH))}
        client.sorted_set_put_elements(CACHE, BOARD, batch)


def run(sizes: list[int], samples: int) -> dict[str, dict[str, dict[str, float]]]:
    rng = random.Random(20261127)
    results: dict[str, dict[str, dict[str, float]]] = {"sdk_over_loopback": {}, "in_process": {}}
    # The benchmark holds boards far beyond Momento's 5 MB item cap on purpose: it measures the data structure.
    with MomentoLocalServer(port=0, caches=[CACHE], max_item_size_bytes=1 << 40) as server:
        credentials = CredentialProvider.for_momento_local(server.host, server.port)
        with CacheClient.create(Configurations.Laptop.latest(), credentials, timedelta(hours=1)) as client:
            for size in sizes:
                fill(client, size, rng)
                results["sdk_over_loopback"][str(size)] = measure_sdk(client, size, samples, rng)
            client.delete(CACHE, BOARD)
    for size in sizes:
        results["in_process"][str(size)] = measure_in_process(size, samples, rng)
    return results


def report(results: dict[str, dict[str, dict[str, float]]], sizes: list[int]) -> str:
    smallest, largest = str(sizes[0]), str(sizes[-1])
    lines = [f"{'where':<18} {'operation':<10} " + " ".join(f"{s:>12,}" for s in sizes) + "   ratio (p50)"]
    for where, by_size in results.items():
        for operation in ("put", "rank", "page"):
            cells = " ".join(f"{by_size[str(s)][operation]:>10.1f}us" for s in sizes)
            ratio = by_size[largest][operation] / by_size[smallest][operation]
            lines.append(f"{where:<18} {operation:<10} {cells}   {ratio:.2f}x")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 1_000_000])
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    results = run(args.sizes, args.samples)
    print(report(results, args.sizes))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"sizes": args.sizes, "samples": args.samples, "p50_us": results}, out, indent=2)


if __name__ == "__main__":
    main()
