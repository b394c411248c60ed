#!/usr/bin/env python3
# Check a JSON hole report against the text report of the same file.
# Copyright (C) 2026 the fallocate developers.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# report-json.py TEXT JSON NAME OFFSET LENGTH ALLOCATED VERBOSE
#
# TEXT holds the output of `fallocate -r [-v] ARGS NAME`, JSON that of
# `fallocate -r [-v] -J ARGS NAME` (the same ARGS); OFFSET and LENGTH are
# the range the report must say it covers, ALLOCATED the bytes of it that
# have space (from FIEMAP or SEEK_DATA), VERBOSE 1 if -v was given, else
# 0.  JSON must be exactly one line,
# strict UTF-8 and strict JSON (no control characters in strings, no
# NaN), with exactly the documented members, in their order; every
# number the text prints must be there, the percentages as the same
# digits, and with -v the lists of holes must be the hole lines of TEXT.
# Prints the JSON line; exits 1 with a message on the first difference.

import json
import os
import re
import sys


def fail(why):
    sys.exit("report-json.py: " + why)


def expected_name(raw):
    """The name as the manual says --json shows it: each valid UTF-8
    sequence as it is, each other byte as U+FFFD."""
    out, i, valid = [], 0, True
    while i < len(raw):
        for n in (1, 2, 3, 4):
            try:
                c = raw[i:i + n].decode("utf-8")
            except UnicodeDecodeError:
                continue
            if len(c) == 1:
                out.append(c)
                i += n
                break
        else:
            out.append("\ufffd")
            i += 1
            valid = False
    return "".join(out), valid


def reject_constant(name):
    fail("not JSON: " + name)


def parse_text(text):
    """The holes listed and the two summary lines of a text report."""
    lines = text.split("\n")
    if lines[-1] != "":
        fail("text report does not end in a newline")
    lines.pop()
    holes = {"file": [], "data": []}
    hole = re.compile(r"(file|data) hole: offset (\d+) - (\d+) \((\d+) bytes\)")
    while lines and hole.fullmatch(lines[0]):
        kind, start, end, length = hole.fullmatch(lines.pop(0)).groups()
        if int(end) - int(start) != int(length):
            fail("text hole line does not add up")
        holes[kind].append({"offset": int(start), "length": int(length)})
    summary = re.compile(r"(file|data) holes: (\d+) holes, [^(]* "
                         r"\((\d+) bytes, ([0-9.]+)% of the file\)")
    if lines[:2] != ["", "Summary:"] or len(lines) != 4:
        fail("text report not as expected: %r" % text)
    totals = {}
    for line in lines[2:]:
        m = summary.fullmatch(line)
        if not m:
            fail("text summary line not as expected: %r" % line)
        totals[m.group(1)] = (int(m.group(2)), int(m.group(3)), m.group(4))
    return holes, totals


def main():
    text_path, json_path, name, offset, length, allocated, verbose = \
        sys.argv[1:]
    verbose = verbose == "1"
    with open(text_path, encoding="ascii") as f:
        holes, totals = parse_text(f.read())
    with open(json_path, "rb") as f:
        raw = f.read()
    if not raw.endswith(b"\n") or raw.count(b"\n") != 1:
        fail("not exactly one line: %r" % raw)
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        fail("not UTF-8: %s" % e)
    obj = json.loads(line, parse_float=str, parse_constant=reject_constant)
    if not isinstance(obj, dict):
        fail("not an object")

    name_bytes = name.encode("utf-8", "surrogateescape")
    want_name, valid = expected_name(name_bytes)
    keys = ["file", "size", "offset", "length", "allocated", "file_holes",
            "data_holes"]
    if not valid:
        keys.insert(1, "file_bytes")
    if list(obj) != keys:
        fail("members %s, expected %s" % (list(obj), keys))
    if obj["file"] != want_name:
        fail("file %r, expected %r" % (obj["file"], want_name))
    if not valid and bytes.fromhex(obj["file_bytes"]) != name_bytes:
        fail("file_bytes %r is not the name" % obj["file_bytes"])
    if not valid and obj["file_bytes"] != name_bytes.hex():
        fail("file_bytes %r is not lowercase hex" % obj["file_bytes"])

    def integer(value, what):
        if type(value) is not int:
            fail("%s is not an integer: %r" % (what, value))
        return value

    for member, want in (("offset", offset), ("length", length),
                         ("allocated", allocated)):
        if integer(obj[member], member) != int(want):
            fail("%s %r, expected %s" % (member, obj[member], want))
    if integer(obj["size"], "size") != os.stat(name_bytes).st_size:
        fail("size %r, stat says %d" % (obj["size"], os.stat(name_bytes).st_size))

    for kind in ("file", "data"):
        member = obj[kind + "_holes"]
        count, nbytes, percent = totals[kind]
        # With -v the holes are listed, even when there are none.
        want = ["count", "bytes", "percent"] + (["holes"] if verbose else [])
        if list(member) != want:
            fail("%s_holes members %s" % (kind, list(member)))
        if integer(member["count"], "count") != count:
            fail("%s_holes count %r, text %d" % (kind, member["count"], count))
        if integer(member["bytes"], "bytes") != nbytes:
            fail("%s_holes bytes %r, text %d" % (kind, member["bytes"], nbytes))
        if member["percent"] != percent:
            fail("%s_holes percent %r, text %s"
                 % (kind, member["percent"], percent))
        if verbose:
            for h in member["holes"]:
                if list(h) != ["offset", "length"]:
                    fail("hole members %s" % list(h))
                integer(h["offset"], "offset")
                integer(h["length"], "length")
            if member["holes"] != holes[kind]:
                fail("%s holes %r, text %r" % (kind, member["holes"],
                                               holes[kind]))
            if len(member["holes"]) != count:
                fail("%s holes listed: %d, count %d"
                     % (kind, len(member["holes"]), count))
    print(line, end="")


if __name__ == "__main__":
    main()
