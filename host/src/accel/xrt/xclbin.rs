//! The xclbin (AXLF) header, read in Rust so that `parallax flash` checks a file before XRT sees
//! it, in every build and without a card. Layout from XRT's `xclbin.h` (`struct axlf`,
//! `axlf_header`, `axlf_section_header`; XRT 2.13), little-endian:
//!
//! | offset | field |
//! | --- | --- |
//! | 0 | `m_magic[8]` = `"xclbin2\0"` |
//! | 8 | `m_signature_length: i32`, then 28 reserved bytes and the 256-byte key block |
//! | 296 | `m_uniqueId: u64` |
//! | 304 | `axlf_header.m_length: u64` (the whole file) |
//! | 312, 320 | `m_timeStamp`, `m_featureRomTimeStamp: u64` |
//! | 328 | `m_versionPatch: u16`, `m_versionMajor: u8`, `m_versionMinor: u8` |
//! | 332 | `m_mode: u16`, `m_actionMask: u16` |
//! | 336 | `m_interface_uuid[16]` |
//! | 352 | `m_platformVBNV[64]` (NUL-terminated) |
//! | 416 | `uuid[16]` (the xclbin's UUID) |
//! | 432 | `m_debug_bin[16]` |
//! | 448 | `m_numSections: u32` (then 4 bytes of padding) |
//! | 456 | `m_sections[n]`: 40 bytes each: `kind: u32`, `name[16]`, pad, `offset: u64`, `size: u64` |

use std::path::Path;

pub const MAGIC: &[u8; 8] = b"xclbin2\0";
const UUID_AT: usize = 416;
const INTERFACE_UUID_AT: usize = 336;
const VBNV_AT: usize = 352;
const SECTIONS_AT: usize = 456;
const SECTION_BYTES: usize = 40;
/// `sizeof(struct axlf)`: the header with one section slot.
pub const MIN_LEN: usize = SECTIONS_AT + SECTION_BYTES;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XclbinHeader {
    /// The xclbin's UUID, `8-4-4-4-12` hex (what `xrt::xclbin::get_uuid` prints).
    pub uuid: String,
    pub interface_uuid: String,
    /// The platform (shell) the xclbin was linked for, e.g. `xilinx_u250_gen3x16_xdma_shell_4_1`.
    pub platform: String,
    pub length: u64,
    pub version: (u8, u8, u16),
    pub sections: Vec<Section>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub kind: u32,
    pub name: String,
    pub offset: u64,
    pub size: u64,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}
fn c_string(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}
fn uuid(b: &[u8]) -> String {
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// Parses and checks the header of an xclbin held in memory.
pub fn parse(bytes: &[u8]) -> Result<XclbinHeader, String> {
    if bytes.len() < MAGIC.len() || &bytes[..8] != MAGIC {
        return Err("not an xclbin (no \"xclbin2\" magic at the start)".into());
    }
    if bytes.len() < MIN_LEN {
        return Err(format!("truncated xclbin: {} bytes, shorter than its {MIN_LEN}-byte header", bytes.len()));
    }
    let length = u64_at(bytes, 304);
    if length != bytes.len() as u64 {
        return Err(format!("truncated or padded xclbin: its header says {length} bytes, the file has {}", bytes.len()));
    }
    let n = u32_at(bytes, 448) as usize;
    if SECTIONS_AT + n.max(1) * SECTION_BYTES > bytes.len() {
        return Err(format!("corrupt xclbin: {n} section headers do not fit in {} bytes", bytes.len()));
    }
    let mut sections = Vec::with_capacity(n);
    for i in 0..n {
        let s = &bytes[SECTIONS_AT + i * SECTION_BYTES..][..SECTION_BYTES];
        let sec = Section { kind: u32_at(s, 0), name: c_string(&s[4..20]), offset: u64_at(s, 24), size: u64_at(s, 32) };
        if sec.offset.checked_add(sec.size).is_none_or(|end| end > length) {
            return Err(format!("corrupt xclbin: section {i} ({}) at {}+{} runs past the file's {length} bytes", sec.name, sec.offset, sec.size));
        }
        sections.push(sec);
    }
    Ok(XclbinHeader {
        uuid: uuid(&bytes[UUID_AT..UUID_AT + 16]),
        interface_uuid: uuid(&bytes[INTERFACE_UUID_AT..INTERFACE_UUID_AT + 16]),
        platform: c_string(&bytes[VBNV_AT..VBNV_AT + 64]),
        length,
        version: (bytes[330], bytes[331], u16_at(bytes, 328)),
        sections,
    })
}

/// Reads and parses `path`, naming it in every error.
pub fn read(path: &Path) -> Result<XclbinHeader, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read xclbin {}: {e}", path.display()))?;
    parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Whether a card's platform name (XRT's `device::name`) is the xclbin's platform. VBNVs are
/// written `vendor:board:name:version` or with `_` for the separators; compare them so.
pub fn platform_matches(device: &str, xclbin: &str) -> bool {
    let norm = |s: &str| s.trim().to_ascii_lowercase().replace([':', '.'], "_");
    norm(device) == norm(xclbin)
}

/// A minimal well-formed xclbin (header and `sections`, no payload): for tests of the checks.
pub fn synthetic(platform: &str, uuid: [u8; 16], sections: &[(u32, &str, u64)]) -> Vec<u8> {
    let body: u64 = sections.iter().map(|s| s.2).sum();
    let header = SECTIONS_AT + sections.len().max(1) * SECTION_BYTES;
    let mut b = vec![0u8; header + body as usize];
    b[..8].copy_from_slice(MAGIC);
    let len = b.len() as u64;
    b[304..312].copy_from_slice(&len.to_le_bytes());
    b[330] = 2;
    b[VBNV_AT..VBNV_AT + platform.len().min(63)].copy_from_slice(&platform.as_bytes()[..platform.len().min(63)]);
    b[UUID_AT..UUID_AT + 16].copy_from_slice(&uuid);
    b[448..452].copy_from_slice(&(sections.len() as u32).to_le_bytes());
    let mut at = header as u64;
    for (i, (kind, name, size)) in sections.iter().enumerate() {
        let s = &mut b[SECTIONS_AT + i * SECTION_BYTES..][..SECTION_BYTES];
        s[..4].copy_from_slice(&kind.to_le_bytes());
        s[4..4 + name.len().min(15)].copy_from_slice(&name.as_bytes()[..name.len().min(15)]);
        s[24..32].copy_from_slice(&at.to_le_bytes());
        s[32..40].copy_from_slice(&size.to_le_bytes());
        at += size;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUID: [u8; 16] = [0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

    #[test]
    fn parses_a_header_and_its_sections() {
        let x = synthetic("xilinx_u250_gen3x16_xdma_shell_4_1", UUID, &[(0, "BITSTREAM", 100), (8, "IP_LAYOUT", 24)]);
        let h = parse(&x).unwrap();
        assert_eq!(h.uuid, "deadbeef-0102-0304-0506-0708090a0b0c");
        assert_eq!(h.platform, "xilinx_u250_gen3x16_xdma_shell_4_1");
        assert_eq!(h.length, x.len() as u64);
        assert_eq!(h.sections.len(), 2);
        assert_eq!((h.sections[1].name.as_str(), h.sections[1].size), ("IP_LAYOUT", 24));
        assert!(platform_matches("xilinx:u250:gen3x16_xdma_shell:4.1", "xilinx_u250_gen3x16_xdma_shell_4_1"));
        assert!(!platform_matches("xilinx_u280_gen3x16_xdma_1_202211_1", &h.platform));
    }

    #[test]
    fn rejects_what_is_not_a_whole_xclbin() {
        assert!(parse(b"hello").unwrap_err().contains("not an xclbin"));
        assert!(parse(b"xclbin2\0short").unwrap_err().contains("truncated xclbin"));
        let x = synthetic("p", UUID, &[(0, "BITSTREAM", 100)]);
        assert!(parse(&x[..x.len() - 1]).unwrap_err().contains("its header says"));
        let mut bad = x.clone();
        bad[SECTIONS_AT + 32..SECTIONS_AT + 40].copy_from_slice(&1000u64.to_le_bytes());
        assert!(parse(&bad).unwrap_err().contains("runs past"));
        let mut many = x;
        many[448..452].copy_from_slice(&1000u32.to_le_bytes());
        assert!(parse(&many).unwrap_err().contains("do not fit"));
    }
}
