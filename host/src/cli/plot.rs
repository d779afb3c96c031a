//! `parallax bench --plot FILE.svg`: host time against the card's projected time, log scale.

use std::path::Path;

use anyhow::anyhow;
use plotters::prelude::*;

use super::bench::Row;

pub fn draw(path: &Path, cols: usize, rows: &[Row]) -> anyhow::Result<()> {
    let err = |e: DrawingAreaErrorKind<std::io::Error>| anyhow!("{e}");
    let series = [
        ("host CPU (measured)", RED, points(rows, |r| r.host)),
        ("card, end to end (projected)", BLUE, points(rows, |r| r.card)),
        ("card, compute only (projected)", GREEN, points(rows, |r| r.compute)),
    ];
    // A log axis has no room for zero: sizes the card model reported nothing for are left out.
    let ys = series.iter().flat_map(|s| s.2.iter().map(|p| p.1));
    let (lo, hi) = ys.fold((f64::MAX, f64::MIN), |(lo, hi), y| (lo.min(y), hi.max(y)));
    if lo > hi {
        return Err(anyhow!("no positive times to plot"));
    }
    let (x0, x1) = (rows[0].log_rows as f64 - 0.2, rows[rows.len() - 1].log_rows as f64 + 0.2);
    let root = SVGBackend::new(path, (900, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(format!("Trace commitment of 2^k rows x {cols} columns (rate 1/2)"), ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, (lo / 2.0..hi * 2.0).log_scale())
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("log2(rows)")
        .y_desc("seconds")
        .x_labels(rows.len().max(2))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0e}"))
        .draw()
        .map_err(err)?;
    for (name, color, pts) in series {
        if pts.is_empty() {
            continue;
        }
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
            .map_err(err)?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled()))).map_err(err)?;
    }
    chart.configure_series_labels().background_style(WHITE).border_style(BLACK).position(SeriesLabelPosition::UpperLeft).draw().map_err(err)?;
    root.present().map_err(err)
}

fn points(rows: &[Row], y: impl Fn(&Row) -> f64) -> Vec<(f64, f64)> {
    rows.iter().map(|r| (r.log_rows as f64, y(r))).filter(|p| p.1 > 0.0).collect()
}
