# tern_vivado.tcl: tern_top through Vivado for users who have it (the open flow stops at
# synthesis for Xilinx parts: yosys has no Xilinx placer, so no timing closure). It runs
# synthesis, placement and routing out of context (tern_top's AXI ports are internal
# nets on a real board, not package pins), with the clock the board preset asks for,
# and writes utilization and timing reports beside the open flow's report.json. The
# part, clock and parameters are not written here: synth/tern_synth.py takes them from
# isa/tern_isa.json and writes the exact command into build/synth/BOARD/ARRAY/vivado.sh.
#   vivado -mode batch -source synth/vivado/tern_vivado.tcl \
#     -tclargs PART CLOCK_MHZ OUT_DIR GEN_DIR "Rows=16 Lanes=16 ..."
# Fails (exit 1) when any DSP block is used: the array has no multipliers.
# Not run in tern's own tests (no Vivado on the test machines). The whole board (Zynq PS +
# tern behind its AXI wrappers, bitstream and .xsa) is tern_bd.tcl (vivado_bd.sh).
if {[llength $argv] != 5} {
  puts "usage: vivado -mode batch -source tern_vivado.tcl -tclargs PART CLOCK_MHZ OUT_DIR GEN_DIR PARAMS"
  exit 2
}
lassign $argv part mhz out gen params
set root [file normalize [file join [file dirname [info script]] .. ..]]
file mkdir $out

set generics {}
foreach p $params { lappend generics -generic $p }

read_verilog -sv [lsort [glob [file join $root rtl *.sv]]]
synth_design -top tern_top -part $part -include_dirs [list $gen] -mode out_of_context \
  {*}$generics
create_clock -name clk -period [format %.3f [expr {1000.0 / $mhz}]] [get_ports clk_i]
opt_design
place_design
route_design
report_utilization -file [file join $out vivado_utilization.rpt]
report_timing_summary -file [file join $out vivado_timing.rpt]
set wns [get_property SLACK [get_timing_paths -max_paths 1 -setup]]
set dsp [llength [get_cells -hierarchical -filter {REF_NAME =~ DSP48*}]]
puts "tern_vivado: part $part, clock $mhz MHz, worst setup slack $wns ns, $dsp DSP"
if {$dsp > 0} {
  puts "tern_vivado: ERROR: $dsp DSP cells (the array must use none)"
  exit 1
}
