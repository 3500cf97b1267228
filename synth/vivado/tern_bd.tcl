# tern_bd.tcl: the block design that puts tern on a Zynq board (docs/boards.md), beside
# tern_vivado.tcl (tern_top alone, out of context). It creates a project for the board,
# a block design with the processing system, tern as a module reference of
# synth/vivado/tern_ip.v (rtl/tern_axi_top.sv: tern_top + AXI4-Lite slave + AXI4 master),
# tern's CSRs on the PS's general-purpose master port through an AXI interconnect at
# 0xA000_0000 (4 KiB; the address the device tree in docs/boards.md uses), tern's memory
# master on a high-performance slave port into DDR, and its interrupt on the PS's PL
# interrupt line, then synthesis, implementation, a bitstream and the .xsa/.hwh for the
# board's Linux. Not run in tern's tests (no Vivado on the test machines):
#   vivado -mode batch -source synth/vivado/tern_bd.tcl \
#     -tclargs kv260|pynq-z2 CLOCK_MHZ OUT_DIR GEN_DIR "Rows=16 Lanes=16 ..."
# The parameter list is the one synth/tern_synth.py writes for the board (vivado.sh);
# CLOCK_MHZ is the PL clock asked of the PS (the board preset's clock_mhz).
if {[llength $argv] != 5} {
  puts "usage: vivado -mode batch -source tern_bd.tcl -tclargs kv260|pynq-z2 CLOCK_MHZ OUT_DIR GEN_DIR PARAMS"
  exit 2
}
lassign $argv board mhz out gen params
set root [file normalize [file join [file dirname [info script]] .. ..]]
switch -- $board {
  kv260 {
    set part xck26-sfvc784-2LV-c
    set board_part [lindex [get_board_parts -quiet -latest_file_version *kv260_som*] 0]
    set ps_vlnv xilinx.com:ip:zynq_ultra_ps_e
  }
  pynq-z2 {
    set part xc7z020clg400-1
    set board_part [lindex [get_board_parts -quiet -latest_file_version *pynq-z2*] 0]
    set ps_vlnv xilinx.com:ip:processing_system7
  }
  default { puts "tern_bd: board must be kv260 or pynq-z2, not $board"; exit 2 }
}
file mkdir $out
create_project -force tern_$board [file join $out vivado_bd] -part $part
if {$board_part ne ""} { set_property board_part $board_part [current_project] }
add_files [lsort [glob [file join $root rtl *.sv]]]
add_files [file join $root synth vivado tern_ip.v]
set_property include_dirs [list $gen] [current_fileset]
foreach f [glob [file join $gen *.svh]] { add_files $f; set_property file_type {Verilog Header} [get_files $f] }

create_bd_design tern
set ps [create_bd_cell -type ip -vlnv $ps_vlnv ps]
if {$board_part ne ""} {
  apply_bd_automation -rule xilinx.com:bd_rule:[expr {$board eq "kv260" ? "zynq_ultra_ps_e" : "processing_system7"}] \
    -config {apply_board_preset "1"} $ps
}
set tern [create_bd_cell -type module -reference tern_ip tern]
foreach p $params {
  lassign [split $p =] k v
  set_property CONFIG.$k $v $tern
}
if {$board eq "kv260"} {
  set_property -dict [list CONFIG.PSU__USE__M_AXI_GP0 {1} CONFIG.PSU__USE__M_AXI_GP1 {0} \
    CONFIG.PSU__USE__M_AXI_GP2 {0} CONFIG.PSU__USE__S_AXI_GP2 {1} CONFIG.PSU__USE__IRQ0 {1} \
    CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ $mhz] $ps
  set csr_master ps/M_AXI_HPM0_FPD
  set hp_slave ps/S_AXI_HP0_FPD
  set clk ps/pl_clk0
  connect_bd_net [get_bd_pins tern/irq] [get_bd_pins ps/pl_ps_irq0]
} else {
  set_property -dict [list CONFIG.PCW_USE_M_AXI_GP0 {1} CONFIG.PCW_USE_S_AXI_HP0 {1} \
    CONFIG.PCW_USE_FABRIC_INTERRUPT {1} CONFIG.PCW_IRQ_F2P_INTR {1} \
    CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ $mhz] $ps
  set csr_master ps/M_AXI_GP0
  set hp_slave ps/S_AXI_HP0
  set clk ps/FCLK_CLK0
  connect_bd_net [get_bd_pins tern/irq] [get_bd_pins ps/IRQ_F2P]
}
# The connection automation adds the interconnects, the reset block and the clocks.
apply_bd_automation -rule xilinx.com:bd_rule:axi4 \
  -config [list Clk_master $clk Clk_slave $clk Clk_xbar $clk Master /$csr_master Slave /tern/s_axi_ctrl] \
  [get_bd_intf_pins tern/s_axi_ctrl]
apply_bd_automation -rule xilinx.com:bd_rule:axi4 \
  -config [list Clk_master $clk Clk_slave $clk Clk_xbar $clk Master /tern/m_axi_mem Slave /$hp_slave] \
  [get_bd_intf_pins $hp_slave]
set seg [get_bd_addr_segs -of_objects [get_bd_addr_spaces $csr_master] -filter {NAME =~ *tern*}]
if {$seg ne ""} { set_property offset 0xA0000000 $seg; set_property range 4K $seg }
assign_bd_address
validate_bd_design
save_bd_design
set wrapper [make_wrapper -files [get_files tern.bd] -top]
add_files $wrapper
set_property top tern_wrapper [current_fileset]
launch_runs impl_1 -to_step write_bitstream -jobs 4
wait_on_run impl_1
if {[get_property PROGRESS [get_runs impl_1]] ne "100%"} {
  puts "tern_bd: implementation did not finish"
  exit 1
}
write_hw_platform -fixed -include_bit -force [file join $out tern_$board.xsa]
open_run impl_1
report_utilization -file [file join $out vivado_bd_utilization.rpt]
report_timing_summary -file [file join $out vivado_bd_timing.rpt]
puts "tern_bd: wrote [file join $out tern_$board.xsa] (bitstream and .hwh inside)"
