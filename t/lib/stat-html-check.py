#!/usr/bin/python3
# stat-html-check.py - check an mb-stat HTML page as Chromium rendered it (--dump-dom output).
#
#   stat-html-check.py DOM.html CHART-ID...
#
# Every named chart must be an <svg> holding data shapes (a polyline with points, circles, or
# bars: rects with a <title>); "no data" placeholders do not count. Prints what is missing.
import html.parser
import sys


class Charts(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.svg = None
        self.shapes = {}
        self.stack = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.svg = a.get("id")
            self.shapes.setdefault(self.svg, 0)
        elif self.svg:
            if tag == "polyline" and len(a.get("points", "").split()) >= 2:
                self.shapes[self.svg] += 1
            elif tag == "circle":
                self.shapes[self.svg] += 1
            elif tag == "title" and self.stack and self.stack[-1] == "rect":
                self.shapes[self.svg] += 1
        self.stack.append(tag)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop() == tag:
                break
        if tag == "svg":
            self.svg = None


p = Charts()
p.feed(open(sys.argv[1]).read())
bad = 0
for cid in sys.argv[2:]:
    n = p.shapes.get(cid)
    print("# %s: %s shapes" % (cid, n))
    if not n:
        bad += 1
        print("chart %s: %s" % (cid, "missing" if n is None else "empty"))
sys.exit(1 if bad else 0)
