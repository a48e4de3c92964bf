"""Summarizes a libtorch profiler Chrome trace (JniUtils.stopProfile / torch.profiler export):
per operator, calls and self time (its time minus the operators it called), largest first.
Usage: trace_summary.py TRACE.json [STEPS] [TOP]"""
import collections
import json
import sys

events = [e for e in json.load(open(sys.argv[1])) if e.get("ph") == "X"]
steps = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
self_us = collections.Counter()
calls = collections.Counter()
by_thread = collections.defaultdict(list)
for e in events:
    by_thread[e.get("tid")].append(e)
for evs in by_thread.values():
    evs.sort(key=lambda e: (e["ts"], -e["dur"]))
    stack = []
    for e in evs:
        while stack and stack[-1]["ts"] + stack[-1]["dur"] <= e["ts"]:
            stack.pop()
        if stack:
            self_us[stack[-1]["name"]] -= e["dur"]
        self_us[e["name"]] += e["dur"]
        calls[e["name"]] += 1
        stack.append(e)
total = sum(self_us.values())
print("%-40s %8s %10s %6s" % ("operator", "calls/st", "self ms/st", "share"))
for name, us in self_us.most_common(top):
    print("%-40s %8.1f %10.2f %5.1f%%" % (name[:40], calls[name] / steps, us / 1000 / steps, 100 * us / total))
print("%-40s %8.1f %10.2f" % ("total", sum(calls.values()) / steps, total / 1000 / steps))
