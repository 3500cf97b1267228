#!/usr/bin/env python3
"""Write the seeded BitNet-2B-4T-shaped GGUF that `make bench` runs on tern and llama.cpp.

The file is written here, with the Python standard library only, not by `tern export`,
so the comparison runs both programs on one file that neither of them produced, and
because llama.cpp needs what the exporter does not write yet (a vocabulary, a 16-bit
token embedding). Layout, as llama.cpp's architecture "bitnet" expects it: SiLU-gated
FFN, attention and FFN sub-norms, output tied to token_embd; ternary tensors as TQ2_0
(ggml type 35: 64 bytes of 2-bit codes w+1, then the fp16 block scale, one value per
tensor as in files converted from BitNet), token_embd as F16, norms as F32. The
vocabulary is SentencePiece-typed (special, 256 byte tokens, then placeholders): the
benchmarks feed token ids, never text. Weights are random codes 0..2 (no reserved 3)
from random.Random(seed); --layers and --vocab shrink the model for quick checks.

  python3 bench/bench_gguf.py OUT.gguf [--seed S] [--layers N] [--vocab V]
"""
import argparse
import random
import struct
import sys

ALIGN = 32
F32, F16, TQ2_0 = 0, 1, 35
D, N_HEAD, N_KV, FFN, HEAD_DIM = 2560, 20, 5, 6912, 128

# Byte -> the same byte with every 2-bit field of value 3 (reserved) turned into 1.
FIX3 = bytes(sum(((1 if (b >> s) & 3 == 3 else (b >> s) & 3) << s) for s in (0, 2, 4, 6))
             for b in range(256))
# High byte of an fp16: keep the sign and the top mantissa bits, exponent 8..12, so
# every value is finite and between about 2^-7 and 2^-2 in magnitude.
F16HI = bytes((b & 0x83) | ((8 + (b >> 2) % 5) << 2) for b in range(256))


def gstr(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def kv(key, typ, val):
    out = gstr(key) + struct.pack("<I", typ)
    if typ == 4:
        return out + struct.pack("<I", val)
    if typ == 6:
        return out + struct.pack("<f", val)
    if typ == 8:
        return out + gstr(val)
    raise ValueError(typ)


def kv_array(key, typ, items):
    out = gstr(key) + struct.pack("<IIQ", 9, typ, len(items))
    if typ == 8:
        return out + b"".join(gstr(s) for s in items)
    fmt = {5: "<%di", 6: "<%df"}[typ]
    return out + struct.pack(fmt % len(items), *items)


def tensors(layers, vocab):
    """(name, ne, type) in file order."""
    t = [("token_embd.weight", (D, vocab), F16), ("output_norm.weight", (D,), F32)]
    kvd = N_KV * HEAD_DIM
    for i in range(layers):
        p = "blk.%d." % i
        t += [(p + "attn_norm.weight", (D,), F32),
              (p + "attn_q.weight", (D, D), TQ2_0),
              (p + "attn_k.weight", (D, kvd), TQ2_0),
              (p + "attn_v.weight", (D, kvd), TQ2_0),
              (p + "attn_sub_norm.weight", (D,), F32),
              (p + "attn_output.weight", (D, D), TQ2_0),
              (p + "ffn_norm.weight", (D,), F32),
              (p + "ffn_gate.weight", (D, FFN), TQ2_0),
              (p + "ffn_up.weight", (D, FFN), TQ2_0),
              (p + "ffn_sub_norm.weight", (FFN,), F32),
              (p + "ffn_down.weight", (FFN, D), TQ2_0)]
    return t


def nbytes(ne, typ):
    n = 1
    for x in ne:
        n *= x
    return {F32: 4 * n, F16: 2 * n, TQ2_0: n // 256 * 66}[typ]


def write_data(f, rnd, name, ne, typ):
    n = nbytes(ne, typ)
    if typ == F32:
        # Norm gains near 1 (rounded to a few bits, so both programs read them exactly).
        vals = [1.0 + (rnd.randrange(64) - 32) / 256.0 for _ in range(ne[0])]
        f.write(struct.pack("<%df" % ne[0], *vals))
    elif typ == F16:
        rows_per = 1024
        for r0 in range(0, ne[1], rows_per):
            m = min(rows_per, ne[1] - r0) * ne[0]
            buf = bytearray(2 * m)
            buf[0::2] = rnd.randbytes(m)
            buf[1::2] = rnd.randbytes(m).translate(F16HI)
            f.write(buf)
    else:
        nb = n // 66
        qs = rnd.randbytes(nb * 64).translate(FIX3)
        # One scale per tensor: about 1/sqrt(K), so outputs stay near unit size.
        d = struct.pack("<e", 1.0 / (ne[0] ** 0.5) * (0.75 + rnd.random() / 2))
        buf = bytearray(nb * 66)
        for i in range(64):
            buf[i::66] = qs[i::64]
        buf[64::66] = d[0:1] * nb
        buf[65::66] = d[1:2] * nb
        f.write(buf)
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--layers", type=int, default=30)
    ap.add_argument("--vocab", type=int, default=128256)
    a = ap.parse_args()
    if a.layers < 1 or a.vocab < 259:
        print("bench_gguf.py: --layers must be >= 1 and --vocab >= 259", file=sys.stderr)
        return 2
    rnd = random.Random(a.seed)
    toks = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)]
    toks += ["t%d" % i for i in range(a.vocab - len(toks))]
    types = [2, 3, 3] + [6] * 256 + [1] * (a.vocab - 259)
    arch = "bitnet"
    meta = [kv("general.architecture", 8, arch),
            kv("general.name", 8, "tern bench 2B-4T shape (seed %d)" % a.seed),
            kv("general.alignment", 4, ALIGN),
            kv(arch + ".context_length", 4, 4096),
            kv(arch + ".embedding_length", 4, D),
            kv(arch + ".block_count", 4, a.layers),
            kv(arch + ".feed_forward_length", 4, FFN),
            kv(arch + ".attention.head_count", 4, N_HEAD),
            kv(arch + ".attention.head_count_kv", 4, N_KV),
            kv(arch + ".rope.dimension_count", 4, HEAD_DIM),
            kv(arch + ".rope.freq_base", 6, 500000.0),
            kv(arch + ".attention.layer_norm_rms_epsilon", 6, 1e-5),
            kv(arch + ".vocab_size", 4, a.vocab),
            kv("tokenizer.ggml.model", 8, "llama"),
            kv_array("tokenizer.ggml.tokens", 8, toks),
            kv_array("tokenizer.ggml.scores", 6, [0.0] * a.vocab),
            kv_array("tokenizer.ggml.token_type", 5, types),
            kv("tokenizer.ggml.bos_token_id", 4, 1),
            kv("tokenizer.ggml.eos_token_id", 4, 2),
            kv("tokenizer.ggml.unknown_token_id", 4, 0)]
    ts = tensors(a.layers, a.vocab)
    infos, off = [], 0
    for name, ne, typ in ts:
        infos.append(gstr(name) + struct.pack("<I", len(ne)) +
                     struct.pack("<%dQ" % len(ne), *ne) + struct.pack("<IQ", typ, off))
        off += (nbytes(ne, typ) + ALIGN - 1) // ALIGN * ALIGN
    with open(a.out, "wb") as f:
        f.write(b"GGUF" + struct.pack("<IQQ", 3, len(ts), len(meta)))
        f.write(b"".join(meta) + b"".join(infos))
        f.write(b"\0" * (-f.tell() % ALIGN))
        for name, ne, typ in ts:
            n = write_data(f, rnd, name, ne, typ)
            f.write(b"\0" * (-n % ALIGN))
    return 0


if __name__ == "__main__":
    sys.exit(main())
