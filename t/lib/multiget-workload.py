# multiget-workload.py - long multi-key get lines (hundreds to thousands of keys), as memcached accepts them.
#
#   multiget-workload.py PORT
#
# Stores every third of 3000 keys of 41 bytes, then sends get and gets lines of 300 keys
# (a 12 KB line) and 3000 keys (a 123 KB line), and a gat of 40 keys, each read to its END.
# memcached 1.6 has no limit on the length of a get or gets line (every key is one cmd_get);
# other lines must fit its 2048-byte read buffer (a longer gat line closes the connection).
import socket
import sys

port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), 10)


def until(end):
    buf = b""
    while not buf.endswith(end):
        d = s.recv(1 << 20)
        if not d:
            sys.exit("server closed the connection")
        buf += d
    return buf


def key(i):
    return b"multiget:%032d" % i


s.sendall(b"".join(b"set %s 0 0 2 noreply\r\nvv\r\n" % key(i) for i in range(0, 3000, 3)))
s.sendall(b"mn\r\n")
until(b"MN\r\n")
for cmd, n in ((b"get", 300), (b"gets", 300), (b"get", 3000)):
    s.sendall(cmd + b" " + b" ".join(key(i) for i in range(n)) + b"\r\n")
    until(b"END\r\n")
s.sendall(b"gat 100 " + b" ".join(key(i) for i in range(40)) + b"\r\n")
until(b"END\r\n")
s.close()
