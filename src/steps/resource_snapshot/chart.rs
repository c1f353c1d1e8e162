//! The resource snapshot's chart: an SVG with two horizontal bar charts
//! (CPU, memory), drawn with plotters, French numbers on the axes.

use crate::error::{Error, Result};
use crate::french;

use super::Usage;

fn draw_err(e: impl std::fmt::Display) -> Error {
    Error::failed(format!("dessin du graphique impossible : {e}"))
}

/// An SVG with two horizontal bar charts (CPU %, memory MiB), one bar per
/// container, one above the other: the chart is as wide as a book page
/// shows it (labels stay readable) and as high as its bars need.
pub fn render_chart(rows: &[Usage]) -> Result<String> {
    use plotters::prelude::*;

    let n = rows.len().max(1);
    let longest = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(8) as u32;
    let label_area = (longest * 8 + 16).clamp(80, 280);
    let panel = 72 + 28 * n as u32;
    let height = 2 * panel;
    let width = label_area + 440;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let (top_area, bottom_area) = root.split_vertically(panel);
        let panels: [(&DrawingArea<_, _>, &str, Vec<f64>, RGBColor); 2] = [
            (
                &top_area,
                "CPU (% d'un cœur)",
                rows.iter().map(|r| r.cpu_percent.unwrap_or(0.0)).collect(),
                RGBColor(31, 119, 180),
            ),
            (
                &bottom_area,
                "Mémoire (Mio)",
                rows.iter().map(|r| r.mem_mib.unwrap_or(0.0)).collect(),
                RGBColor(255, 127, 14),
            ),
        ];
        for (area, caption, values, color) in panels {
            let max = values.iter().cloned().fold(0.0_f64, f64::max);
            let top = if max > 0.0 { max * 1.15 } else { 1.0 };
            let mut chart = ChartBuilder::on(area)
                .caption(caption, ("sans-serif", 17))
                .margin(10)
                .x_label_area_size(28)
                .y_label_area_size(label_area)
                // `0..n - 1` segmented: exactly n slots, no empty one.
                .build_cartesian_2d(0.0..top, (0..n - 1).into_segmented())
                .map_err(draw_err)?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(n)
                .y_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) => {
                        rows.get(*i).map(|r| r.name.clone()).unwrap_or_default()
                    }
                    _ => String::new(),
                })
                .x_labels(5)
                .x_label_formatter(&|x| french::decimal(*x, axis_decimals(top)))
                .label_style(("sans-serif", 14))
                .draw()
                .map_err(draw_err)?;
            chart
                .draw_series(values.iter().enumerate().map(|(i, v)| {
                    let mut bar = Rectangle::new(
                        [
                            (0.0, SegmentValue::Exact(i)),
                            (*v, SegmentValue::Exact(i + 1)),
                        ],
                        color.filled(),
                    );
                    bar.set_margin(4, 4, 0, 0);
                    bar
                }))
                .map_err(draw_err)?;
        }
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// Decimals for axis labels so that five ticks over `0..top` stay distinct.
pub(super) fn axis_decimals(top: f64) -> usize {
    let step = top / 5.0;
    if step >= 1.0 {
        0
    } else {
        // One significant digit of the step: 0.05 → 2, 0.2 → 1, 0.004 → 3.
        (-step.log10()).ceil().clamp(1.0, 4.0) as usize
    }
}
