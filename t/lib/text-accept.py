# text-accept.py - send hostile text/meta request lines to a live memcached and compare its replies with mb-parse's events.
#
#   text-accept.py run PORT CASES TRUTH     one connection per case (in order), each case followed by
#                                           "version\r\n"; TRUTH gets one line per case: the reply
#                                           items memcached sent, or "skip" when it never answered the fence
#   text-accept.py check TRUTH EVENTS.txt   mb-cat text of mb-parse's events for the capture: per
#                                           connection (in conn id order), the events' items equal the truth
#
# CASES: one case a line, Python escapes (\r \n \t \xNN), "{kN}" for N bytes of 'k', '#' lines skipped.
# Items: a reply line's status name (STORED -> stored, CLIENT_ERROR ... -> client_error, a number
# -> hit, VERSION -> ok, meta HD/VA/EN/NF/NS/EX/MN/ME by the request they answer is left to the
# event side: a meta reply is its code), a get reply "values:N" (N VALUE lines before END).
# On the event side the fence's version event and events without a reply on the wire (status
# none, or inferred) are no items; the events of one
# batch that are all hit/miss make one "values:N" item, other batches one item per distinct status.
import re
import socket
import sys

STATUS = {
    b"STORED": "stored", b"NOT_STORED": "not_stored", b"EXISTS": "exists", b"NOT_FOUND": "not_found",
    b"DELETED": "deleted", b"TOUCHED": "touched", b"OK": "ok", b"ERROR": "error", b"CLIENT_ERROR": "client_error",
    b"SERVER_ERROR": "server_error", b"VERSION": "ok", b"RESET": "ok",
}
META = {b"HD": "hd", b"VA": "va", b"EN": "en", b"NF": "nf", b"NS": "ns", b"EX": "ex", b"MN": "mn", b"ME": "me"}


def load_cases(path):
    cases = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            line = re.sub(r"\{k(\d+)\}", lambda m: "k" * int(m.group(1)), line)
            cases.append(line.encode().decode("unicode_escape").encode("latin1"))
    return cases


def reply_items(buf):
    """Items of a reply stream ending with the fence's VERSION line (which is left out)."""
    items, i, values = [], 0, None
    while True:
        j = buf.find(b"\r\n", i)
        if j < 0:
            return None
        line = buf[i:j]
        i = j + 2
        word = line.split(b" ", 1)[0]
        if word == b"VALUE":
            n = int(line.split()[3])
            i += n + 2
            values = (values or 0) + 1
            continue
        if word == b"END":
            items.append("values:%d" % (values or 0))
            values = None
            continue
        if word == b"VERSION" and i == len(buf):
            return items
        if word in (b"VA",):
            i += int(line.split()[1]) + 2
        if word == b"STAT":
            continue
        if word in STATUS:
            items.append(STATUS[word])
        elif word in META:
            items.append(META[word])
        elif word.isdigit():
            items.append("hit")
        else:
            items.append("other:" + word.decode("latin1"))


def run(port, cases_path, truth_path):
    with open(truth_path, "w") as out:
        for case in load_cases(cases_path):
            s = socket.create_connection(("127.0.0.1", port), 5)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.settimeout(1.0)
            s.sendall(case + b"version\r\n")
            buf, items = b"", None
            try:
                while items is None:
                    d = s.recv(65536)
                    if not d:
                        break
                    buf += d
                    items = reply_items(buf)
            except socket.timeout:
                pass
            s.close()
            out.write("skip\n" if items is None else " ".join(items) + "\n")


# meta reply code -> the event statuses it may become (by the request's command)
META_EV = {"hd": {"hit", "stored", "deleted", "ok"}, "va": {"hit"}, "en": {"miss"}, "nf": {"not_found", "miss"},
           "ns": {"not_stored"}, "ex": {"exists"}, "mn": {"ok"}, "me": {"hit"}}


def check(truth_path, events_path):
    truth = [line.split() if line.strip() != "skip" else None for line in open(truth_path)]
    conns = {}
    with open(events_path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if p[0] != "ev":
                continue
            conns.setdefault(int(p[2]), []).append(p)
    ids = sorted(conns)
    failed = 0
    if len(ids) != len(truth):
        print("MISMATCH connections: %d cases, %d connections with events" % (len(truth), len(ids)))
        failed += 1
    for n, (cid, want) in enumerate(zip(ids, truth)):
        if want is None:
            continue
        evs = conns[cid]
        if evs and evs[-1][4] == "version":
            evs = evs[:-1]  # the fence
        # no item for events without a reply on the wire: status none, or inferred from a quiet request
        evs = [e for e in evs if e[5] != "none" and "inferred" not in e[10].split(",")]
        got, k = [], 0
        while k < len(evs):
            e = evs[k]
            if e[11] != "0":
                batch = [x for x in evs[k:] if x[11] == e[11]]
                k += len(batch)
                sts = [x[5] for x in batch]
                if all(s in ("hit", "miss") for s in sts) and e[4] in ("get", "gets", "gat", "gats"):
                    got.append("values:%d" % sts.count("hit"))
                else:
                    got.extend(sorted(set(sts)))
                continue
            k += 1
            if e[4] in ("get", "gets", "gat", "gats") and e[3].startswith("text") and e[5] in ("hit", "miss"):
                got.append("values:%d" % (e[5] == "hit"))
            else:
                got.append(e[5])
        ok = len(got) == len(want) and all(
            g == w or (w in META_EV and g in META_EV[w]) for g, w in zip(got, want))
        if not ok:
            failed += 1
            print("MISMATCH case %d (conn %d): memcached %s, events %s" % (n + 1, cid, " ".join(want) or "-", " ".join(got) or "-"))
    print("%s %d cases, %d mismatches" % ("ok" if not failed else "not ok", len(truth), failed))
    return 1 if failed else 0


if sys.argv[1] == "run":
    run(int(sys.argv[2]), sys.argv[3], sys.argv[4])
elif sys.argv[1] == "check":
    sys.exit(check(sys.argv[2], sys.argv[3]))
else:
    sys.exit("usage: text-accept.py run PORT CASES TRUTH | check TRUTH EVENTS.txt")
