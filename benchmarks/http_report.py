"""The Markdown section of the HTTP benchmark in RESULTS.md (``<!-- BEGIN http -->``)."""

from __future__ import annotations

from typing import Any

from benchmarks import report
from benchmarks.report import NOISY


def markdown(doc: dict[str, Any]) -> str:
    m, steps = doc["machine"], doc["steps"]
    lines = [
        *report.heading(f"HTTP service: NDJSON ingest and reads, {doc['records']:,} records", doc),
        f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB, Python {m['python']}; "
        f"load average at start {m['load_average_at_start']}. Input: {doc['records']:,} synthetic records "
        f"(seed {doc['seed']}), {doc['dataset']['bytes'] / 1e6:,.0f} MB of NDJSON. Server: "
        f"`commsledger serve --workers {doc.get('workers', 1)}` (otherwise default settings, file store); "
        "clients are separate processes on loopback; server CPU counts every worker.",
        "",
        "| step | wall s | rate | latency ms p50 / p95 / p99 | CPU s client / server | other load CPU s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines.append(_row("baseline: in-process `pipeline.ingest`", steps["inprocess"], "records/s"))
    ingest = steps["http_ingest"]
    label = f"`POST /v1/communications` NDJSON, {doc['batch']:,} records a request, one client"
    lines.append(_row(label, ingest, "records/s", ingest["output"]["batch_ms"]))
    lines.append(_row("baseline: in-process `Register.show`, one thread", steps["show"], "reads/s"))
    if "find" in steps:
        label = "baseline: the same search in process (`search.service.find`), one thread"
        lines.append(_row(label, steps["find"], "searches/s"))
    for name, step in steps.items():
        if name.startswith("reads_"):
            out = step["output"]
            label = f"`GET {out['path']}`, {out['concurrency']} concurrent clients ({out['statuses']})"
            lines.append(_row(label, step, "requests/s", out["latency_ms"]))
    ratio = ingest["output"]["rate"] / steps["inprocess"]["output"]["rate"]
    lines += ["", f"Ratios: HTTP ingest / in-process ingest = **{ratio:.1%}**"]
    for name, step in steps.items():
        if name.startswith("reads_"):
            share = step["output"]["rate"] / steps["show"]["output"]["rate"]
            lines[-1] += f"; {name} reads over HTTP / in-process `show` = **{share:.1%}**"
    if "find" in steps:
        share = steps["reads_search"]["output"]["rate"] / steps["find"]["output"]["rate"]
        lines[-1] += f"; search over HTTP / the same search in process = **{share:.1%}**"
    lines[-1] += "."
    lines.append(_server_cpu(steps))
    busy = {k: s["cpu_other_s"] / s["wall_s"] for k, s in steps.items() if s["wall_s"]}
    if max(busy.values(), default=0) > NOISY:
        worst = ", ".join(f"{k} {v:.2f}" for k, v in busy.items())
        lines.append(
            f"**Disturbed run**: other programs kept on average this many of the {m['cpus']} CPUs busy "
            f"during each step: {worst}; rates are lower than on a quiet machine."
        )
    lines += ["", "| target | goal | measured | |", "|---|---|---|---|"]
    for t in doc["targets"]:
        lines.append(
            f"| {t['target']} | {t['goal']} | {t['measured']} | {'pass' if t['pass'] else '**MISSED**'} |"
        )
    lines += ["", f"Raw figures: `{doc['raw_json']}`."]
    return "\n".join(lines) + "\n"


def _server_cpu(steps: dict[str, Any]) -> str:
    """Server CPU per request of each read step (the primary figure: steadier than rates on
    a busy machine); the warm-up requests (4 per client) count too."""
    parts = []
    for name, step in steps.items():
        if name.startswith("reads_") and step.get("cpu_server_s") is not None:
            out = step["output"]
            sent = out["requests"] + 4 * out["concurrency"]
            parts.append(f"{name.removeprefix('reads_')} {1000 * step['cpu_server_s'] / sent:.2f} ms")
    return "Server CPU per request (every server process, CPU seconds / requests): " + ", ".join(parts) + "."


def _row(label: str, step: dict[str, Any], unit: str, latency: dict[str, float] | None = None) -> str:
    out = step["output"]
    lat = f"{latency['p50']:.1f} / {latency['p95']:.1f} / {latency['p99']:.1f}" if latency else "—"
    server = step.get("cpu_server_s")
    cpu = (
        f"{step['cpu_client_s']:.1f} / {server:.1f}"
        if server is not None
        else f"{step['cpu_client_s']:.1f} / —"
    )
    other = step["cpu_other_s"]
    return f"| {label} | {step['wall_s']:.1f} | {out['rate']:,.0f} {unit} | {lat} | {cpu} | {other:.1f} |"
