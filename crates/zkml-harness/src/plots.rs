//! Line charts with min–max error bars on log-log axes (plotters), as PNG and SVG.

use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;
use std::sync::Once;
use zkml_protocol::Precompiles;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    /// Median.
    pub y: f64,
    pub lo: f64,
    pub hi: f64,
}

#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    /// Colour is chosen by backend, so a backend keeps its colour across every chart.
    pub backend: String,
    /// Precompiles off is drawn dashed.
    pub precompiles: Precompiles,
    /// Marker shape by host, for merged reports.
    pub host: usize,
    pub points: Vec<Point>,
}

impl Series {
    pub fn new(label: String, backend: &str, precompiles: Precompiles, host: usize) -> Self {
        Series { label, backend: backend.into(), precompiles, host, points: Vec::new() }
    }
}

fn colour(backend: &str) -> RGBColor {
    match backend {
        "native" => RGBColor(90, 90, 90),
        "risc0" => RGBColor(214, 39, 40),
        "sp1" => RGBColor(31, 119, 180),
        "openvm" => RGBColor(44, 160, 44),
        "jolt" => RGBColor(148, 103, 189),
        other => {
            let h = other.bytes().fold(7u32, |a, b| a.wrapping_mul(31).wrapping_add(b as u32));
            RGBColor((h % 200) as u8, ((h >> 8) % 200) as u8, ((h >> 16) % 200) as u8)
        }
    }
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Embedded DejaVu Sans: PNG text renders the same on any machine, fonts installed or not.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
    });
}

/// Draws `series` into `dir/name.png` and `dir/name.svg`. With no data, the chart says so.
pub fn line_chart(dir: &Path, name: &str, title: &str, unit: &str, series: &[Series]) -> anyhow::Result<()> {
    register_font();
    let size = (960, 600);
    let png = dir.join(format!("{name}.png"));
    let svg = dir.join(format!("{name}.svg"));
    draw(BitMapBackend::new(&png, size).into_drawing_area(), title, unit, series).map_err(|e| anyhow::anyhow!("{}: {e}", png.display()))?;
    draw(SVGBackend::new(&svg, size).into_drawing_area(), title, unit, series).map_err(|e| anyhow::anyhow!("{}: {e}", svg.display()))?;
    Ok(())
}

fn pad_log(lo: f64, hi: f64) -> (f64, f64) {
    if hi <= lo * 1.0001 {
        (lo / 2.0, hi * 2.0)
    } else {
        (lo / 1.3, hi * 1.3)
    }
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    unit: &str,
    series: &[Series],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let pts: Vec<&Point> = series.iter().flat_map(|s| &s.points).filter(|p| p.y > 0.0 && p.lo > 0.0).collect();
    if pts.is_empty() {
        root.titled(title, ("sans-serif", 22))?;
        root.draw(&Text::new("no data for this metric in these results", (330, 290), ("sans-serif", 18).into_font().color(&BLACK)))?;
        return root.present();
    }
    let (x0, x1) = pad_log(pts.iter().map(|p| p.x).fold(f64::MAX, f64::min), pts.iter().map(|p| p.x).fold(f64::MIN, f64::max));
    // Extra room on the left for the legend (upper left), so it does not cover the first points.
    let x0 = x0 / 2.5;
    let (y0, y1) = pad_log(pts.iter().map(|p| p.lo).fold(f64::MAX, f64::min), pts.iter().map(|p| p.hi).fold(f64::MIN, f64::max));
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(88)
        .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("test rows (log)")
        .y_desc(format!("{unit} (log)"))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| crate::plots::tick(*y))
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .draw()?;
    for s in series {
        let c = colour(&s.backend);
        let mut points: Vec<Point> = s.points.iter().copied().filter(|p| p.y > 0.0 && p.lo > 0.0).collect();
        points.sort_by(|a, b| a.x.total_cmp(&b.x));
        if points.is_empty() {
            continue;
        }
        let line: Vec<(f64, f64)> = points.iter().map(|p| (p.x, p.y)).collect();
        let style = c.stroke_width(2);
        let anno = if s.precompiles == Precompiles::Off && s.backend != "native" {
            chart.draw_series(DashedLineSeries::new(line, 8, 5, style))?
        } else {
            chart.draw_series(LineSeries::new(line, style))?
        };
        anno.label(s.label.clone()).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(2)));
        chart.draw_series(points.iter().map(|p| ErrorBar::new_vertical(p.x, p.lo, p.y, p.hi, c.stroke_width(1), 10)))?;
        match s.host % 3 {
            0 => {
                chart.draw_series(points.iter().map(|p| Circle::new((p.x, p.y), 4, c.filled())))?;
            }
            1 => {
                chart.draw_series(points.iter().map(|p| TriangleMarker::new((p.x, p.y), 6, c.filled())))?;
            }
            _ => {
                chart.draw_series(points.iter().map(|p| Cross::new((p.x, p.y), 5, c.stroke_width(2))))?;
            }
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()?;
    root.present()
}

/// Compact tick labels for log axes.
pub fn tick(y: f64) -> String {
    if !(1e-2..1e4).contains(&y) {
        format!("{y:.0e}")
    } else if y >= 10.0 {
        format!("{y:.0}")
    } else {
        format!("{y:.2}")
    }
}
