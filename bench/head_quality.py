#!/usr/bin/env python3
"""Quality of the output head on the array (tern run --head t2|t3) against the float head.

For each model, `tern run --check all --tokens 1 --logits F.npy` computes the logits of
every prompt position (teacher-forced: the same ids for every head), once per head; this
script reads the .npy files (float32 [positions, vocab]) and reports, per head, the mean
and largest KL(P_float || P_head) in nats over the positions, how often the argmax (the
greedy next token) agrees, and the mean entropy of the float distribution (near
log(vocab) means a flat distribution, where any head looks good). Standard library only.

usage: bench/head_quality.py OUT.json MODEL:PROMPT_ARGS ... (see main)
"""
import json
import math
import os
import struct
import subprocess
import sys
import tempfile

TERN = os.environ.get("TERN", "build/tern")


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        raise SystemExit("%s: not an .npy file" % path)
    hlen = struct.unpack("<H", data[8:10])[0]
    header = data[10:10 + hlen].decode("latin1")
    shape = eval(header[header.index("(", header.index("shape")):header.index(")") + 1])
    if "<f4" not in header:
        raise SystemExit("%s: not float32" % path)
    rows, cols = shape
    body = data[10 + hlen:]
    vals = struct.unpack("<%df" % (rows * cols), body[:4 * rows * cols])
    return [vals[i * cols:(i + 1) * cols] for i in range(rows)]


def log_softmax(row):
    m = max(row)
    s = sum(math.exp(v - m) for v in row)
    ls = m + math.log(s)
    return [v - ls for v in row]


def compare(ref, got):
    kls, agree, ent = [], 0, []
    for a, b in zip(ref, got):
        la, lb = log_softmax(a), log_softmax(b)
        kl = sum(math.exp(x) * (x - y) for x, y in zip(la, lb))
        kls.append(max(kl, 0.0))
        ent.append(-sum(math.exp(x) * x for x in la))
        agree += max(range(len(a)), key=a.__getitem__) == max(range(len(b)), key=b.__getitem__)
    return {"positions": len(kls), "kl_mean": sum(kls) / len(kls), "kl_max": max(kls),
            "argmax_agree": agree / len(kls), "float_entropy_mean": sum(ent) / len(ent)}


def logits(model, prompt, head, tmp):
    out = os.path.join(tmp, "%s.npy" % head)
    cmd = [TERN, "run", "--model", model, "--tokens", "1", "--quiet", "--check", "all",
           "--head", head, "--logits", out] + prompt
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return read_npy(out)


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    res = {}
    for spec in sys.argv[2:]:
        model, _, prompt = spec.partition("@")
        pargs = prompt.split("|") if prompt else ["--prompt-len", "32"]
        with tempfile.TemporaryDirectory() as tmp:
            ref = logits(model, pargs, "float", tmp)
            res[model] = {"vocab": len(ref[0]), "prompt": " ".join(pargs)}
            for head in ("t2", "t3"):
                res[model][head] = compare(ref, logits(model, pargs, head, tmp))
        r = res[model]
        print("%s (vocab %d, float entropy %.3f nats of log V = %.3f): t2 KL %.4g (max %.4g, "
              "argmax %.0f%%), t3 KL %.4g (max %.4g, argmax %.0f%%)" % (
                  model, r["vocab"], r["t2"]["float_entropy_mean"], math.log(r["vocab"]),
                  r["t2"]["kl_mean"], r["t2"]["kl_max"], 100 * r["t2"]["argmax_agree"],
                  r["t3"]["kl_mean"], r["t3"]["kl_max"], 100 * r["t3"]["argmax_agree"]),
              flush=True)
    with open(sys.argv[1], "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
