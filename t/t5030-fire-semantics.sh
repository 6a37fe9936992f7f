#!/bin/sh
# t5030-fire-semantics: every meta flag and mode, binary incr/decr with an initial value and
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
# the quiet opcodes, text noreply and incr/decr deltas are recorded by mb-parse and replayed
# by mb-fire. A raw client drives memcached A while tcpdump captures it; the capture goes
# through mb-parse | mb-anon | mb-pack and mb-fire replays it on a fresh memcached B. B's
# counters must equal A's exactly: without the flags (N vivifies, J/D set the numbers, C
# compares a unique, q suppresses answers, binary incr creates) they do not. memcached 1.6.18
# refuses E and md x, so they are left to t/unit/mcreq.c.
test_description='mb-fire replays recorded request semantics: memcached stats equal the original run'
. "$(dirname "$0")/test-lib.sh"

COUNTERS='^(cmd_get|cmd_set|cmd_touch|get_hits|get_misses|get_expired|get_flushed|delete_hits|delete_misses|incr_hits|incr_misses|decr_hits|decr_misses|touch_hits|touch_misses|cas_hits|cas_badval|cas_misses|curr_items|total_items) '

cat >drive.py <<'PY'
import socket, struct, sys
port = int(sys.argv[1])

def conn():
    return socket.create_connection(("127.0.0.1", port), 5)

class Text:
    def __init__(self):
        self.s = conn()
        self.buf = b""
    def line(self):
        while b"\r\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise SystemExit("server closed")
            self.buf += d
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l
    def body(self, n):
        while len(self.buf) < n + 2:
            self.buf += self.s.recv(65536)
        self.buf = self.buf[n + 2:]
    def send(self, data):
        self.s.sendall(data)
    # one meta request; answers until MN when quiet
    def meta(self, line, value=None, quiet=False):
        self.last = line
        self.send(line.encode() + b"\r\n" + (value + b"\r\n" if value is not None else b"") + (b"mn\r\n" if quiet else b""))
        out = []
        while True:
            l = self.line()
            out.append(l)
            if l.startswith(b"VA "):
                self.body(int(l.split()[1]))
            if not quiet or l == b"MN":
                return out
    def text(self, line, value=None, reply=True):
        self.last = line
        self.send(line.encode() + b"\r\n" + (value + b"\r\n" if value is not None else b""))
        if not reply:
            return None
        l = self.line()
        while l.startswith(b"VALUE "):
            self.body(int(l.split()[3]))
            l = self.line()
        return l

t = Text()
def expect(got, want):
    if not got.startswith(want):
        raise SystemExit("%s: expected %r, got %r" % (t.last, want, got))
    return got
def cas_of(line):
    return int([w for w in line.split() if w.startswith(b"c")][0][1:])

expect(t.meta("ms m:a 2 T0 F7", b"10")[0], b"HD")
ca = cas_of(expect(t.meta("mg m:a v c f k s t O42")[0], b"VA 2"))  # hit and its unique
expect(t.meta("ms m:a 2 C%d" % ca, b"11")[0], b"HD")          # cas hit
expect(t.meta("ms m:a 2 C%d" % ca, b"12")[0], b"EX")          # cas badval: the unique moved on
expect(t.meta("ms m:nope 2 C%d" % ca, b"13")[0], b"NF")       # cas miss
expect(t.meta("mg m:miss v")[0], b"EN")
expect(t.meta("mg m:viv v c N30")[0], b"VA 0")                 # vivified: created (W), a miss
expect(t.meta("mg m:viv v c N30")[0], b"VA 0")                 # the vivified item: a hit
expect(t.meta("mg m:a T100 v")[0], b"VA 2")                    # gat: touch_hits
expect(t.meta("mg m:gone T100 v")[0], b"EN")                   # touch_misses
expect(t.meta("mg m:a R30 h l v")[0], b"VA 2")
expect(t.meta("ms m:b 1 ME", b"1")[0], b"HD")                  # add
expect(t.meta("ms m:b 1 ME", b"1")[0], b"NS")                  # add of an existing item
expect(t.meta("ms m:c 1 MR", b"1")[0], b"NS")                  # replace of a missing item
expect(t.meta("ms m:b 1 MA", b"2")[0], b"HD")                  # append
expect(t.meta("ms m:b 1 MP", b"0")[0], b"HD")                  # prepend
expect(t.meta("ms m:d 1 MA N60", b"5")[0], b"NS")              # 1.6.18 does not vivify on append
expect(t.meta("ma m:n")[0], b"NF")                             # incr miss
expect(t.meta("ma m:n N60 J100 D5 v")[0], b"VA 3")             # vivify with J: 100
expect(t.meta("ma m:n D7 v")[0], b"VA 3")                      # 107
expect(t.meta("ma m:n MD D200 v t")[0], b"VA 1")               # decr to 0
expect(t.meta("ma m:n MI D3 q", quiet=True)[-1], b"MN")        # quiet incr: no answer
expect(t.meta("ma m:n M- D1 v")[0], b"VA 1")                   # 2
cn = cas_of(expect(t.meta("ma m:n M+ D1 T0 c")[0], b"HD"))     # 3 and its unique
expect(t.meta("ma m:n C%d D1" % cn)[0], b"HD")                 # cas matches
expect(t.meta("ma m:n C1 D1")[0], b"EX")                       # stale
expect(t.meta("mg m:miss v q k", quiet=True)[-1], b"MN")       # quiet miss: suppressed EN
expect(t.meta("mg m:a v q", quiet=True)[0], b"VA 2")           # quiet hit
expect(t.meta("md m:b q", quiet=True)[-1], b"MN")              # quiet delete
expect(t.meta("md m:b")[0], b"NF")
ce = cas_of(expect(t.meta("ms m:e 1 c", b"1")[0], b"HD"))
expect(t.meta("md m:e C1")[0], b"EX")
expect(t.meta("md m:e C%d I T30" % ce)[0], b"HD")              # invalidate: stale, kept
expect(t.meta("mg m:e v c")[0], b"VA 1")                       # stale hit, X W flags
expect(t.meta("ms bTpiYXNl 1 b", b"1")[0], b"HD")              # base64 key m:base
expect(t.meta("mg bTpiYXNl b v k")[0], b"VA 1")
expect(t.meta("ms m:s 1 MS I", b"1")[0], b"HD")
expect(t.meta("mg m:x v")[0], b"EN")
expect(t.meta("md m:s k O9")[0], b"HD")
# text: noreply and deltas
expect(t.text("set t:n 3 0 2", b"40"), b"STORED")
t.text("set t:q 0 0 1 noreply", b"5", reply=False)
expect(t.text("incr t:n 25"), b"65")
t.text("decr t:n 60 noreply", reply=False)
expect(t.text("incr t:n 0"), b"5")
t.text("incr t:none 3 noreply", reply=False)
t.text("delete t:q noreply", reply=False)
t.text("touch t:n 50 noreply", reply=False)
expect(t.text("get t:n t:q t:none"), b"END")
expect(t.text("gets t:n"), b"END")

# binary: incr/decr with initial values and expirations, quiet opcodes, closed by NOOP
b = conn()
bbuf = b""
def breq(op, key=b"", ext=b"", val=b"", cas=0):
    return struct.pack(">BBHBBHIIQ", 0x80, op, len(key), len(ext), 0, 0, len(key) + len(ext) + len(val), 0, cas) + ext + key + val
def bresp():
    global bbuf
    while len(bbuf) < 24 or len(bbuf) < 24 + struct.unpack(">I", bbuf[8:12])[0]:
        bbuf += b.recv(65536)
    n = 24 + struct.unpack(">I", bbuf[8:12])[0]
    r, bbuf = bbuf[:n], bbuf[n:]
    return r[1], struct.unpack(">H", r[6:8])[0]
def bone(op, key=b"", ext=b"", val=b"", cas=0):
    b.sendall(breq(op, key, ext, val, cas))
    return bresp()
def arith(d, init, exp):
    return struct.pack(">QQI", d, init, exp)
assert bone(0x05, b"b:c", arith(5, 1000, 0)) == (0x05, 0)            # incr creates with 1000
assert bone(0x05, b"b:c", arith(5, 1000, 0)) == (0x05, 0)            # 1005
assert bone(0x06, b"b:d", arith(1, 50, 0xffffffff)) == (0x06, 1)     # decr, no create: miss
assert bone(0x06, b"b:d", arith(1, 50, 300)) == (0x06, 0)            # decr creates with 50
assert bone(0x06, b"b:d", arith(20, 0, 0)) == (0x06, 0)              # 30
assert bone(0x03, b"b:r", struct.pack(">II", 0, 0), b"x") == (0x03, 1)  # replace of a missing item
# quiet opcodes: GETQ miss, SETQ, INCRQ creating, DELETEQ, GETKQ hit, then NOOP
b.sendall(breq(0x09, b"b:none") + breq(0x11, b"b:s", struct.pack(">II", 9, 0), b"77") +
          breq(0x15, b"b:qi", arith(2, 10, 0)) + breq(0x16, b"b:qi", arith(1, 0, 0)) +
          breq(0x14, b"b:s") + breq(0x0d, b"b:c") + breq(0x0a))
got = []
while True:
    op, st = bresp()
    got.append((op, st))
    if op == 0x0a:
        break
assert got == [(0x0d, 0), (0x0a, 0)], got
assert bone(0x00, b"b:qi") == (0x00, 0)                               # 10 - 1 = 9
assert bone(0x01, b"b:s", struct.pack(">II", 0, 0), b"1", cas=12345) == (0x01, 1)  # cas of a deleted item
PY

capture_once() {
	rm -f cap.pcap cap.pcap.err &&
	start_memcached && pa=$MC_PORT &&
	tcpdump_lo cap.pcap "tcp port $pa" && td=$TCPDUMP_PID &&
	"$MB_PYTHON" drive.py $pa &&
	last=-1 && stable=0 &&
	while [ $stable -lt 3 ]; do
		sleep 0.3; size=$(wc -c <cap.pcap)
		if [ "$size" = "$last" ]; then stable=$((stable + 1)); else stable=0; fi; last=$size
	done &&
	kill -INT $td && wait $td;
	grep -q "^0 packets dropped by kernel" cap.pcap.err &&
	mc_stats $pa | grep -E "$COUNTERS" | sort >expect && echo $pa >pa
}

test_expect_success ROOT,TCPDUMP,MEMCACHED 'capture a raw meta, text and binary client' '
	{ capture_once || capture_once || capture_once; } &&
	cat expect &&
	grep -q "^cas_hits [1-9]" expect && grep -q "^cas_badval [1-9]" expect && grep -q "^cas_misses [1-9]" expect &&
	grep -q "^touch_hits [1-9]" expect && grep -q "^incr_hits [1-9]" expect && grep -q "^decr_misses [1-9]" expect
'

test_expect_success ROOT,TCPDUMP,MEMCACHED 'mb-parse records the flags, modes and numbers' '
	mb-parse -q -P $(cat pa) cap.pcap >raw.stream &&
	mb-cat raw.stream >raw.txt &&
	grep -P "\tm:viv\t.*\tmeta=Ncv,vivify=30$" raw.txt &&
	grep -P "\tincr\thit\tm:n\t.*\tmeta=DJNv,delta=5,initial=100,vivify=60$" raw.txt &&
	grep -P "\tdecr\thit\tm:n\t.*\tmeta=DMtv,delta=200,mode=D$" raw.txt &&
	grep -P "\tcas\tstored\tm:a\t.*\tmeta=C,cas=[0-9]+$" raw.txt &&
	grep -P "\tget\thit\tm:a\t.*\tmeta=Ocfkstv$" raw.txt &&
	grep -P "\tm:base\t.*\tmeta=bkv$" raw.txt &&
	grep -P "^ev\t.*\tbinary/tcp\tincr\thit\tb:c\t.*\tdelta=5,initial=1000$" raw.txt &&
	grep -P "^ev\t.*\tbinary/tcp\tdecr\tnot_found\tb:d\t3\t0\t-1\t.*\tdelta=1,initial=50$" raw.txt &&
	grep -P "^ev\t.*\ttext/tcp\tdecr\tnone\tt:n\t.*\tnoreply\t.*\tdelta=60$" raw.txt &&
	grep -P "^ev\t.*\tbinary/tcp\treplace\tnot_stored\tb:r\t" raw.txt &&
	mb-cat raw.stream | mb-cat -p | cmp - raw.stream
'

test_expect_success ROOT,TCPDUMP,MEMCACHED 'the profile keeps the meta flags' '
	mb-anon <raw.stream | mb-pack >p.prof &&
	mb-cat p.prof | grep -c "meta=" >nmeta && test "$(cat nmeta)" -gt 30
'

for speed in "-s 1" "-s 10" "-s 100" "--max" "--max -T 3" "-s 10 -T 3"; do
	test_expect_success ROOT,TCPDUMP,MEMCACHED "the replay on a fresh server, $speed, ends with the same counters" '
		start_memcached && pb=$MC_PORT &&
		mb-fire -q -t 127.0.0.1:$pb '"$speed"' p.prof >report &&
		cat report &&
		grep "^errors: 0 " report &&
		mc_stats $pb | grep -E "$COUNTERS" | sort >actual &&
		test_cmp expect actual
	'
done

test_done
