//! RTL test of the whole serial board ([super::SerialBoard]): a vector file of request frames
//! and the exact response bytes expected for each, and a Verilog testbench that drives the
//! emitted board's `uart_rx` pin bit by bit (8N1), decodes its `uart_tx` pin with a software
//! UART and compares every byte. Frames are built with [boardproto::frame_model]; PERMUTE
//! answers with plonky2's `Poseidon::poseidon` ([crate::poseidon::plonky2_permutation]).
//!
//! Vector file (`$readmemh`, one 16-bit word a line): the number of exchanges, then per
//! exchange `request length, response length, request bytes..., response bytes...`.
//! The testbench prints `FAIL ...` per wrong or missing byte and ends with `N passed, M failed`
//! (one count per exchange). Plain Verilog-2005 with delays: Verilator `--binary --timing` or
//! Icarus.

use crate::boardproto::{cmd, frame_model, nak, ACK, NAK};
use crate::field::{EDGES, P};
use crate::poseidon::{plonky2_permutation, WIDTH};
use anyhow::{bail, Result};
use rand::rngs::StdRng;
use rand::Rng;
use std::fmt::Write;

/// Clocks per bit of the simulated board: small so a whole PERMUTE exchange (~2,100 bit times)
/// takes ~11k cycles; odd so the receiver's half-bit sampling point is rounded.
pub const SIM_CLOCKS_PER_BIT: u16 = 5;
/// The decoder's idle timeout in the simulated board (no exchange pauses inside a frame).
pub const SIM_IDLE_CYCLES: u32 = 20_000;

/// Most random PERMUTEs: their sequence numbers 5.. stay below the NAK exchanges' 0xF0...
pub const MAX_RANDOM: usize = 0xF0 - 5;

/// One request and the bytes the board must answer with, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Exchange {
    pub what: String,
    pub request: Vec<u8>,
    pub response: Vec<u8>,
}

fn le_bytes(words: &[u64]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

fn permute(seq: u8, what: &str, s: &[u64; WIDTH]) -> Exchange {
    Exchange {
        what: what.into(),
        request: frame_model(cmd::PERMUTE, seq, &le_bytes(s)),
        response: frame_model(ACK, seq, &le_bytes(&plonky2_permutation(s))),
    }
}

fn nak_of(seq: u8, what: &str, request: Vec<u8>, code: u8) -> Exchange {
    Exchange {
        what: what.into(),
        request,
        response: frame_model(NAK, seq, &[code]),
    }
}

/// The exchanges: PING; PERMUTE of edge states (all 0, all p-1, lanes cycling through the
/// field edges) and `random` random canonical states; a PERMUTE with one CRC bit flipped (NAK
/// BAD_CRC); a PERMUTE with a non-canonical word (NAK BAD_PAYLOAD); an unknown command (NAK
/// UNKNOWN_COMMAND); line noise then PING (the decoder hunts for SYNC).
pub fn exchanges(rng: &mut StdRng, random: usize) -> Vec<Exchange> {
    let random = random.min(MAX_RANDOM);
    let ping = |seq: u8, noise: &[u8]| {
        let mut request = noise.to_vec();
        request.extend(frame_model(cmd::PING, seq, &[]));
        Exchange {
            what: format!("PING seq {seq}"),
            request,
            response: frame_model(ACK, seq, &super::ping_payload()),
        }
    };
    let mut v = vec![ping(1, &[])];
    v.push(permute(2, "PERMUTE all 0", &[0; WIDTH]));
    v.push(permute(3, "PERMUTE all p-1", &[P - 1; WIDTH]));
    let cycling: [u64; WIDTH] = std::array::from_fn(|i| EDGES[i % EDGES.len()]);
    v.push(permute(4, "PERMUTE field edges", &cycling));
    for k in 0..random {
        let s: [u64; WIDTH] = std::array::from_fn(|_| rng.gen_range(0..P));
        let seq = (5 + k) as u8;
        v.push(permute(seq, &format!("PERMUTE random #{k}"), &s));
    }
    let seq = 0xF0;
    let mut bad = frame_model(cmd::PERMUTE, seq, &le_bytes(&[7; WIDTH]));
    let last = bad.len() - 1;
    bad[last] ^= 0x10;
    v.push(nak_of(seq, "PERMUTE, CRC corrupted", bad, nak::BAD_CRC));
    let mut s = [3u64; WIDTH];
    s[5] = P; // the smallest non-canonical word
    let f = frame_model(cmd::PERMUTE, seq + 1, &le_bytes(&s));
    v.push(nak_of(seq + 1, "PERMUTE, word 5 = p", f, nak::BAD_PAYLOAD));
    let f = frame_model(0x7E, seq + 2, &[1, 2, 3]);
    v.push(nak_of(seq + 2, "unknown command 0x7E", f, nak::UNKNOWN_COMMAND));
    v.push(ping(0xFF, &[0x00, 0xFF, 0x13]));
    v
}

/// The vector file for `exchanges` (format in the module docs).
pub fn vector_file(exchanges: &[Exchange]) -> Result<String> {
    let mut out = String::new();
    let mut line = |w: usize| -> Result<()> {
        if w > 0xFFFF {
            bail!("length {w} does not fit the vector file's 16-bit words");
        }
        writeln!(out, "{w:04x}").expect("writing to a String");
        Ok(())
    };
    line(exchanges.len())?;
    for e in exchanges {
        line(e.request.len())?;
        line(e.response.len())?;
        for &b in e.request.iter().chain(&e.response) {
            line(b as usize)?;
        }
    }
    Ok(out)
}

/// Words in the vector file (the testbench's memory size).
pub fn vector_words(exchanges: &[Exchange]) -> usize {
    1 + exchanges
        .iter()
        .map(|e| 2 + e.request.len() + e.response.len())
        .sum::<usize>()
}

/// The testbench (module `tb`) for the board top `top` built with `clocks_per_bit`, reading
/// `words` words from `hex_path`.
pub fn testbench(clocks_per_bit: u16, words: usize, hex_path: &str) -> String {
    TB.replace("@CPB@", &clocks_per_bit.to_string())
        .replace("@WORDS@", &words.to_string())
        .replace("@HEX@", hex_path)
}

const TB: &str = r#"`timescale 1ns/1ps
// Generated by `emit --board-harness`: the serial board top over its UART pins.
module tb;
    localparam CPB = @CPB@;
    localparam WORDS = @WORDS@;
    reg clk = 1'b0;
    always #5 clk = ~clk;
    reg rst = 1'b1;
    reg uart_rx = 1'b1;
    wire uart_tx;
    wire led;
    top uut(.clk(clk), .rst(rst), .uart_rx(uart_rx), .uart_tx(uart_tx), .led(led));

    reg [15:0] mem [0:WORDS-1];
    // Bytes decoded from uart_tx, in arrival order.
    reg [7:0] rxbuf [0:65535];
    integer rx_n = 0;
    integer rx_stop_errors = 0;
    integer rj;
    reg [7:0] rv;

    // The host's receiver: a falling edge starts a byte; sample mid-bit.
    initial begin
        wait (rst === 1'b0);
        repeat (8) @(posedge clk);
        forever begin
            @(negedge uart_tx);
            repeat (CPB / 2) @(posedge clk);
            if (uart_tx === 1'b0) begin
                for (rj = 0; rj < 8; rj = rj + 1) begin
                    repeat (CPB) @(posedge clk);
                    rv[rj] = uart_tx;
                end
                repeat (CPB) @(posedge clk);
                if (uart_tx !== 1'b1) rx_stop_errors = rx_stop_errors + 1;
                rxbuf[rx_n[15:0]] = rv;
                rx_n = rx_n + 1;
            end
        end
    end

    integer tj;
    task send_byte(input [7:0] v);
        begin
            uart_rx = 1'b0;
            repeat (CPB) @(posedge clk);
            for (tj = 0; tj < 8; tj = tj + 1) begin
                uart_rx = v[tj];
                repeat (CPB) @(posedge clk);
            end
            uart_rx = 1'b1;
            repeat (CPB) @(posedge clk);
        end
    endtask

    integer ex, nex, p, i, req_len, resp_len, base, waited, limit, bad, passed, failed;
    initial begin
        $readmemh("@HEX@", mem);
        passed = 0;
        failed = 0;
        repeat (4) @(posedge clk);
        rst = 1'b0;
        // The power-on counter and the reset synchroniser.
        repeat (40) @(posedge clk);
        nex = mem[0];
        p = 1;
        for (ex = 0; ex < nex; ex = ex + 1) begin
            req_len = mem[p];
            resp_len = mem[p + 1];
            p = p + 2;
            base = rx_n;
            for (i = 0; i < req_len; i = i + 1) send_byte(mem[p + i][7:0]);
            p = p + req_len;
            // The answer, then 3 quiet byte times (no extra bytes may follow).
            limit = 4000 + 12 * CPB * (resp_len + 4);
            waited = 0;
            while (rx_n < base + resp_len && waited < limit) begin
                @(posedge clk);
                waited = waited + 1;
            end
            repeat (30 * CPB) @(posedge clk);
            bad = 0;
            if (rx_n != base + resp_len) begin
                bad = 1;
                $display("FAIL exchange %0d: %0d response bytes, expected %0d", ex, rx_n - base, resp_len);
            end
            for (i = 0; i < resp_len; i = i + 1) begin
                if (i < rx_n - base && rxbuf[(base + i) % 65536] !== mem[p + i][7:0]) begin
                    if (bad < 4) $display("FAIL exchange %0d byte %0d: got %02x, expected %02x", ex, i, rxbuf[(base + i) % 65536], mem[p + i][7:0]);
                    bad = bad + 1;
                end
            end
            p = p + resp_len;
            if (bad == 0) passed = passed + 1; else failed = failed + 1;
        end
        if (rx_stop_errors != 0) $display("FAIL %0d bytes on uart_tx with a low stop bit", rx_stop_errors);
        if (led !== 1'b0) $display("FAIL led (framing error) is lit");
        if (rx_stop_errors != 0 || led !== 1'b0) failed = failed + 1;
        $display("simulated cycles: %0d", $time / 10);
        $display("%0d passed, %0d failed", passed, failed);
        $finish;
    end
endmodule
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn vector_file_round_trips() {
        let ex = exchanges(&mut StdRng::seed_from_u64(1), 2);
        let words: Vec<usize> = vector_file(&ex)
            .unwrap()
            .lines()
            .map(|l| usize::from_str_radix(l, 16).unwrap())
            .collect();
        assert_eq!(words.len(), vector_words(&ex));
        assert_eq!(words[0], ex.len());
        let (mut p, mut back) = (1, vec![]);
        for _ in 0..words[0] {
            let (q, r) = (words[p], words[p + 1]);
            let bytes: Vec<u8> = words[p + 2..p + 2 + q + r].iter().map(|&b| b as u8).collect();
            back.push((bytes[..q].to_vec(), bytes[q..].to_vec()));
            p += 2 + q + r;
        }
        let want: Vec<_> = ex.iter().map(|e| (e.request.clone(), e.response.clone())).collect();
        assert_eq!(back, want);
    }

    #[test]
    fn exchanges_cover_ping_permute_and_each_nak() {
        let ex = exchanges(&mut StdRng::seed_from_u64(1), 3);
        assert_eq!(ex.len(), 3 + 3 + 5);
        // Response cmd bytes: ACK for PING/PERMUTE, NAK with the expected codes.
        let codes: Vec<(u8, usize)> = ex.iter().map(|e| (e.response[1], e.response.len())).collect();
        assert_eq!(codes[0], (ACK, 5 + 8 + 4));
        assert!(codes[1..7].iter().all(|&c| c == (ACK, 5 + 96 + 4)));
        let naks: Vec<u8> = ex[7..10].iter().map(|e| e.response[5]).collect();
        assert_eq!(naks, [nak::BAD_CRC, nak::BAD_PAYLOAD, nak::UNKNOWN_COMMAND]);
        // The corrupted frame differs from a good one in its CRC only.
        let good = frame_model(cmd::PERMUTE, 0xF0, &le_bytes(&[7; WIDTH]));
        assert_ne!(ex[7].request, good);
        assert_eq!(ex[7].request[..good.len() - 4], good[..good.len() - 4]);
    }

    #[test]
    fn oversized_lengths_are_an_error() {
        let e = Exchange {
            what: "big".into(),
            request: vec![0; 70_000],
            response: vec![],
        };
        assert!(vector_file(&[e]).is_err());
    }
}
