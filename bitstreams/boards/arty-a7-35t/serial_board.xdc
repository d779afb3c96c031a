# Digilent Arty A7-35T (XC7A35T-1CSG324L): pins of bitstreams/rtl/serial_board.v (module `top`).
# Pin numbers from Digilent's Arty A7 reference manual (sections "Oscillators/Clocks",
# "USB-UART Bridge", "Basic I/O") and its master constraints file,
# https://github.com/Digilent/digilent-xdc/blob/master/Arty-A7-35-Master.xdc
# (names there: CLK100MHZ, uart_txd_in, uart_rxd_out, btn[0], led[0]). Not checked against a
# board here; hdl/tests/board_manifest.rs checks that these ports are the RTL's ports.

# 100 MHz oscillator (Sch=gclk[100]); the UART divider assumes exactly this clock.
set_property -dict { PACKAGE_PIN E3  IOSTANDARD LVCMOS33 } [get_ports { clk }]
create_clock -name sys_clk -period 10.000 -waveform {0.000 5.000} [get_ports { clk }]

# USB-UART bridge (FT2232HQ channel B): the FTDI's TXD drives the FPGA's receive pin.
set_property -dict { PACKAGE_PIN A9  IOSTANDARD LVCMOS33 } [get_ports { uart_rx }]
set_property -dict { PACKAGE_PIN D10 IOSTANDARD LVCMOS33 } [get_ports { uart_tx }]

# BTN0 (active high) resets the board logic; a power-on counter resets it at configuration.
set_property -dict { PACKAGE_PIN D9  IOSTANDARD LVCMOS33 } [get_ports { rst }]

# LD4 (green): a UART framing error was seen since reset.
set_property -dict { PACKAGE_PIN H5  IOSTANDARD LVCMOS33 } [get_ports { led }]

# The button and the UART lines are asynchronous to clk (synchronised inside); the LED is slow.
set_false_path -from [get_ports { rst uart_rx }]
set_false_path -to [get_ports { uart_tx led }]

set_property CONFIG_VOLTAGE 3.3 [current_design]
set_property CFGBVS VCCO [current_design]
