"""An independent check of the node's transparency-log proofs, written from RFC 9162 (2.1.3.2 and
2.1.4.2) with SM3 from Python's hashlib (OpenSSL). It reads one JSON object per line on standard
input and prints "ok" or "bad" for each:

  {"kind": "inclusion", "index": I, "size": N, "leafHash": hex, "proof": [hex...], "root": hex}
  {"kind": "consistency", "from": M, "to": N, "proof": [hex...], "root1": hex, "root2": hex}
  {"kind": "leaf", "data": hex, "leafHash": hex}
"""
import hashlib
import json
import sys


def sm3(data):
    return hashlib.new("sm3", data).digest()


def node(left, right):
    return sm3(b"\x01" + left + right)


def verify_inclusion(index, size, leaf, proof, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, root1, root2, proof):
    if first > second:
        return False
    if first == second:
        return not proof and root1 == root2
    if first == 0 or not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, root1)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node(c, fr)
            sr = node(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == root1 and sr == root2


def check(q):
    h = bytes.fromhex
    if q["kind"] == "inclusion":
        return verify_inclusion(q["index"], q["size"], h(q["leafHash"]), [h(p) for p in q["proof"]], h(q["root"]))
    if q["kind"] == "consistency":
        return verify_consistency(q["from"], q["to"], h(q["root1"]), h(q["root2"]), [h(p) for p in q["proof"]])
    if q["kind"] == "leaf":
        return sm3(b"\x00" + h(q["data"])) == h(q["leafHash"])
    raise ValueError(q["kind"])


for line in sys.stdin:
    if line.strip():
        print("ok" if check(json.loads(line)) else "bad", flush=True)
