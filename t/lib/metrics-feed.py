# metrics-feed.py - feed a capture slowly to a program serving --metrics, scrape it twice in the middle.
#
#   metrics-feed.py PORT INPUT OUTPUT PREFIX MAX CMD...
#
# Runs CMD (which serves --metrics on 127.0.0.1:PORT) with INPUT on its standard input in 32
# pieces 0.1 s apart and its standard output in OUTPUT; scrapes GET /metrics about 1.3 s and
# 2.3 s after the start into s1.txt and s2.txt. Checks: both answers are 200 with the Prometheus
# text content type, every sample of the second is at least the first's, PREFIX_packets_total
# of the second is in 1..MAX, and CMD exits 0.
import socket, subprocess, sys, time

port, data, out, prefix, most = int(sys.argv[1]), open(sys.argv[2], "rb").read(), sys.argv[3], sys.argv[4], int(sys.argv[5])


def scrape(name):
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
    buf = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        buf += d
    head, body = buf.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 ") and b"text/plain; version=0.0.4" in head, head
    open(name, "wb").write(body)
    return {l.rsplit(" ", 1)[0]: int(l.rsplit(" ", 1)[1]) for l in body.decode().splitlines() if l and l[0] != "#"}


p = subprocess.Popen(sys.argv[6:], stdin=subprocess.PIPE, stdout=open(out, "wb"))
step = len(data) // 32 + 1
t0 = time.monotonic()
got = []
for i in range(32):
    p.stdin.write(data[i * step:(i + 1) * step])
    p.stdin.flush()
    time.sleep(0.1)
    if len(got) < 2 and time.monotonic() - t0 >= 1.3 + len(got):
        got.append(scrape("s%d.txt" % (len(got) + 1)))
p.stdin.close()
assert p.wait(30) == 0
a, b = got
for k, v in a.items():
    assert b[k] >= v, (k, v, b[k])
key = prefix + "_packets_total"
assert 0 < b[key] <= most, (key, b[key])
print("# scrapes: %d then %d packets" % (a[key], b[key]))
