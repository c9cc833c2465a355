#!/usr/bin/env python3
"""Asserts on a csod_diagnose result (JSON on stdin or in a file).

  check.py FILE finding ID STATUS [PROBLEM|-] [--contains TEXT] [--first] [--fix TEXT|--no-fix]
                                            [--fix-starts TEXT] [--step N TEXT] [--not-contains TEXT]
  check.py FILE fact ID PATH=VALUE ...      (PATH is a dotted path into the fact's value)
  check.py FILE field PATH=VALUE ...        (PATH is a dotted path into the document)

Prints "ok ..." or "FAIL ..." with the finding, and exits 1 on failure.
"""
import json
import sys


def fail(msg, obj=None):
    print("FAIL " + msg)
    if obj is not None:
        print(json.dumps(obj, indent=1, ensure_ascii=False)[:4000])
    sys.exit(1)


def dig(v, path):
    for p in path.split("."):
        if isinstance(v, list):
            v = v[int(p)]
        elif isinstance(v, dict):
            if p not in v:
                return "<absent>"
            v = v[p]
        else:
            return "<absent>"
    return v


def as_text(v):
    return v if isinstance(v, str) else json.dumps(v)


def main(argv):
    path, kind = argv[1], argv[2]
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if doc.get("schema") != 1:
        fail("schema is not 1", doc)
    if kind == "finding":
        fid, status = argv[3], argv[4]
        rest = argv[5:]
        problem = None
        if rest and not rest[0].startswith("--"):
            problem = rest.pop(0)
        findings = doc["findings"]
        found = [f for f in findings if f["id"] == fid]
        if not found:
            fail("no finding %s" % fid, [f["id"] for f in findings])
        f = found[0]
        if f["status"] != status:
            fail("%s: status %s, expected %s" % (fid, f["status"], status), f)
        if problem not in (None, "-") and f["problem"] != problem:
            fail("%s: problem %s, expected %s" % (fid, f["problem"], problem), f)
        i = 0
        while i < len(rest):
            opt = rest[i]
            if opt == "--first":
                if findings[0]["id"] != fid:
                    fail("%s is not the first finding" % fid, [x["id"] for x in findings])
            elif opt == "--contains":
                i += 1
                if rest[i] not in json.dumps(f, ensure_ascii=False):
                    fail("%s does not mention %r" % (fid, rest[i]), f)
            elif opt == "--not-contains":
                i += 1
                if rest[i] in json.dumps(f, ensure_ascii=False):
                    fail("%s mentions %r" % (fid, rest[i]), f)
            elif opt == "--fix-starts":
                i += 1
                if not (f["fix"] or "").startswith(rest[i]):
                    fail("%s: fix does not start with %r" % (fid, rest[i]), f)
            elif opt == "--step":
                n, text = int(rest[i + 1]), rest[i + 2]
                i += 2
                steps = f["resolution"] or []
                if n >= len(steps) or text not in steps[n]:
                    fail("%s: resolution step %d lacks %r" % (fid, n, text), f)
            elif opt == "--no-fix":
                if f["fix"] is not None:
                    fail("%s offers a fix" % fid, f)
            elif opt == "--fix":
                i += 1
                if rest[i] not in (f["fix"] or ""):
                    fail("%s: fix lacks %r" % (fid, rest[i]), f)
            else:
                fail("unknown option " + opt)
            i += 1
        print("ok   %-38s %-14s %s" % (fid, status, f["summary"][:90]))
        return
    if kind in ("fact", "field"):
        if kind == "fact":
            fid = argv[3]
            facts = [x for x in doc["facts"] if x["id"] == fid]
            if not facts:
                fail("no fact %s" % fid, [x["id"] for x in doc["facts"]])
            base, pairs = facts[0], argv[4:]
            label = fid
        else:
            base, pairs, label = doc, argv[3:], "document"
        for pair in pairs:
            k, v = pair.split("=", 1)
            got = as_text(dig(base, k))
            if got != v:
                fail("%s: %s is %s, expected %s" % (label, k, got, v), base)
        print("ok   %-38s %s" % (label, " ".join(pairs)))
        return
    fail("unknown check " + kind)


main(sys.argv)
