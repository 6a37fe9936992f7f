#!/usr/bin/python3
# stat-check.py - compare mb-stat --json output with the figures stat-gen.py expects; prints each mismatch.
#
#   stat-check.py GOT.json EXPECT.json
#
# Counts must match exactly; key-size percentiles exactly (counted per value); other percentiles
# within the HDR histogram's resolution (3 significant digits: 1/1000 of the value, +1); the
# fitted Zipf exponent within 0.05 of the generator's.
import json
import sys

got = json.load(open(sys.argv[1]))
exp = json.load(open(sys.argv[2]))
bad = []


def eq(what, g, e):
    if g != e:
        bad.append("%s: got %r, expected %r" % (what, g, e))


def near(what, g, e, tol):
    if g is None or abs(g - e) > tol:
        bad.append("%s: got %r, expected %r (tolerance %g)" % (what, g, e, tol))


def dist(what, g, e, exact):
    eq(what + ".count", g["count"], e["count"])
    eq(what + ".max", g["max"], e["max"])
    near(what + ".mean", g["mean"], e["mean"], 1e-6 * max(1, e["mean"]))
    for p in ("p50", "p90", "p99", "p99.9"):
        if exact:
            eq(what + "." + p, g[p], e[p])
        else:
            near(what + "." + p, g[p], e[p], e[p] / 1000 + 1)
    if sum(b["count"] for b in g["log2"]) != e["count"]:
        bad.append(what + ".log2: bucket counts do not add up to the count")


o = got["overview"]
eq("events", o["events"], exp["events"])
eq("keyed_events", o["keyed_events"], exp["keyed"])
eq("distinct_keys", o["distinct_keys"], exp["distinct_keys"])
eq("distinct_keys_exact", o["distinct_keys_exact"], True)
eq("connections", o["connections"], exp["connections"])
eq("answered", o["answered"], exp["answered"])
eq("key_bytes", o["key_bytes"], exp["key_bytes"])
eq("value_bytes_stored", o["value_bytes_stored"], exp["value_bytes_stored"])
eq("value_bytes_returned", o["value_bytes_returned"], exp["value_bytes_returned"])
near("mean_ops_per_s", o["mean_ops_per_s"], exp["mean_ops"], 1e-6 * exp["mean_ops"])
eq("peak_ops_per_s", o["peak_ops_per_s"], exp["peak_ops"])
eq("commands", {c["cmd"]: c["count"] for c in got["commands"]}, exp["commands"])
eq("protocols", {p: n for p, n in got["protocols"].items() if n}, exp["protocols"])
get = [c for c in got["commands"] if c["cmd"] == "get"][0]
eq("get hits", get["hits"], exp["get_hits"])
eq("get misses", get["misses"], exp["get_misses"])
for c in ("all", "get", "set", "other"):
    dist("key size " + c, got["sizes"]["key"][c], exp["key_size"][c], True)
dist("value size set", got["sizes"]["value"]["set"], exp["value_set"], False)
dist("value size get", got["sizes"]["value"]["get"], exp["value_get"], False)
dist("ttl", got["sizes"]["ttl"], exp["ttl"], False)
dist("inter-arrival", got["arrivals"]["interarrival_ns"], exp["iat"], False)
dist("inter-arrival per connection", got["arrivals"]["interarrival_per_conn_ns"], exp["iat_conn"], False)
for c, e in exp["latency"].items():
    dist("latency " + c, got["latency_ns"][c], e, False)
eq("per_second", got["series"]["per_second"], exp["per_second"])
eq("windows ops", [w["ops"] for w in got["series"]["windows"]], exp["windows"])
pop = got["popularity"]
eq("popularity exact", pop["exact"], True)
if pop["zipf"] is None:
    bad.append("zipf: no fit")
else:
    near("zipf exponent", pop["zipf"]["s"], exp["zipf_s"], 0.05)
eq("top1pct_keys", pop["top1pct_keys"], exp["top1pct_keys"])
near("top1pct_share", pop["top1pct_share"], exp["top1pct_share"], 1e-9)
eq("one_hit_wonders", pop["one_hit_wonders"], exp["one_hit"])
eq("top", [[t["key"], t["count"]] for t in pop["top"]], exp["top"])
a = got["anomalies"]
eq("unanswered", a["unanswered"], exp["unanswered"])
eq("server_error", a["server_error"], exp["server_error"])
eq("upstream", a["upstream"], exp["upstream"])
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
