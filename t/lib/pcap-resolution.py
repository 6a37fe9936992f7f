# pcap-resolution.py - rewrite a capture's packets at another timestamp resolution, with digits below the source's own.
#
# usage: pcap-resolution.py IN OUT FORMAT
#   FORMAT  pcap-us     classic pcap, microseconds (magic a1b2c3d4)
#           pcap-ns     classic pcap, nanoseconds (magic a1b23c4d)
#           pcapng-R    pcapng whose interface has if_tsresol R (a decimal exponent 0..9;
#                       6 is written without the option, as its default)
# Times are cut to whole microseconds first, then every packet gets deterministic digits
# below the microsecond down to the format's resolution (packet i: (i * 7919) mod 10^k),
# so a finer format carries real information in its extra digits and a coarser one none.
# Packets keep their order and bytes.
import struct
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from pcaplib import packet_times  # noqa: E402

src, out, fmt = sys.argv[1], sys.argv[2], sys.argv[3]
pkts = list(packet_times(open(src, "rb").read()))
link = pkts[0][1]
exp = 6 if fmt == "pcap-us" else 9 if fmt == "pcap-ns" else int(fmt.split("-")[1])
ticks = []  # timestamps in units of 10^-exp s
for i, (ts, _, _) in enumerate(pkts):
    us = ts // 1000
    extra = (i * 7919) % (10 ** (exp - 6)) if exp > 6 else 0
    ticks.append(us * 10 ** (exp - 6) + extra if exp >= 6 else us // 10 ** (6 - exp))
with open(out, "wb") as f:
    if fmt.startswith("pcap-"):
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4 if exp == 6 else 0xA1B23C4D, 2, 4, 0, 0, 262144, link))
        for t, (_, _, data) in zip(ticks, pkts):
            sec, frac = divmod(t, 10 ** exp)
            f.write(struct.pack("<IIII", sec, frac, len(data), len(data)) + data)
    else:
        f.write(struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack("<I", 28))
        opts = b"" if exp == 6 else struct.pack("<HHB3x", 9, 1, exp) + struct.pack("<HH", 0, 0)
        blen = 20 + len(opts)
        f.write(struct.pack("<IIHHI", 1, blen, link, 0, 262144) + opts + struct.pack("<I", blen))
        for t, (_, _, data) in zip(ticks, pkts):
            pad = (4 - len(data) % 4) % 4
            blen = 32 + len(data) + pad
            f.write(struct.pack("<IIIIIII", 6, blen, 0, t >> 32, t & 0xFFFFFFFF, len(data), len(data)) + data +
                    b"\0" * pad + struct.pack("<I", blen))
