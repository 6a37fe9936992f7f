# mcnames.py - memcached command names shared by the request-list scripts: text commands tshark
# names, binary opcodes as event.h maps them, the opcodes that carry a CAS, and keys as mb-cat
# prints them.

TEXT_CMDS = {"get", "gets", "set", "add", "replace", "append", "prepend", "cas", "delete",
             "incr", "decr", "flush_all", "version", "stats", "quit"}

# quiet variants map to their command (GETQ/GETK/GETKQ -> get, SETQ -> set, ...), STAT ->
# stats, FLUSH -> flush_all, SASL opcodes -> auth
BIN_OPS = {
    0x00: "get", 0x01: "set", 0x02: "add", 0x03: "replace", 0x04: "delete", 0x05: "incr",
    0x06: "decr", 0x07: "quit", 0x08: "flush_all", 0x09: "get", 0x0a: "noop", 0x0b: "version",
    0x0c: "get", 0x0d: "get", 0x0e: "append", 0x0f: "prepend", 0x10: "stats", 0x11: "set",
    0x12: "add", 0x13: "replace", 0x14: "delete", 0x15: "incr", 0x16: "decr", 0x17: "quit",
    0x18: "flush_all", 0x19: "append", 0x1a: "prepend", 0x1b: "verbosity", 0x1c: "touch",
    0x1d: "gat", 0x1e: "gat", 0x20: "auth", 0x21: "auth", 0x22: "auth",
}

# SET/ADD/REPLACE and their quiet forms: with a non-zero CAS memcached performs a cas
CAS_OPS = {0x01, 0x02, 0x03, 0x11, 0x12, 0x13}


def escape(b):
    """A key as mb-cat prints it ("-" for none)."""
    if not b:
        return "-"
    out = []
    for c in b:
        if c == 0x5c:
            out.append("\\\\")
        elif 0x20 < c < 0x7f:
            out.append(chr(c))
        else:
            out.append("\\x%02x" % c)
    s = "".join(out)
    if s == "-":
        return "\\x2d"
    if s.startswith("@"):
        return "\\x40" + s[1:]
    return s
