# evproj.py - mb-cat event lines reduced to what a hand-checked expectation states.
#
#   evproj.py [FILE]      (stdin by default)
#
# Prints, per event: conn proto/transport cmd status key key_len value_len ttl flags batch
# resp_len (tab-separated), with connections and batches renumbered 1, 2, ... in order of
# first appearance (batch 0 stays "-"); timestamps and latencies are left out (t2120
# checks them separately against the capture's packet times). Lines starting with '#' or
# other frame kinds are skipped.
import sys

conns, batches = {}, {}
with (open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin) as f:
    for line in f:
        p = line.rstrip("\n").split("\t")
        if p[0] != "ev":
            continue
        c = conns.setdefault(p[2], str(len(conns) + 1))
        b = "-" if p[11] == "0" else "b" + batches.setdefault((p[2], p[11]), str(len(batches) + 1))
        print("\t".join([c, p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], b, p[12]]))
