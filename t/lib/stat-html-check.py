#!/usr/bin/python3
# stat-html-check.py - check an mb-stat or mb-fire HTML page as Chromium rendered it (--dump-dom output).
#
#   stat-html-check.py DOM.html CHART-ID[=REGEX]...
#
# Every named chart must be an <svg> holding data shapes (a polyline with points, circles, or
# bars: rects with a <title>); "no data" placeholders do not count. A chart with data must have
# an x and a y axis title, and every circle and bar a tooltip (<title>); with =REGEX every
# tooltip of the chart must match REGEX (its units). On the whole page: no tick label with a
# padded decimal ("5.00k", "2.50"), no NaN or inf, and no anomaly counter that is 0.
# Prints what is wrong; exit 1 when anything is.
import html.parser
import re
import sys


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.svg = None
        self.charts = {}
        self.stack = []
        self.text = None      # (kind, chart) of the text element being read
        self.ticks = []
        self.in_anom = False
        self.anom_rows = []
        self.row = None

    def chart(self):
        return self.charts[self.svg]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.svg = a.get("id")
            self.charts.setdefault(self.svg, {"shapes": 0, "xlabel": "", "ylabel": "", "tips": [], "untitled": 0, "open": []})
        elif self.svg:
            c = self.chart()
            if tag == "polyline" and len(a.get("points", "").split()) >= 2:
                c["shapes"] += 1
            elif tag == "circle":
                c["shapes"] += 1
                c["open"].append("circle")
            elif tag == "rect":
                c["open"].append("rect")
            elif tag == "title" and self.stack and self.stack[-1] in ("rect", "circle"):
                if self.stack[-1] == "rect":
                    c["shapes"] += 1
                c["open"][-1] = "titled"
                self.text = "tip"
            elif tag == "text":
                cls = a.get("class", "")
                self.text = cls if cls in ("xlabel", "ylabel", "tick") else None
        if tag == "table" and "anomalies" in (dict(attrs).get("class") or ""):
            self.in_anom = True
        if self.in_anom and tag == "tr":
            self.row = []
        self.stack.append(tag)

    def handle_data(self, data):
        if self.svg and self.text:
            c = self.chart()
            if self.text == "tip":
                c["tips"].append(data)
            elif self.text == "tick":
                self.ticks.append((self.svg, data))
            else:
                c[self.text] += data
        if self.row is not None:
            self.row.append(data)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop() == tag:
                break
        if self.svg and tag in ("rect", "circle"):
            c = self.chart()
            if c["open"]:
                state = c["open"].pop()
                if tag == "circle" and state != "titled":
                    c["untitled"] += 1
        if tag in ("title", "text"):
            self.text = None
        if tag == "svg":
            self.svg = None
        if tag == "tr" and self.row is not None:
            self.anom_rows.append(self.row)
            self.row = None
        if tag == "table":
            self.in_anom = False


p = Page()
p.feed(open(sys.argv[1]).read())
bad = 0


def fail(msg):
    global bad
    bad += 1
    print(msg)


for arg in sys.argv[2:]:
    cid, _, rx = arg.partition("=")
    c = p.charts.get(cid)
    print("# %s: %s shapes, %s tooltips" % (cid, c and c["shapes"], c and len(c["tips"])))
    if not c or not c["shapes"]:
        fail("chart %s: %s" % (cid, "missing" if c is None else "empty"))
        continue
    if not c["xlabel"].strip() or not c["ylabel"].strip():
        fail("chart %s: an axis has no title (x '%s', y '%s')" % (cid, c["xlabel"], c["ylabel"]))
    if c["untitled"] or not c["tips"]:
        fail("chart %s: %d points without a tooltip, %d tooltips" % (cid, c["untitled"], len(c["tips"])))
    for t in c["tips"]:
        if rx and not re.search(rx, t):
            fail("chart %s: tooltip without its unit (%s): '%s'" % (cid, rx, t))
            break
for cid, t in p.ticks:
    if re.search(r"\d\.\d*0(?!\d)", t) or re.search(r"nan|inf", t, re.I):
        fail("chart %s: tick label '%s'" % (cid, t))
for row in p.anom_rows:
    cells = [x.strip() for x in row if x.strip()]
    if cells and cells[-1] == "0":
        fail("anomaly counter shown though 0: %s" % " ".join(cells))
sys.exit(1 if bad else 0)
