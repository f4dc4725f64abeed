"""tests/plot_check.py: checks the charts `actjit` writes.

usage: /usr/bin/python3 plot_check.py FILE.svg|FILE.png ...

SVG: parses as XML, has an <svg> root, and at least one non-empty <path>
of class "curve-f" and one of class "curve-df" (f and f').
PNG: the signature, 800x500, decodes (8-bit RGB/RGBA, every filter), and
holds at least 50 pixels near f's colour and 50 near f''s (cli/plot.h's
PLOT_COLOR_F and PLOT_COLOR_DF): both curves were drawn.
Exits 1 with a line per problem, else 0.  Standard library only.
"""
import math
import re
import struct
import sys
import xml.dom.minidom
import zlib

COLOR_F = (0x1F, 0x77, 0xB4)
COLOR_DF = (0xD6, 0x27, 0x28)


def check_svg(path):
    problems = []
    doc = xml.dom.minidom.parse(path)
    if doc.documentElement.tagName != "svg":
        problems.append("root element is not <svg>")
    for cls in ("curve-f", "curve-df"):
        paths = [p for p in doc.getElementsByTagName("path")
                 if p.getAttribute("class") == cls
                 and p.getAttribute("d").strip()]
        if not paths:
            problems.append("no non-empty <path class=%r>" % cls)
    for p in doc.getElementsByTagName("path"):
        for token in re.split(r"[A-Za-z, ]+", p.getAttribute("d")):
            if token and not math.isfinite(float(token)):
                problems.append("a path coordinate %r" % token)
    return problems


def png_pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG signature")
    at, idat, header = 8, b"", None
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, ctype, _, _, interlace = header
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError("unsupported PNG (depth %d, colour type %d)"
                         % (depth, ctype))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, at = [], bytearray(stride), 0
    for _ in range(height):
        kind = raw[at]
        line = bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def near(px, color):
    return sum(abs(px[k] - color[k]) for k in range(3)) <= 24


def check_png(path):
    problems = []
    width, height, bpp, rows = png_pixels(path)
    if (width, height) != (800, 500):
        problems.append("size %dx%d, expected 800x500" % (width, height))
    counts = [0, 0]
    for line in rows:
        for i in range(0, len(line), bpp):
            px = line[i:i + 3]
            counts[0] += near(px, COLOR_F)
            counts[1] += near(px, COLOR_DF)
    for name, n in zip(("f", "f'"), counts):
        if n < 50:
            problems.append("only %d pixels of %s's colour" % (n, name))
    return problems


def main(paths):
    bad = 0
    for path in paths:
        try:
            problems = (check_svg(path) if path.endswith(".svg")
                        else check_png(path))
        except Exception as e:  # any failure to read is a problem
            problems = ["cannot check: %s" % e]
        for p in problems:
            print("%s: %s" % (path, p))
            bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
