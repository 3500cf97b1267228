#!/usr/bin/env bash
# The open FPGA flow (synth/tern_synth.py) on designs small enough for make test, with
# cell counts known by construction: a 4-bit register, a 4-input XOR and a register for
# the result map to exactly 5 flip-flops and 1 LUT. iCE40: yosys -> nextpnr-ice40 ->
# icepack gives a report.json with LC within [max(LUT,FF), LUT+FF+1] (nextpnr may spend
# one LC on a constant driver), a positive Fmax (the register-to-register path), 0 DSP and a UP5K
# bitstream (104,090 bytes, the size of every UP5K image). Xilinx with the hierarchy
# kept: per-module counts times instances add up to the design. Also the adder-tree
# estimate against sums worked by hand, and bad options (exit 2, one line). The big
# configurations are left to make synth / make synth-sweep.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1
PY=${PYTHON:-python3}
if ! command -v yosys >/dev/null || ! command -v nextpnr-ice40 >/dev/null || ! command -v icepack >/dev/null; then
	fail "tools" "yosys, nextpnr-ice40 and icepack are needed (make deps)"; exit 0
fi
make -s build/gen/.stamp >/dev/null

cat >"$TMP/tiny.sv" <<'V'
`default_nettype none
module tiny_bit (input logic clk_i, input logic [3:0] d_i, output logic q_o);
  logic [3:0] r_q;
  always_ff @(posedge clk_i) begin
    r_q <= d_i;
    q_o <= ^r_q;
  end
endmodule
module tiny (input logic clk_i, input logic [3:0] d_i, output logic q_o);
  tiny_bit u_bit (.clk_i, .d_i, .q_o);
endmodule
module tiny2 (input logic clk_i, input logic [3:0] a_i, b_i, output logic [1:0] q_o);
  tiny_bit u_a (.clk_i, .d_i(a_i), .q_o(q_o[0]));
  tiny_bit u_b (.clk_i, .d_i(b_i), .q_o(q_o[1]));
endmodule
V
cat >"$TMP/tiny.pcf" <<'P'
set_io clk_i 35
set_io d_i[0] 2
set_io d_i[1] 3
set_io d_i[2] 4
set_io d_i[3] 6
set_io q_o 9
P

# ---- iCE40: the whole flow
if nice "$PY" synth/tern_synth.py --board icebreaker --top tiny --file "$TMP/tiny.sv" \
	--pcf "$TMP/tiny.pcf" --out "$TMP/ice" >"$TMP/o" 2>"$TMP/e"; then
	pass "ice40 flow runs"
else
	fail "ice40 flow runs" "$(tail -c 400 "$TMP/e") $(cat "$TMP/o")"
fi
if "$PY" - "$TMP/ice/report.json" <<'Q'; then
import json, sys
r = json.load(open(sys.argv[1]))
ok = (r["status"] == "ok" and r["lut"] == 1 and r["ff"] == 5 and r["dsp"] == 0 and r["bram"] == 0
      and max(r["lut"], r["ff"]) <= r["lc"] <= r["lut"] + r["ff"] + 1 and r["fmax_mhz"] > 0
      and r["capacity"]["lc"] == 5280 and r["bitstream"] == "tiny.bin"
      and r["tools"]["nextpnr-ice40"].startswith("nextpnr-ice40") and r["seconds"]["total"] >= 0)
sys.exit(0 if ok else print(json.dumps(r)[:600]) or 1)
Q
	pass "ice40 report: 1 LUT, 5 FF, LC in range, Fmax, 0 DSP"
else
	fail "ice40 report: 1 LUT, 5 FF, LC in range, Fmax, 0 DSP"
fi
if [ "$(stat -c %s "$TMP/ice/tiny.bin" 2>/dev/null)" = 104090 ]; then pass "UP5K bitstream"; else fail "UP5K bitstream" "$(ls -l "$TMP/ice")"; fi
if ls "$TMP/ice" | grep -q '\.tmp'; then fail "no temporary files" "$(ls "$TMP/ice")"; else pass "no temporary files"; fi

# ---- Xilinx, hierarchy kept: two instances of tiny_bit
if nice "$PY" synth/tern_synth.py --board kv260 --top tiny2 --file "$TMP/tiny.sv" --hier \
	--out "$TMP/xil" >"$TMP/o" 2>"$TMP/e"; then
	pass "xilinx flow runs"
else
	fail "xilinx flow runs" "$(tail -c 400 "$TMP/e")"
fi
if "$PY" - "$TMP/xil/report.json" <<'Q'; then
import json, sys
r = json.load(open(sys.argv[1]))
m = r.get("modules", {})
ok = (r["status"] == "ok" and r["lut"] == 2 and r["ff"] == 10 and r["dsp"] == 0
      and m["tiny_bit"]["instances"] == 2 and m["tiny_bit"]["lut"] == 2 and m["tiny_bit"]["ff"] == 10
      and m["tiny2"]["lut"] == r["lut"] and r["fmax_mhz"] is None
      and "no timing closure" in r["timing"] and r["part"] == "xck26-sfvc784-2LV-c")
sys.exit(0 if ok else print(json.dumps(r)[:800]) or 1)
Q
	pass "xilinx report: per-module x instances, no Fmax, says no timing closure"
else
	fail "xilinx report: per-module x instances, no Fmax, says no timing closure"
fi

# ---- a black box: tiny2 with tiny_bit black-boxed has no cells of its own; the two
# instances are counted as such and their contents are not
if nice "$PY" synth/tern_synth.py --board kv260 --top tiny2 --file "$TMP/tiny.sv" --blackbox tiny_bit \
	--out "$TMP/bb" >"$TMP/o" 2>"$TMP/e" && "$PY" - "$TMP/bb/report.json" <<'Q'; then
import json, sys
r = json.load(open(sys.argv[1]))
ok = (r["status"] == "ok" and r["lut"] == 0 and r["ff"] == 0 and r["blackbox"]["module"] == "tiny_bit"
      and r["blackbox"]["instances"] == 2 and r["yosys_cpu_seconds"] >= 0 and r["yosys_peak_mb"] > 0)
sys.exit(0 if ok else print(json.dumps(r)[:800]) or 1)
Q
	pass "black box: 2 instances, their cells not counted"
else
	fail "black box: 2 instances, their cells not counted" "$(tail -c 300 "$TMP/e")"
fi
expect_exit 1 "black box that is not in the design fails" nice "$PY" synth/tern_synth.py --board kv260 \
	--top tiny2 --file "$TMP/tiny.sv" --blackbox tiny_nothere --out "$TMP/bb0"
if grep -q '"status": "failed: no instance of black box tiny_nothere' "$TMP/bb0/report.json"; then
	pass "black box missing: status says so"; else fail "black box missing: status says so" "$(head -c 300 "$TMP/bb0/report.json")"; fi

# ---- split estimate arithmetic (combine_split), numbers worked by hand:
# rows independent: strips 2 and 4 rows of 1890/3780 LUT, 64/128 FF -> per row 945 LUT,
# 32 FF, shared 0; 64 rows: 60480 LUT, 2048 FF; + rest 30000/9000 -> 90480/11048.
# shared logic: strips 1 and 3 rows of 110/310 LUT -> per row 100, shared 10; 8 rows 810.
# one strip of 2 rows, 200 LUT, scaled to 6 rows: 600.
if "$PY" -c 'import sys; sys.path.insert(0, "synth"); import tern_synth as t
z = dict.fromkeys(t.COUNTS, 0)
c = lambda **k: dict(z, **k)
tot, pe, per, sh = t.combine_split(c(lut=30000, ff=9000, bram=280), [(4, c(lut=3780, ff=128)), (2, c(lut=1890, ff=64))], 64)
ok = pe["lut"] == 60480 and pe["ff"] == 2048 and tot["lut"] == 90480 and tot["ff"] == 11048 and tot["bram"] == 280
ok = ok and per["lut"] == 945 and sh["lut"] == 0
tot, pe, per, sh = t.combine_split(z, [(1, c(lut=110)), (3, c(lut=310))], 8)
ok = ok and pe["lut"] == 810 and per["lut"] == 100 and sh["lut"] == 10
tot, pe, per, sh = t.combine_split(c(lut=5), [(2, c(lut=200))], 6)
ok = ok and pe["lut"] == 600 and tot["lut"] == 605
for bad in ([(2, z), (2, z)], [], [(0, z)], [(1, z), (2, z), (3, z)]):
    try:
        t.combine_split(z, bad, 4); ok = False
    except ValueError:
        pass
fit, over = t.fit_table(c(lut=117121, ff=10, bram=288, uram=65), {"luts": 117120, "ffs": 234240, "bram": 288, "uram": 64, "dsp": 1248})
ok = ok and over == ["lut", "uram"] and fit["bram"]["percent"] == 100.0 and fit["ff"]["available"] == 234240
sys.exit(not ok)'; then
	pass "split arithmetic: strips to rows, shared logic, one strip, fit"
else
	fail "split arithmetic: strips to rows, shared logic, one strip, fit"
fi

# ---- which arrays split: the board's fpga.split ones by default, --full and --split override
if "$PY" -c 'import sys; sys.path.insert(0, "synth"); import tern_synth as t
sp = lambda *a: t.plan(t.parse_args(["--board", "kv260"] + list(a)))["split"]
sys.exit(not (sp("--array", "64x64-bus128") and not sp("--array", "64x64-bus128", "--full")
              and not sp("--array", "16x16") and sp("--array", "16x16", "--split")
              and not sp("--array", "64x64-bus128", "--blackbox", "tern_pe_array")))'; then
	pass "split by default only for fpga.split arrays; --full, --split, parts"
else
	fail "split by default only for fpga.split arrays; --full, --split, parts"
fi

# ---- a split run end to end without yosys: its three parts are written here as ok reports
# carrying the yosys-input hash the plan computes, so the runner reuses them and only
# combines; the kv260 64x64-bus128 config, strips of the definition's rows.
split_case() { # $1 folder, $2 rest LUT, $3 rest URAM, $4 PE arrays in the rest
	"$PY" - "$1" "$2" "$3" "$4" <<'Q'
import json, os, sys
sys.path.insert(0, "synth")
import tern_synth as t
out, rest_lut, rest_uram, inst = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
d = t.tern_gen.load("isa/tern_isa.json")
rows = [b for b in d["boards"]["list"] if b["name"] == "kv260"][0]["fpga"]["split"]["strip_rows"]
common = ["--board", "kv260", "--array", "64x64-bus128"]
parts = [("rest", common + ["--blackbox", "tern_pe_array"], dict(lut=rest_lut, ff=9000, bram=280, uram=rest_uram))]
parts += [("strip%d" % n, common + ["--top", "tern_pe_array", "--param", "Rows=%d" % n, "--param", "Lanes=64"],
           dict(lut=945 * n, ff=32 * n, carry=200 * n)) for n in rows]
for name, argv, counts in parts:
    p = t.plan(t.parse_args(argv + ["--out", os.path.join(out, name)]))
    os.makedirs(p["out"], exist_ok=True)
    r = dict(dict.fromkeys(t.COUNTS, 0), **counts)
    r.update(status="ok", rtl_sha256=p["rtl_sha"], inputs_sha256=p["sha"], top=p["top"],
             params={k: int(v) for k, v in p["params"]}, seconds={"total": 10.0},
             blackbox={"module": "tern_pe_array", "instances": inst} if name == "rest" else None)
    json.dump(r, open(os.path.join(p["out"], "report.json"), "w"))
Q
}
split_case "$TMP/split" 50000 8 1
if "$PY" synth/tern_synth.py --board kv260 --array 64x64-bus128 --out "$TMP/split" >"$TMP/o" 2>"$TMP/e" &&
	"$PY" - "$TMP/split/report.json" <<'Q'; then
import json, sys
r = json.load(open(sys.argv[1]))
p = r["parts"]
ok = (r["status"] == "ok" and r["fits"] and r["hierarchy"] == "split" and r["lut"] == 50000 + 60480
      and r["ff"] == 9000 + 2048 and r["bram"] == 280 and r["uram"] == 8 and r["dsp"] == 0
      and r["pe_array"]["lut"] == 60480 and r["pe_array"]["lut_per_pe"] == 14.77
      and r["pe_array"]["shared"]["lut"] == 0 and r["fit"]["lut"]["available"] == 117120
      and all(p[k]["how"] == "reused" for k in p) and r["config"]["BUS_BYTES"] == 128
      and r["config"]["ROWS"] == 64 and r["method"].startswith("rest synthesized") and r["fmax_mhz"] is None)
sys.exit(0 if ok else print(json.dumps(r)[:900]) or 1)
Q
	pass "split run: parts reused and summed, fits"
else
	fail "split run: parts reused and summed, fits" "$(tail -c 300 "$TMP/e") $(cat "$TMP/o")"
fi
split_case "$TMP/split2" 60000 70 1
expect_exit 1 "split run that does not fit: exit 1" "$PY" synth/tern_synth.py --board kv260 --array 64x64-bus128 --out "$TMP/split2"
if grep -q '"status": "does not fit xck26-sfvc784-2LV-c: lut 120480 > 117120, uram 70 > 64"' "$TMP/split2/report.json"; then
	pass "split run that does not fit: status names the resources"
else
	fail "split run that does not fit: status names the resources" "$(grep status "$TMP/split2/report.json")"
fi
split_case "$TMP/split3" 1000 0 0
expect_exit 1 "split run whose rest has no PE array fails" "$PY" synth/tern_synth.py --board kv260 --array 64x64-bus128 --out "$TMP/split3"

# ---- the adder-tree estimate: sums worked by hand (int8 terms, +1 bit per level, 32-bit acc)
# 16 lanes: 8x9 + 4x10 + 2x11 + 1x12 = 146, + 32 = 178; 5 lanes: 2x9 + 1x10 + 1x11 = 39, + 32 = 71
if "$PY" -c 'import sys; sys.path.insert(0, "synth"); import tern_synth as t
sys.exit(not (t.adder_tree_bits(16) == 178 and t.adder_tree_bits(5) == 71 and t.adder_tree_bits(1) == 32
              and abs(t.est_lut_per_pe(32, "LUT4") - 337 / 32) < 1e-9 and abs(t.est_lut_per_pe(32, "LUT6") - 337 / 64) < 1e-9))'; then
	pass "adder-tree estimate"
else
	fail "adder-tree estimate"
fi

# ---- yosys 0.23 prints the -top hierarchy summary into `stat -json`; the reader drops
# those lines and keeps JSON lines that look alike ("MUXF8": 3)
printf '{"modules": {"\\\\t": {"num_cells_by_type": {\n            "LUT2": 1,\n            "MUXF8": 3\n}}},\n       $paramod$ab\\tern_fifo      1\n         tern_base3_decode          16\n "design": {}}\n' >"$TMP/stat.json"
if "$PY" -c 'import sys; sys.path.insert(0, "synth"); import tern_synth as t
s = t.load_stat(sys.argv[1]); sys.exit(not (s["modules"]["\\t"]["num_cells_by_type"] == {"LUT2": 1, "MUXF8": 3}))' "$TMP/stat.json"; then
	pass "stat -json with a leaked hierarchy summary"
else
	fail "stat -json with a leaked hierarchy summary" "$(cat "$TMP/stat.json")"
fi

# ---- bad options: one line, exit 2, before any tool runs
expect_usage_error "unknown board" "$PY" synth/tern_synth.py --board de10
expect_usage_error "no board" "$PY" synth/tern_synth.py
expect_usage_error "invalid array" "$PY" synth/tern_synth.py --board kv260 --array 6x6
expect_usage_error "bad array" "$PY" synth/tern_synth.py --board kv260 --array huge
expect_usage_error "split with top" "$PY" synth/tern_synth.py --board kv260 --split --top tiny2
expect_usage_error "split on a board without strips" "$PY" synth/tern_synth.py --board pynq-z2 --split
expect_usage_error "split and full" "$PY" synth/tern_synth.py --board kv260 --split --full
expect_usage_error "param without top" "$PY" synth/tern_synth.py --board kv260 --param Rows=4
expect_usage_error "bad param" "$PY" synth/tern_synth.py --board kv260 --top tiny --param Rows
expect_usage_error "ice40 top without pins" "$PY" synth/tern_synth.py --board icebreaker --top tiny --file "$TMP/tiny.sv"
expect_usage_error "unknown option" "$PY" synth/tern_synth.py --board kv260 --fast
expect_usage_error "sweep: bad array" "$PY" synth/tern_synth_sweep.py --arrays 4x4,5x5
mkdir -p "$TMP/locked" && echo $$ >"$TMP/locked/.lock"
expect_usage_error "a live run's folder is refused" "$PY" synth/tern_synth.py --board kv260 --top tiny2 --file "$TMP/tiny.sv" --out "$TMP/locked"
expect_exit 2 "make synth without BOARD" make -s --no-print-directory synth
if grep -q '^make synth: set BOARD (boards: kv260' "$TMP/err"; then pass "make synth names the boards"; else fail "make synth names the boards" "$(cat "$TMP/err")"; fi
