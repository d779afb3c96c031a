# Vivado non-project build of the serial board for the Arty A7-35T:
#   vivado -mode batch -source bitstreams/boards/arty-a7-35t/build.tcl   (from the repository root)
# Writes target/arty-a7-35t/serial_board.bit and timing/utilisation reports. Not run in CI.
set here [file dirname [file normalize [info script]]]
set root [file normalize $here/../../..]
set out $root/target/arty-a7-35t
file mkdir $out
read_verilog $root/bitstreams/rtl/serial_board.v
read_xdc $here/serial_board.xdc
synth_design -top top -part xc7a35ticsg324-1L
opt_design
place_design
route_design
report_utilization -file $out/utilization.rpt
report_timing_summary -file $out/timing.rpt
write_bitstream -force $out/serial_board.bit
