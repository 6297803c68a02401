"""docs/performance.md from bench/results.json: the goals, every figure with the command that produced it, and each
module's tables. `make bench` writes both; `python -m bench.report [--results PATH] [--output PATH]` regenerates
the page from the results file alone."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import harness

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"
REPORT = ROOT / "docs" / "performance.md"
COMMAND = "make bench"
TITLES = {
    "warm_overhead": "Warm overhead",
    "cold_start": "Cold start, per route",
    "board_size": "Board size",
    "http_load": "HTTP load",
    "durable": "Durable boards: a rebuild, and a restore best first",
    "board_rules": "Board rules",
    "periods": "Periods",
    "page_reads": "Page reads",
    "feature_costs": "Which kept feature costs what",
    "peer": "The seed side by side",
}
ROUTES = tuple(harness.ROUTES)  # every function of the template, as the bench measures them
LATENCY = "2ms_latency"


def goal(figure: str) -> float | None:
    """The most a figure may be, where the issue set a goal for it."""
    base = figure.removesuffix(f"_{LATENCY}")
    if base.startswith("cold_start_ratio_") and base.removeprefix("cold_start_ratio_") in (*ROUTES, "worst"):
        return 1.3
    if base.startswith("first_invoke_ratio_") and base.removeprefix("first_invoke_ratio_") in (*ROUTES, "worst"):
        return 1.2
    return {
        "around_vs_page_floor": 2.0,
        "friends_50_vs_page_floor": 3.0,
        "shared_vs_distinct_page_few_ties": 1.5,
        "shared_vs_distinct_page_many_ties": 1.5,
        "periods_submit_ratio": 1.5,
    }.get(base)


def render(results: dict[str, Any]) -> str:
    machine, modules = results["machine"], results["modules"]
    quick = results["plan"]["samples"] < 100
    lines = [
        "# Performance",
        "",
        f"Every figure on this page was measured by `{COMMAND}` (bench/run.py: one module per feature under bench/,",
        "in the order below) and written to bench/results.json; the page is generated from that file by",
        "`python -m bench.report`. To refresh it, run `make bench` again; `python -m bench.run --only MODULE` measures",
        "one module again and keeps the others' figures.",
        "",
        f"Measured {results['finished_at']} on {machine['cores']} cores, Python {machine['python']}, "
        f"{machine['platform']}; the modules took {sum(m['elapsed_s'] for m in modules.values()):.0f} s. The servers "
        "are local (momento-local, moto), each "
        "in its own process: ratios between figures of one run are what they say; absolute times are this "
        "machine's, not Lambda's.",
    ]
    if quick:
        lines += ["", "**A quick plan's smoke run: these figures mean nothing.**"]
    lines += ["", *_goals(results), "", *_every_figure(results)]
    for number, (name, title) in enumerate(TITLES.items(), start=1):
        lines += ["", f"## {number}. {title}", ""]
        if name not in modules:
            lines.append("Not measured in this run.")
            continue
        module = modules[name]
        lines += [
            f"Produced by `{COMMAND}` (bench/{name}.py, {module['elapsed_s']:.0f} s; alone: "
            f"`python -m bench.run --only {name}`).",
            "",
            *RENDERERS[name](module["details"], module["figures"]),
        ]
    return "\n".join(lines) + "\n"


def _goals(results: dict[str, Any]) -> list[str]:
    rows = [(figure, value, limit) for figure, value in results["figures"].items() if (limit := goal(figure))]
    lines = [
        "## Goals",
        "",
        "| Figure | Measured | Goal | |",
        "|---|---:|---:|---|",
    ]
    lines += [
        f"| `{figure}` | {_ratio(value)} | <= {limit:.1f}x | {'met' if value <= limit else '**missed**'} |"
        for figure, value, limit in rows
    ]
    return lines


def _every_figure(results: dict[str, Any]) -> list[str]:
    lines = ["## Every figure", "", "| Figure | Value | Unit | Module | Command |", "|---|---:|---|---|---|"]
    number = {name: i for i, name in enumerate(TITLES, start=1)}
    for name, module in results["modules"].items():
        anchor = f"{number[name]}-{TITLES[name].lower()}"
        anchor = "".join(c for c in anchor.replace(" ", "-") if c.isalnum() or c == "-")
        for figure, value in module["figures"].items():
            lines.append(
                f"| `{figure}` | {_value(figure, value)} | {unit(figure)} | [{name}](#{anchor}) | `{COMMAND}` |"
            )
    return lines


def unit(figure: str) -> str:
    """A figure's unit, by its name: "ms", "s", "requests/s", "operations", "share" (of 1) or "x" (a ratio)."""
    if figure == "not_modified_ratio":
        return "share"
    if "_vs_" in figure or "ratio" in figure:
        return "x"
    if figure.endswith("_ms") or "_ms_" in figure:
        return "ms"
    if figure.endswith("_s") or "_s_" in figure or "_seconds_" in figure:
        return "s"
    if figure.startswith("http_rps"):
        return "requests/s"
    if "_ops_" in figure or figure.startswith("momento_ops_per"):
        return "operations"
    return "x"


def _value(figure: str, value: float) -> str:
    match unit(figure):
        case "ms" | "requests/s":
            return f"{value:,.1f}"
        case "s":
            return f"{value:,.2f}"
        case "operations":
            return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
        case "share":
            return f"{value:.2f}"
    return _ratio(value)


def _ratio(value: float) -> str:
    return f"{value:.2f}x" if value >= 0.1 else f"{value:.4f}x"


def _us(row: dict[str, float]) -> str:
    return f"{row['p50_us']:,.0f} / {row['p99_us']:,.0f}"


def _warm_overhead(details: dict[str, Any], figures: dict[str, Any]) -> list[str]:
    lines = [
        "Each route's full handler (chain, validation, logging, metrics; tracing off) against its floor, the fewest",
        "bare calls that answer it, interleaved one for one: submit, one DynamoDB UpdateItem then one Momento put (the",
        "minimal durable write); standing, get_rank and get_score at once; page, one sorted_set_fetch_by_rank of 20;",
        "around, get_rank then one fetch of 11.",
        "",
        "| Route | Handler p50 / p99 (us) | Floor p50 / p99 (us) | Ratio p50 |",
        "|---|---:|---:|---:|",
    ]
    for route, row in details["routes"].items():
        lines.append(f"| {route} | {_us(row['handler'])} | {_us(row['floor'])} | {_ratio(row['ratio_p50'])} |")
    loopback, latency = details["standing"]["loopback"], details["standing"][LATENCY]
    lines += [
        "",
        "How a standing is read, bare SDK (p50, us):",
        "",
        "| Strategy | Loopback | With 2 ms of network per call |",
        "|---|---:|---:|",
    ]
    for name in ("concurrent", "sequential", "single_call"):
        lines.append(f"| {name} | {loopback[name]['p50_us']:,.0f} | {latency[name]['p50_us']:,.0f} |")
    lines += [
        "",
        f"Score and rank at once cost {_ratio(loopback['concurrent_vs_single'])} one call on loopback, "
        f"{_ratio(latency['concurrent_vs_single'])} with 2 ms of network.",
    ]
    return lines


def _cold_start(details: dict[str, Any], figures: dict[str, Any]) -> list[str]:
    floor = details["floor"]
    lines = [
        "Each route's handler in a fresh Python process: import and init (the configuration, the composition root",
        "building both stores, the DynamoDB client), then its first request (the key through the Parameters and",
        "Secrets extension's local stand-in, the Momento client, the route's calls); timed from spawn to the first",
        "answer. The durable floor: a fresh process importing momento and boto3, creating both clients, one Momento",
        f"put and one DynamoDB UpdateItem. Medians of {details['runs']} runs each, interleaved. The first invoke",
        "after init (what SnapStart would leave) against the p50 of the "
        f"{details['warm_invokes']} warm invokes that follow it in the same process.",
        "",
        "| Route | Cold (ms) | x floor | Interpreter | Import + init | First request | Warm p50 (ms) | First / warm |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        f"| durable floor | {floor['median_ms']:,.1f} | 1.00x | {floor['steps_ms']['interpreter']:,.1f} | "
        f"{floor['steps_ms']['imports'] + floor['steps_ms']['clients']:,.1f} (imports and clients) | "
        f"{floor['steps_ms']['first_request']:,.1f} | | |",
    ]
    for route, row in details["routes"].items():
        steps = row["steps_ms"]
        lines.append(
            f"| {route} | {row['median_ms']:,.1f} | {_ratio(row['ratio_to_floor'])} | {steps['interpreter']:,.1f} | "
            f"{steps['import_and_init']:,.1f} | {steps['first_request']:,.1f} | {row['warm_p50_ms']:,.2f} | "
            f"{_ratio(row['first_invoke_vs_warm'])} |"
        )
    goals, worst = details["goals"], details["worst"]
    lines += [
        "",
        "get_leaderboard_boto3 reads the key with boto3's SSM client (no extension: ParametersSecretsExtensionLayerArn",
        "=none, or a region without the layer); get_leaderboard_traced has X-Ray tracing on.",
        "",
        f"Goals: every route <= {goals['cold_start_ratio']}x the floor (worst: {worst['cold_start']}, "
        f"{_ratio(figures['cold_start_ratio_worst'])}); the first invoke after init <= {goals['first_invoke_ratio']}x "
        f"a warm invoke (worst: {worst['first_invoke']}, {_ratio(figures['first_invoke_ratio_worst'])}).",
    ]
    imports = details["imports"]
    for route, row in imports.items():
        if not isinstance(row, dict):
            continue
        beyond = ", ".join(f"{package} {ms:,.1f}" for package, ms in row["beyond_the_floor_by_package_ms"].items())
        slowest = ", ".join(f"{item['module']} {item['cumulative_ms']:,.1f}" for item in row["slowest_imports"])
        first = ", ".join(f"{item['module']} {item['cumulative_ms']:,.1f}" for item in row["first_invoke_imports"])
        lines += [
            "",
            f"`python -X importtime` of {route} (ms): its imports before the first invoke take "
            f"{row['init_total_ms']:,.1f} (the floor's {imports['floor_total_ms']:,.1f}); those the floor does not "
            f"make, {row['beyond_the_floor_ms']:,.1f}, by package (a handler module's own time is its init: the "
            f"composition root making the stores and the DynamoDB client): {beyond or 'none'}. Slowest imports "
            "(cumulative): "
            f"{slowest}. Imports during the first invoke: {row['first_invoke_imports_ms']:,.1f}"
            + (f" ({first})." if first else "."),
        ]
        profiled = dict(row["first_invoke_profiled_ms"])
        total = profiled.pop("first_invoke", None)
        if total:
            steps = ", ".join(f"{step.replace('_', ' ')} {ms:,.1f}" for step, ms in profiled.items())
            lines += [
                "",
                f"Its first invoke under cProfile took {total:,.1f} ms, of which (this thread's calls): "
                f"{steps or 'none of the named steps'}.",
            ]
    return lines


def _board_size(details: dict[str, Any], figures: dict[str, Any]) -> list[str]:
    sizes = details["sizes"]
    lines = [
        "p50 / p99 (us) through the handlers, requests at random players and ranks.",
        "",
        "| Route | " + " | ".join(f"{int(size):,} players" for size in sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    for route in ("submit", "standing", "page"):
        lines.append(f"| {route} | " + " | ".join(_us(row[route]) for row in sizes.values()) + " |")
    return lines


def _http_load(details: dict[str, Any], figures: dict[str, Any]) -> list[str]:
    return [
        f"{details['clients']} concurrent clients for {details['seconds']:.0f} s through `make dev`'s server: 20%",
        "submits, 40% standings, 40% pages, after a round at full concurrency that is not counted.",
        "",
        "| Requests/s | p50 (ms) | p99 (ms) | Requests | 5xx |",
        "|---:|---:|---:|---:|---:|",
        f"| {details['rps']:,.1f} | {details['p50_ms']:,.1f} | {details['p99_ms']:,.1f} | {details['requests']:,} | "
        f"{details['server_errors']} |",
    ]


def _durable(details: dict[str, Any], figures: dict[str, Any]) -> list[str]:
    restore = details["restore"]
    return [
        "A board in the record whose set Momento lost, rebuilt by the scheduled keep-alive (Leaderboards.keep_alive,",
        "unpaced), its Momento operations as momento-local's meter bills them.",
        "",
        "| Players | Rebuild (s) | Momento operations | Record filled in (s) |",
        "|---:|---:|---:|---:|",
        f"| {details['players']:,} | {details['rebuild_s']:,.2f} | {details['metered_operations']:,} | "
        f"{details['record_fill_s']:,.1f} |",
        "",
        "Then Momento loses the set again, and a client reads the top 100 until it answers, then the last page: a",
        f"restore best first, driven by those reads from a starting pace of {restore['starting_pace']} a second.",
        "",
        "| Top 100 answered after (s) | 503s before it | Whole after (s) | 503s before it |",
        "|---:|---:|---:|---:|",
        f"| {restore['top_s']:,.2f} | {restore['reads_503_before_top']} | {restore['whole_s']:,.2f} | "
        f"{restore['reads_503_before_whole']} |",
    ]


def _board_rules(details: dict[str, Any], figures: dict[str, Any]) -> list[str]:
    loopback, latency = details["loopback"], details[LATENCY]
    rows = [name for name, row in loopback.items() if isinstance(row, dict)]
    lines = [
        "Through Leaderboards.view and .around, interleaved, on loopback and with 2 ms of network per Momento call;",
        "the page floor is one bare sorted_set_fetch_by_rank of 20 (the original service's page).",
        "",
        "| Read | Loopback p50 / p99 (us) | With 2 ms p50 / p99 (us) |",
        "|---|---:|---:|",
        *(f"| {name} | {_us(loopback[name])} | {_us(latency[name])} |" for name in rows),
        "",
        "| Ratio | Loopback | With 2 ms | Goal |",
        "|---|---:|---:|---:|",
    ]
    for name in (
        "around_vs_page_floor",
        "friends_50_vs_page_floor",
        "around_vs_page",
        "friends_50_vs_page",
        "shared_vs_distinct_page_few_ties",
        "shared_vs_distinct_page_many_ties",
    ):
        limit = goal(name)
        lines.append(
            f"| {name} | {_ratio(loopback[name])} | {_ratio(latency[name])} | {f'<= {limit:.1f}x' if limit else ''} |"
        )
    return lines


def _periods(details: dict[str, Any], figures: dict[str, Any]) -> list[str]:
    writes, past = details["writes"], details["past_period_read"]
    lines = [
        "Leaderboards.submit on a board keeping all time, daily, weekly and monthly against one keeping all time only,",
        "interleaved; with 2 ms of network per Momento call and per DynamoDB request in the second column.",
        "",
        "| Board | Loopback p50 / p99 (us) | With 2 ms p50 / p99 (us) |",
        "|---|---:|---:|",
    ]
    for board in ("all_only", "four_kinds"):
        lines.append(f"| {board} | {_us(writes['loopback'][board])} | {_us(writes[LATENCY][board])} |")
    lines += [
        f"| four kinds / all time only | {_ratio(writes['loopback']['ratio_p50'])} | "
        f"{_ratio(writes[LATENCY]['ratio_p50'])} |",
        "",
        f"Goal: <= {details['goal']}x.",
        "",
        f"Last week's period of {past['players']:,} players, in the record and not in the index, read with "
        "?period=weekly:previous: "
        + (
            f"the first read answered 503 after {past['first_read_s']:.1f} s (its wait); the rebuild, unpaced, ran "
            f"{past['rebuild_s']:.1f} s more; the read after it answered in {past['answer_after_rebuild_ms']:,.0f} "
            f"ms: {past['first_answer_s']:.1f} s from the first read to the first answer."
            if past["first_read_status"] == 503
            else f"the first read answered, its rebuild included, in {past['first_read_s']:.1f} s."
        )
        + f" At the default pace (50 elements a second) the rebuild would take "
        f"{past['rebuild_at_default_pace_s']:,.0f} s. Reads alone would not finish a rebuild of a large period "
        "against moto (see bench/periods.py): it is run to its end by the domain's Rebuilder.",
    ]
    return lines


def _page_reads(details: dict[str, Any], figures: dict[str, Any]) -> list[str]:
    on, off = details["on"], details["off"]
    poller = on["poller"]
    return [
        f"{details['clients']} clients reading the same top-20 page for {details['seconds']:.0f} s through the dev",
        f"server (`make dev`), the page cache on ({details['window_s']} s) and off; Momento operations from",
        "momento-local's meter.",
        "",
        "| Page cache | Operations per 1,000 reads | Reads/s | p99 (ms) |",
        "|---|---:|---:|---:|",
        f"| off | {off['momento_ops_per_1000_page_reads']:,.1f} | {off['rps']:,.1f} | {off['p99_ms']:,.1f} |",
        f"| on | {on['momento_ops_per_1000_page_reads']:,.1f} | {on['rps']:,.1f} | {on['p99_ms']:,.1f} |",
        "",
        f"On / off: {_ratio(details['on_vs_off'])}; {on['momento_operations']:,} operations against a bound of "
        f"{details['bound_operations']:,.0f} ({'within' if details['within_bound'] else '**over**'}). A poller with "
        f"If-None-Match while the board changes every second: {poller['not_modified']} of {poller['polls']} polls "
        f"answered 304 ({poller['not_modified_ratio']:.2f}).",
    ]


def _feature_costs(details: dict[str, Any], figures: dict[str, Any]) -> list[str]:
    lines = [
        "Each layer interleaved with the others (warm p50, us); each step is the next layer minus the one before.",
        "",
        "| Route | Layers (p50, us) | Steps (us) | Domain / floor | Handler / domain |",
        "|---|---|---|---:|---:|",
    ]
    for route in ("submit", "page"):
        row = details[route]
        layers = ", ".join(f"{name} {value:,.0f}" for name, value in row["p50_us"].items())
        steps = ", ".join(f"{step}: {value:+,.0f}" for step, value in row["steps_us"].items())
        lines.append(
            f"| {route} | {layers} | {steps} | {_ratio(row['domain_vs_floor'])} | {_ratio(row['handler_vs_domain'])} |"
        )
    lines += [
        "",
        f"Durability at its cheapest (the durable floor against the Momento put alone): "
        f"{_ratio(details['submit']['durable_floor_vs_momento_put'])}.",
    ]
    return lines


def _peer(details: dict[str, Any], figures: dict[str, Any]) -> list[str]:
    if "skipped" in details:
        return [f"Skipped: {details['skipped']}."]
    lines = [
        f"The seed's handlers on Node.js {details['node']} (bench/peer/: "
        + ", ".join(f"{name} {version}" for name, version in details["packages"].items())
        + "), ours and theirs in alternating blocks, each timing its own invocations.",
        "",
        "| Route | Ours p50 / p99 (us) | Theirs p50 / p99 (us) | Ours / theirs |",
        "|---|---:|---:|---:|",
    ]
    for route, row in details["warm"].items():
        lines.append(f"| {route} | {_us(row['ours'])} | {_us(row['theirs'])} | {_ratio(row['ratio_p50'])} |")
    cold = details["cold_start"]["median_ms"]
    lines += [
        "",
        f"Cold start of the page handler, spawn to exit (median of {details['cold_start']['runs']}): ours "
        f"{cold['ours']:,.0f} ms, theirs {cold['bundle']:,.0f} ms as CDK bundles it "
        f"({_ratio(figures['peer_cold_ratio'])}), {cold['node_modules']:,.0f} ms from node_modules.",
    ]
    return lines


RENDERERS: dict[str, Callable[[dict[str, Any], dict[str, Any]], list[str]]] = {
    "warm_overhead": _warm_overhead,
    "cold_start": _cold_start,
    "board_size": _board_size,
    "http_load": _http_load,
    "durable": _durable,
    "board_rules": _board_rules,
    "periods": _periods,
    "page_reads": _page_reads,
    "feature_costs": _feature_costs,
    "peer": _peer,
}


def summary(results: dict[str, Any]) -> str:
    """Every figure, one a line, goals marked: what `make bench` prints."""
    lines = [f"leaderboard-api bench: {len(results['figures'])} figures in {results['elapsed_s']:.0f} s"]
    for figure, value in results["figures"].items():
        limit = goal(figure)
        mark = "" if limit is None else f"  (goal <= {limit}x: {'met' if value <= limit else 'MISSED'})"
        lines.append(f"  {figure:<52}{_value(figure, value):>12}{mark}")
    return "\n".join(lines)


def write(results: dict[str, Any], destination: Path = REPORT) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(render(results), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=Path, default=RESULTS, help="the results file [bench/results.json]")
    parser.add_argument("--output", type=Path, default=REPORT, help="the page [docs/performance.md]")
    args = parser.parse_args(argv)
    write(json.loads(args.results.read_text(encoding="utf-8")), args.output)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
