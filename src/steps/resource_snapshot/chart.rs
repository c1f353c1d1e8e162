//! The resource snapshot's charts: an SVG with two horizontal bar charts
//! (CPU, memory), drawn with plotters, French numbers on the axes, and its
//! narrow variant for a phone (each container's name on its own line above
//! its bar, the value written beside the bar, no axis).
//!
//! It does not decide where the charts go (the step attaches them, the
//! book shows the narrow one on small screens).

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

/// Width of the narrow chart: fits a phone's column (390 px screen less
/// the book's margins) at its drawn size.
pub const NARROW_WIDTH: u32 = 340;
/// Text size of the narrow chart, in px as written in the SVG (legible
/// without zoom on a phone).
pub const NARROW_TEXT: f64 = 13.0;
/// plotters' SVG backend writes `font-size` as the requested size / 1.24.
const SVG_FONT_RATIO: f64 = 1.24;
/// Longest container name the narrow chart writes whole (more is cut with
/// « … », the wide chart and the table keep it).
const NARROW_NAME: usize = 42;

/// The narrow variant of [`render_chart`]: [`NARROW_WIDTH`] px wide, for
/// each panel (CPU, memory) a caption, then per container its name on one
/// line and below it its bar with the value written after it, all text at
/// [`NARROW_TEXT`] px or more.
pub fn render_narrow_chart(rows: &[Usage]) -> Result<String> {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, Pos, VPos};

    const MARGIN: i32 = 8;
    const CAPTION: i32 = 28;
    const ROW: i32 = 44;
    const BAR: i32 = 16;
    // Room kept right of the longest bar for its value (« 1 234,5 Mio »).
    const VALUE: i32 = 96;
    let width = NARROW_WIDTH;
    let n = rows.len() as i32;
    let panel = CAPTION + ROW * n + MARGIN;
    let height = (2 * panel + MARGIN) as u32;
    let text = |px: f64| {
        ("sans-serif", px * SVG_FONT_RATIO)
            .into_font()
            .color(&BLACK)
    };
    let left = Pos::new(HPos::Left, VPos::Top);
    let middle = Pos::new(HPos::Left, VPos::Center);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let panels: [(&str, Vec<Option<f64>>, &str, RGBColor); 2] = [
            (
                "CPU (% d'un cœur)",
                rows.iter().map(|r| r.cpu_percent).collect(),
                "%",
                RGBColor(31, 119, 180),
            ),
            (
                "Mémoire (Mio)",
                rows.iter().map(|r| r.mem_mib).collect(),
                "Mio",
                RGBColor(255, 127, 14),
            ),
        ];
        for (p, (caption, values, unit, color)) in panels.into_iter().enumerate() {
            let top = MARGIN + p as i32 * panel;
            root.draw(&Text::new(
                caption,
                (MARGIN, top),
                text(NARROW_TEXT + 2.0).pos(left),
            ))
            .map_err(draw_err)?;
            let max = values.iter().flatten().cloned().fold(0.0_f64, f64::max);
            let span = width as i32 - 2 * MARGIN - VALUE;
            let decimals = if max >= 10.0 { 1 } else { 2 };
            for (i, (row, v)) in rows.iter().zip(&values).enumerate() {
                let y = top + CAPTION + ROW * i as i32;
                root.draw(&Text::new(
                    short_name(&row.name),
                    (MARGIN, y),
                    text(NARROW_TEXT).pos(left),
                ))
                .map_err(draw_err)?;
                let bar_top = y + 20;
                // Not measured: no bar and « — », as in the table.
                let (len, label) = match v {
                    Some(v) if max > 0.0 => (
                        ((v / max) * span as f64).round() as i32,
                        format!("{} {unit}", french::decimal(*v, decimals)),
                    ),
                    Some(v) => (0, format!("{} {unit}", french::decimal(*v, decimals))),
                    None => (0, "—".to_string()),
                };
                if v.is_some() {
                    root.draw(&Rectangle::new(
                        [(MARGIN, bar_top), (MARGIN + len.max(1), bar_top + BAR)],
                        color.filled(),
                    ))
                    .map_err(draw_err)?;
                }
                root.draw(&Text::new(
                    label,
                    (MARGIN + len.max(1) + 6, bar_top + BAR / 2),
                    text(NARROW_TEXT).pos(middle),
                ))
                .map_err(draw_err)?;
            }
        }
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// A container name short enough for one line of the narrow chart.
fn short_name(name: &str) -> String {
    if name.chars().count() <= NARROW_NAME {
        name.to_string()
    } else {
        let mut s: String = name.chars().take(NARROW_NAME - 1).collect();
        s.push('…');
        s
    }
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
