# stats-oracle.py - check parsed events against memcached's own stats deltas (the real-server oracle).
#
#   stats-oracle.py STATS_BEFORE STATS_AFTER EVENTS.txt [CMD:STATUS=N ...]
#
# CMD:STATUS=N: exactly N events of that command and status are expected (e.g. the
# client_error of an incr of a non-number, which memcached counts nowhere); other error
# events fail the check.
# STATS_* are "name value" lines (test-lib's mc_stats); EVENTS.txt is mb-cat's text form of
# mb-parse's output for a capture of all traffic between the two stats snapshots.
# memcached 1.6's counting rules (checked against a live 1.6.18, see t2150):
#   cmd_get      one per key of get/gets (text, binary incl. quiet GETQ/GETK/GETKQ) and meta mg
#   get_hits/get_misses   their results
#   cmd_touch    touch, gat, gats (per key); touch_hits/touch_misses their results; a meta mg
#                with T (event cmd gat) counts as a touch hit when it hits but as a get miss
#                (cmd_get, get_misses) when it misses
#   cmd_set      every set/add/replace/append/prepend/cas and meta ms, whatever the result
#   cmd_flush    flush_all (a get of a flushed item is a get_misses, also counted in get_flushed)
#   cas_hits/cas_badval/cas_misses    cas STORED / EXISTS / NOT_FOUND
#   delete_hits/delete_misses, incr_hits/incr_misses, decr_hits/decr_misses  (text and meta);
#                a meta md with I that deletes counts in neither
# An event flagged ambiguous (the wire could not tell which quiet request a reply answered)
# is an error here: its status may be another request's.
# A request without a reply on the wire (noreply, meta q, binary quiet) has status none,
# or an inferred status (flag `inferred`); a status-less event counts only in the totals:
# for each family the known statuses must not exceed the stats and the totals must be equal.
# Prints one line per check ("ok ..." or "MISMATCH ..."), exits 1 on any mismatch.
import sys


def read_stats(path):
    d = {}
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) == 2:
                try:
                    d[p[0]] = int(p[1])
                except ValueError:
                    pass
    return d


before, after = read_stats(sys.argv[1]), read_stats(sys.argv[2])
allowed = {}
for a in sys.argv[4:]:
    name, n = a.rsplit("=", 1)
    allowed[tuple(name.split(":", 1))] = [int(n), 0]


def delta(name):
    return after.get(name, 0) - before.get(name, 0)


# family -> {bucket: count}; buckets are stat names or "unknown"
fam = {f: {} for f in ("get", "touch", "cas", "delete", "incr", "decr")}
cmd_set = 0
cmd_flush = 0
bad = []
FAMILY_STATUS = {
    "get": {"hit": "get_hits", "miss": "get_misses"},
    "touch": {"hit": "touch_hits", "touched": "touch_hits", "miss": "touch_misses", "not_found": "touch_misses"},
    "cas": {"stored": "cas_hits", "exists": "cas_badval", "not_found": "cas_misses"},
    "delete": {"deleted": "delete_hits", "not_found": "delete_misses"},
    "incr": {"hit": "incr_hits", "not_found": "incr_misses"},
    "decr": {"hit": "decr_hits", "not_found": "decr_misses"},
}
events = 0
with open(sys.argv[3]) as f:
    for line in f:
        p = line.rstrip("\n").split("\t")
        if p[0] != "ev":
            continue
        events += 1
        proto = p[3].split("/")[0]
        cmd, status, ttl, flags = p[4], p[5], p[9], p[10].split(",")
        if (cmd, status) in allowed:
            allowed[(cmd, status)][1] += 1
            continue
        if status in ("error", "client_error", "server_error", "unanswered") or cmd == "unknown" or "ambiguous" in flags:
            bad.append(line.rstrip("\n"))
            continue
        if cmd in ("set", "add", "replace", "append", "prepend", "cas"):
            cmd_set += 1
        if cmd == "flush_all":
            cmd_flush += 1
        family = None
        if cmd in ("get", "gets") or (proto == "meta" and cmd == "gat" and status == "miss"):
            family = "get"
        elif cmd == "delete" and status == "deleted" and "invalidate" in flags:
            continue
        elif cmd in ("touch", "gat", "gats"):
            family = "touch"
        elif cmd in ("cas", "delete", "incr", "decr"):
            family = cmd
        if family is None:
            continue
        if status == "none":
            bucket = "unknown"
        else:
            bucket = FAMILY_STATUS[family].get(status)
            if bucket is None:
                bad.append(line.rstrip("\n"))
                continue
        fam[family][bucket] = fam[family].get(bucket, 0) + 1

failed = False


def check(ok, text):
    global failed
    print(("ok " if ok else "MISMATCH ") + text)
    failed = failed or not ok


check(not bad, "no error, unanswered or unexpected events (%d)%s" % (len(bad), "".join("\n  " + b for b in bad[:20])))
check(events > 0, "events parsed: %d" % events)
for (cmd, status), (want, got) in sorted(allowed.items()):
    check(want == got, "%s %s events: expected %d, got %d" % (cmd, status, want, got))
check(cmd_set == delta("cmd_set"), "cmd_set: stats %d, events %d" % (delta("cmd_set"), cmd_set))
check(cmd_flush == delta("cmd_flush"), "cmd_flush: stats %d, events %d" % (delta("cmd_flush"), cmd_flush))
total_get = sum(fam["get"].values())
check(total_get == delta("cmd_get"), "cmd_get: stats %d, events %d" % (delta("cmd_get"), total_get))
total_touch = sum(fam["touch"].values())
check(total_touch == delta("cmd_touch"), "cmd_touch: stats %d, events %d" % (delta("cmd_touch"), total_touch))
for family, buckets in FAMILY_STATUS.items():
    names = sorted(set(buckets.values()))
    unknown = fam[family].get("unknown", 0)
    for n in names:
        got = fam[family].get(n, 0)
        if unknown:
            check(got <= delta(n), "%s: stats %d, events with that status %d (+%d without status)" % (n, delta(n), got, unknown))
        else:
            check(got == delta(n), "%s: stats %d, events %d" % (n, delta(n), got))
    tot_stats = sum(delta(n) for n in names)
    tot_events = sum(fam[family].values())
    check(tot_stats == tot_events, "%s total (%s): stats %d, events %d" % (family, "+".join(names), tot_stats, tot_events))
sys.exit(1 if failed else 0)
