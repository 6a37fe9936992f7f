# loss-check.py - events parsed from a lossy capture must be a trustworthy subset of the lossless run's events.
#
#   loss-check.py LOSSLESS.txt LOSSY.txt [MIN_FRACTION]
#
# Both files are mb-cat text of mb-parse's output. For every connection of the lossy run
# there must be a connection of the lossless run of which its events are a subsequence,
# matching on (proto/transport, cmd, key) and the timestamp: a packet loss may hide events,
# never invent or alter one. A status must be the lossless status, or none/unanswered (the
# reply was lost). The timestamp may move by up to TS_SLACK seconds: when the lost segment
# is the end of a value body that the parser skips by length anyway, the request is still
# trustworthy but the packet that completed it is gone, so its time is the nearest one seen.
# At least MIN_FRACTION (default 0.3) of the lossless events must survive.
# Prints "ok ..." or "MISMATCH ..." lines; exits 1 on any mismatch.
import sys

TS_SLACK = 1.0


def load(path):
    conns = {}
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if p[0] == "ev":
                conns.setdefault(p[2], []).append((p[1], p[3], p[4], p[6], p[5]))
    return conns


def subseq(small, big):
    """Index of the first event of small that cannot be matched in order in big, or -1."""
    j = 0
    for i, (ts, pt, cmd, key, st) in enumerate(small):
        while j < len(big):
            b = big[j]
            j += 1
            if (b[1:4] == (pt, cmd, key) and abs(float(b[0]) - float(ts)) <= TS_SLACK
                    and (st == b[4] or st in ("none", "unanswered"))):
                break
        else:
            return i
    return -1


full, lossy = load(sys.argv[1]), load(sys.argv[2])
min_frac = float(sys.argv[3]) if len(sys.argv) > 3 else 0.3
failed = False
for cid, evs in sorted(lossy.items()):
    candidates = ([full[cid]] if cid in full else []) + [v for k, v in full.items() if k != cid]
    best = None
    for cand in candidates:
        bad = subseq(evs, cand)
        if bad < 0:
            best = -1
            break
        best = bad if best is None else max(best, bad)
    if best != -1:
        failed = True
        i = best if best is not None else 0
        print("MISMATCH conn %s: event %d not in any lossless connection: %s" % (cid, i + 1, "\t".join(evs[i])))
n_full = sum(len(v) for v in full.values())
n_lossy = sum(len(v) for v in lossy.values())
ok = n_full > 0 and n_lossy >= min_frac * n_full
failed = failed or not ok
print("%s events: lossless %d, lossy %d (at least %.0f%% must survive)" % ("ok" if ok else "MISMATCH", n_full, n_lossy, min_frac * 100))
sys.exit(1 if failed else 0)
