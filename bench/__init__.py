"""Benchmarks: scan cost vs fleet size, a side-by-side with Prowler, ack latency, and
findings-thread rendering.

Run with `python -m bench [scan_cost|prowler|ack_latency|render|all] [--quick]`. Every
benchmark measures its own baseline in the same run and reports ratios against it;
results land in `bench/results/<name>.json` and as a table on stdout.
"""
