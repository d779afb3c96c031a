//! Serial boards end to end without a board: the simulated board (`boards::sim`) on a
//! pseudo-terminal (`boards::pty`), reached through the real `serialport` code, and the CLI.

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use parallax::boards::commands::{hash_leaves, permute, ping};
use parallax::boards::pty::PtyBoard;
use parallax::boards::sim::{Faults, SimBoard};
use parallax::boards::upload::{upload, UploadError, MAX_CHUNK};
use parallax::boards::{self, Link, LinkConfig, LinkError};
use parallax_hdl::boardproto::nak;
use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::poseidon::{Poseidon, PoseidonHash};
use plonky2::plonk::config::Hasher;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const P: u64 = 0xFFFF_FFFF_0000_0001;

fn board(faults: Faults) -> (Arc<Mutex<SimBoard>>, PtyBoard) {
    let b = Arc::new(Mutex::new(SimBoard::new(faults)));
    let pty = PtyBoard::spawn(b.clone()).expect("openpty");
    (b, pty)
}

fn connect(pty: &PtyBoard, timeout_ms: u64, retries: u32) -> Link<serialport::TTYPort> {
    boards::open(pty.path(), boards::DEFAULT_BAUD, LinkConfig { timeout: Duration::from_millis(timeout_ms), retries }).expect("open the pty")
}

fn image(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..len).map(|_| rng.gen()).collect()
}

fn plonky2_permute(s: &[u64; 12]) -> [u64; 12] {
    <F as Poseidon>::poseidon(s.map(F::from_canonical_u64)).map(|x| x.to_canonical_u64())
}

fn random_state(rng: &mut StdRng) -> [u64; 12] {
    std::array::from_fn(|_| rng.gen_range(0..P))
}

#[test]
fn upload_verify_then_commands_match_plonky2() {
    let (b, pty) = board(Faults::default());
    let mut link = connect(&pty, 500, 2);
    let info = ping(&mut link).unwrap();
    assert!(info.describe().contains("upload permute hash"), "{}", info.describe());
    // Accelerator commands need a committed image.
    let mut rng = StdRng::seed_from_u64(1);
    let s = random_state(&mut rng);
    assert!(matches!(permute(&mut link, &s), Err(LinkError::Nak { code: nak::NOT_CONFIGURED, .. })));

    let img = image(10_000, 2);
    let mut seen = vec![];
    let r = upload(&mut link, &img, MAX_CHUNK, |got, total| seen.push((got, total))).unwrap();
    assert_eq!((r.total, r.resumed_from, r.sent), (10_000, 0, 10_000));
    assert_eq!(seen.first(), Some(&(0, 10_000)));
    assert_eq!(seen.last(), Some(&(10_000, 10_000)));
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "progress must advance: {seen:?}");
    assert_eq!(b.lock().unwrap().committed_image(), Some(&img[..]));

    for _ in 0..8 {
        let s = random_state(&mut rng);
        assert_eq!(permute(&mut link, &s).unwrap(), plonky2_permute(&s));
    }
    // Edge lanes: 0 and p - 1.
    let edge = std::array::from_fn(|i| if i % 2 == 0 { 0 } else { P - 1 });
    assert_eq!(permute(&mut link, &edge).unwrap(), plonky2_permute(&edge));
    // Leaves short enough for the no-op, one chunk, several chunks; more leaves than one frame.
    for (len, count) in [(3, 5), (8, 40), (27, 9)] {
        let leaves: Vec<Vec<u64>> = (0..count).map(|_| (0..len).map(|_| rng.gen_range(0..P)).collect()).collect();
        let want: Vec<[u64; 4]> = leaves
            .iter()
            .map(|l| PoseidonHash::hash_or_noop(&l.iter().map(|&x| F::from_canonical_u64(x)).collect::<Vec<_>>()).elements.map(|x| x.to_canonical_u64()))
            .collect();
        assert_eq!(hash_leaves(&mut link, &leaves).unwrap(), want, "leaves of {len}");
    }
    // A non-canonical word is refused on the host, before it reaches the board.
    let mut bad = s;
    bad[3] = P;
    assert!(matches!(permute(&mut link, &bad), Err(LinkError::Protocol(_))));
    assert_eq!(link.stats.resends, 0);
}

#[test]
fn an_unplug_mid_upload_is_an_error_and_the_upload_resumes() {
    let (b, pty) = board(Faults { unplug_at: Some(5_000), ..Faults::default() });
    let img = image(12_000, 3);
    let mut link = connect(&pty, 300, 2);
    let err = upload(&mut link, &img, 1000, |_, _| {}).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, UploadError::Interrupted { received: 4000, total: 12_000, source: LinkError::Disconnected(_) }), "{err:?}");
    assert!(text.contains("connection to the board lost") && text.contains("resume"), "{text}");
    assert!(pty.hung_up());
    assert_eq!(b.lock().unwrap().committed_image(), None);
    assert_eq!(b.lock().unwrap().received(), 5_000);
    drop(link);
    drop(pty);

    // Plugged back in (a new pty, the same board): the host asks for the offset and goes on.
    let pty = PtyBoard::spawn(b.clone()).unwrap();
    let mut link = connect(&pty, 300, 2);
    let r = upload(&mut link, &img, 1000, |_, _| {}).unwrap();
    assert_eq!((r.resumed_from, r.sent, r.total), (5_000, 7_000, 12_000));
    assert_eq!(b.lock().unwrap().committed_image(), Some(&img[..]));
}

#[test]
fn corrupted_frames_are_naked_and_resent() {
    // Every 2500th byte to the board and every 700th byte from it is flipped.
    let faults = Faults { corrupt_rx_every: Some(2_500), corrupt_tx_every: Some(700), ..Faults::default() };
    let (b, pty) = board(faults);
    let mut link = connect(&pty, 150, 4);
    let img = image(30_000, 4);
    upload(&mut link, &img, MAX_CHUNK, |_, _| {}).unwrap();
    assert_eq!(b.lock().unwrap().committed_image(), Some(&img[..]));
    let mut rng = StdRng::seed_from_u64(5);
    for _ in 0..30 {
        let s = random_state(&mut rng);
        assert_eq!(permute(&mut link, &s).unwrap(), plonky2_permute(&s));
    }
    let board_naks = b.lock().unwrap().stats.naks_bad_crc;
    assert!(board_naks > 0, "the board NAKed no frame");
    assert!(link.stats.naks_bad_crc > 0 && link.stats.bad_responses > 0, "{:?}", link.stats);
    assert!(link.stats.resends >= link.stats.naks_bad_crc + link.stats.bad_responses, "{:?}", link.stats);
}

#[test]
fn a_board_that_never_answers_times_out() {
    let (_b, pty) = board(Faults { silent: true, ..Faults::default() });
    let mut link = connect(&pty, 100, 2);
    let t0 = std::time::Instant::now();
    let err = ping(&mut link).unwrap_err();
    assert!(matches!(err, LinkError::Timeout { attempts: 3, .. }), "{err:?}");
    assert!(err.to_string().contains("did not answer ping"), "{err}");
    assert!(t0.elapsed() >= Duration::from_millis(300) && t0.elapsed() < Duration::from_secs(3));
    assert_eq!(link.stats.timeouts, 3);
}

#[test]
fn an_image_that_fails_verification_is_never_success() {
    let (b, pty) = board(Faults { bad_storage: true, ..Faults::default() });
    let mut link = connect(&pty, 500, 2);
    let img = image(3_000, 6);
    let mut last = 0;
    let err = upload(&mut link, &img, 512, |got, _| last = got).unwrap_err();
    assert_eq!(last, 3_000, "every byte was sent");
    assert!(matches!(err, UploadError::Refused(LinkError::Nak { code: nak::VERIFY_FAILED, .. })), "{err:?}");
    assert!(err.to_string().contains("failed verification"), "{err}");
    assert_eq!(b.lock().unwrap().committed_image(), None);
    let s = [1u64; 12];
    assert!(matches!(permute(&mut link, &s), Err(LinkError::Nak { code: nak::NOT_CONFIGURED, .. })));
}

// --- the CLI -------------------------------------------------------------------------------

fn parallax(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_parallax")).args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("parallax-boards-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn cli_flashes_a_board_and_lists_it() {
    let (b, pty) = board(Faults::default());
    let path = temp("image.bin");
    let img = image(20_000, 7);
    std::fs::write(&path, &img).unwrap();
    let port = pty.path().to_str().unwrap();
    let (ok, out, err) = parallax(&["flash", "--serial", port, path.to_str().unwrap()]);
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("committed: 20000 bytes") && out.contains("Parallax board"), "{out}");
    assert!(err.contains("20000/20000"), "progress: {err}");
    assert_eq!(b.lock().unwrap().committed_image(), Some(&img[..]));
    let (ok, out, err) = parallax(&["devices", "--serial", port]);
    assert!(ok, "{err}");
    assert!(out.contains(&format!("serial: {port}: Parallax board")), "{out}");
    assert!(out.contains("sim: the simulated card is always available"), "{out}");
}

#[test]
fn cli_errors_are_clear() {
    let img = temp("small.bin");
    std::fs::write(&img, [1u8, 2, 3]).unwrap();
    let missing = temp("missing.bin");
    let (silent_b, silent) = board(Faults { silent: true, ..Faults::default() });
    let silent_path = silent.path().to_str().unwrap().to_string();
    for (args, msg) in [
        (vec!["flash", "--serial", "/dev/parallax-no-such-port", img.to_str().unwrap()], "serial port /dev/parallax-no-such-port does not exist"),
        (vec!["flash", "--serial", &silent_path, missing.to_str().unwrap()], "cannot read image"),
        (vec!["flash", "--serial", "/dev/null", img.to_str().unwrap()], "cannot open serial port /dev/null"),
        (vec!["flash", "--serial", &silent_path, "--timeout-ms", "50", img.to_str().unwrap()], "did not answer ping"),
        (vec!["flash", img.to_str().unwrap()], "not an xclbin"),
        (vec!["flash", missing.to_str().unwrap()], "cannot read xclbin"),
    ] {
        let (ok, out, err) = parallax(&args);
        assert!(!ok, "{args:?} succeeded: {out}");
        assert!(err.contains(msg), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let (ok, out, err) = parallax(&["devices", "--serial", &silent_path, "--serial", "/dev/parallax-no-such-port"]);
    assert!(ok, "{err}");
    assert!(out.contains(&format!("serial: {silent_path}: no Parallax board answered")), "{out}");
    assert!(out.contains("serial: /dev/parallax-no-such-port: does not exist"), "{out}");
    drop(silent_b);
}
