//! Line charts with min–max error bars on log-log axes, and grouped bar charts (the original
//! study's presentation), drawn with plotters as PNG and SVG.
//!
//! One colour per backend in every chart. Within a backend the line style says the precompile
//! setting (solid: on, dashed: off) and the marker the proof family (circle: segmented, square:
//! aggregated, triangle: SNARK); the legend draws exactly that line and marker. In bar charts
//! the aggregated family's bars are a lighter shade of the backend's colour, and a configuration
//! that ran but never succeeded is an outlined stub labelled `OOM`, `timeout` or `failed` (an
//! empty slot means "not measured"). No chart mixes machines and none draws more than
//! [`MAX_SERIES`] series: [`split_charts`] cuts a set of series into readable charts (per
//! machine, then per proof family, then per accelerator setting). The x axis is labelled at the
//! measured sizes only.

use crate::catalogue::Backend;
use plotters::coord::combinators::WithKeyPoints;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;
use std::sync::Once;
use zkml_protocol::{Precompiles, ProofFamily};

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
    /// Marker shape ([`family_marker`]): segmented circle, aggregated square, SNARK triangle.
    pub family: ProofFamily,
    /// The machine (index into the report's hosts): [`split_charts`] never mixes two.
    pub host: usize,
    pub points: Vec<Point>,
    /// Sizes where the configuration only failed, with a value its failed runs recorded (the
    /// peak memory of an out-of-memory attempt) and the failure's tag: a cross, tagged.
    pub failed: Vec<(f64, f64, &'static str)>,
}

impl Series {
    pub fn new(label: String, backend: &str, precompiles: Precompiles, family: ProofFamily, host: usize) -> Self {
        Series { label, backend: backend.into(), precompiles, family, host, points: Vec::new(), failed: Vec::new() }
    }
}

/// The most series one chart draws: beyond it the legend is a list nobody matches to lines.
pub const MAX_SERIES: usize = 8;

/// One chart of a [`split_charts`]: which part of the whole it shows and its items.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartPart<T> {
    /// Appended to the chart's file name: `""` where nothing was cut, else e.g. `-H2-aggregated`.
    pub name_suffix: String,
    /// Appended to the chart's title: `""` where nothing was cut, else e.g. ` — H2, aggregated proofs`.
    pub title_suffix: String,
    pub items: Vec<T>,
}

impl<T> ChartPart<T> {
    /// Its name and title with its items taken out (to be cut further).
    fn take(self) -> (ChartPart<T>, Vec<T>) {
        (ChartPart { name_suffix: self.name_suffix, title_suffix: self.title_suffix, items: Vec::new() }, self.items)
    }

    fn narrowed<U>(&self, name: &str, title: &str, items: Vec<U>) -> ChartPart<U> {
        let sep = if self.title_suffix.is_empty() { " — " } else { ", " };
        ChartPart { name_suffix: format!("{}-{name}", self.name_suffix), title_suffix: format!("{}{sep}{title}", self.title_suffix), items }
    }
}

/// What a chart draws one of: a series, or a fitted line (its series and its fit).
pub trait Charted {
    fn series(&self) -> &Series;
}

impl Charted for Series {
    fn series(&self) -> &Series {
        self
    }
}

impl Charted for FitLine {
    fn series(&self) -> &Series {
        &self.series
    }
}

/// Cuts the items of one chart (series, or fitted lines) into charts a reader can follow: one
/// per machine where the report has several (`multi_host`: a chart never mixes machines), and
/// a machine's chart of more than [`MAX_SERIES`] series cut by proof family, then by
/// accelerator setting, then into numbered parts. Items keep their order. With no item, one
/// empty chart (it says that nothing was measured).
pub fn split_charts<T: Charted>(items: Vec<T>, multi_host: bool) -> Vec<ChartPart<T>> {
    let whole = |items| ChartPart { name_suffix: String::new(), title_suffix: String::new(), items };
    if items.is_empty() {
        return vec![whole(Vec::new())];
    }
    let mut out = Vec::new();
    for (host, items) in group_by(items, |t| t.series().host) {
        let machine = if multi_host {
            whole(Vec::new()).narrowed(&super::text::host_id(host), &super::text::host_id(host), items)
        } else {
            whole(items)
        };
        if machine.items.len() <= MAX_SERIES {
            out.push(machine);
            continue;
        }
        let (machine, items) = machine.take();
        for (family, items) in group_by(items, |t| t.series().family) {
            let by_family = machine.narrowed(family.as_str(), &format!("{family} proofs"), items);
            if by_family.items.len() <= MAX_SERIES {
                out.push(by_family);
                continue;
            }
            let (by_family, items) = by_family.take();
            for (precompiles, items) in group_by(items, |t| t.series().precompiles) {
                let by_setting = by_family.narrowed(&format!("accel-{precompiles}"), &format!("accelerator {precompiles}"), items);
                let n = by_setting.items.len().div_ceil(MAX_SERIES);
                if n == 1 {
                    out.push(by_setting);
                    continue;
                }
                let (by_setting, items) = by_setting.take();
                let mut rest = items.into_iter();
                for i in 1..=n {
                    let items: Vec<T> = rest.by_ref().take(MAX_SERIES).collect();
                    out.push(by_setting.narrowed(&format!("part{i}"), &format!("part {i} of {n}"), items));
                }
            }
        }
    }
    out
}

/// Draws `items` as the charts [`split_charts`] cuts them into, each by `draw(name, title,
/// items)` under `name` and `title` with the part's suffixes, and links each from `md` as
/// `plots/NAME.png`, the link followed by `gap`.
pub fn draw_split<T: Charted>(
    md: &mut String,
    items: Vec<T>,
    multi_host: bool,
    name: &str,
    title: &str,
    gap: &str,
    mut draw: impl FnMut(&str, &str, &[T]) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    use std::fmt::Write as _;
    for part in split_charts(items, multi_host) {
        let (name, title) = (format!("{name}{}", part.name_suffix), format!("{title}{}", part.title_suffix));
        draw(&name, &title, &part.items)?;
        writeln!(md, "![{title}](plots/{name}.png){gap}")?;
    }
    Ok(())
}

/// `items` grouped by `key`, groups in the order of their first item, items in their order.
fn group_by<T, K: PartialEq>(items: Vec<T>, key: impl Fn(&T) -> K) -> Vec<(K, Vec<T>)> {
    let mut groups: Vec<(K, Vec<T>)> = Vec::new();
    for t in items {
        let k = key(&t);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, v)) => v.push(t),
            None => groups.push((k, vec![t])),
        }
    }
    groups
}

/// The marker shape (and bar shade) of a proof family in every chart: segmented (and
/// unfamilied) 0, aggregated 1, SNARK 2.
pub fn family_marker(family: ProofFamily) -> usize {
    match family {
        ProofFamily::Aggregated => 1,
        ProofFamily::Snark => 2,
        _ => 0,
    }
}

pub fn colour(backend: &str) -> RGBColor {
    match Backend::from_name(backend) {
        Some(b) => {
            let (r, g, b) = b.colour();
            RGBColor(r, g, b)
        }
        // A backend this build does not know (a record of another build): a stable colour of its name.
        None => {
            let h = backend.bytes().fold(7u32, |a, b| a.wrapping_mul(31).wrapping_add(b as u32));
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

const SIZE: (u32, u32) = (960, 600);

/// Where the legend's first line sits and how far apart its lines are (px).
const LEGEND_TOP: u32 = 70;
const LEGEND_LINE: u32 = 22;

/// A chart's size: 960×600, taller where the legend's `lines` need it (a merged report of
/// several machines can have thirty series), so that no entry falls off the image.
fn chart_size(lines: usize) -> (u32, u32) {
    (SIZE.0, SIZE.1.max(LEGEND_TOP + LEGEND_LINE * lines as u32 + 20))
}

/// Draws one chart twice, into `dir/name.png` and `dir/name.svg`, with the same drawing
/// expression over `area` (a generic `DrawingArea`, so a closure cannot stand in for it).
macro_rules! png_and_svg {
    ($dir:expr, $name:expr, $size:expr, |$area:ident| $draw:expr) => {{
        register_font();
        let png = $dir.join(format!("{}.png", $name));
        let svg = $dir.join(format!("{}.svg", $name));
        {
            let $area = BitMapBackend::new(&png, $size).into_drawing_area();
            $draw.map_err(|e| anyhow::anyhow!("{}: {e}", png.display()))?;
        }
        {
            let $area = SVGBackend::new(&svg, $size).into_drawing_area();
            $draw.map_err(|e| anyhow::anyhow!("{}: {e}", svg.display()))?;
        }
        Ok(())
    }};
}

/// Draws `series` into `dir/name.png` and `dir/name.svg`. With no data, the chart says so.
pub fn line_chart(dir: &Path, name: &str, title: &str, unit: &str, series: &[Series]) -> anyhow::Result<()> {
    line_chart_x(dir, name, title, unit, "test rows (log scale; ticks at the measured sizes)", series)
}

/// [`line_chart`] over another x axis than test rows, described by `x_desc`.
pub fn line_chart_x(dir: &Path, name: &str, title: &str, unit: &str, x_desc: &str, series: &[Series]) -> anyhow::Result<()> {
    png_and_svg!(dir, name, chart_size(series.len()), |area| draw_lines(area, title, unit, x_desc, series))
}

fn pad_log(lo: f64, hi: f64) -> (f64, f64) {
    if hi <= lo * 1.0001 {
        (lo / 2.0, hi * 2.0)
    } else {
        (lo / 1.4, hi * 1.4)
    }
}

fn shape_style(c: RGBColor) -> ShapeStyle {
    c.filled()
}

/// Draws the series' marker (by proof mode) at each point of a chart (the legend draws the
/// same three shapes).
macro_rules! draw_markers {
    ($target:expr, $at:expr, $mode:expr, $style:expr) => {
        match $mode % 3 {
            0 => $target.draw_series($at.map(|(x, y)| EmptyElement::at((x, y)) + Circle::new((0, 0), 5, $style)))?,
            1 => $target.draw_series($at.map(|(x, y)| EmptyElement::at((x, y)) + Rectangle::new([(-4, -4), (4, 4)], $style)))?,
            _ => $target.draw_series($at.map(|(x, y)| EmptyElement::at((x, y)) + TriangleMarker::new((0, 0), 6, $style)))?,
        }
    };
}

/// Why a line or bar chart is empty, one line of the placeholder each.
const NO_MEASUREMENT: &[&str] =
    &["nothing to draw: native is left out of these charts", "and no other backend has this measurement (see the tables)"];

/// An empty chart: its title and, centred in the image, why nothing is drawn (one short line
/// each, so that the text stays inside the image).
fn nothing_to_draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    why: &[&str],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.titled(title, ("sans-serif", 22))?;
    let style = ("sans-serif", 18).into_font().color(&BLACK).pos(Pos::new(HPos::Center, VPos::Center));
    let (width, height) = root.dim_in_pixel();
    let (x, top) = (width as i32 / 2, height as i32 / 2 - 13 * why.len() as i32);
    for (i, line) in why.iter().enumerate() {
        root.draw(&Text::new(*line, (x, top + 26 * i as i32), style.clone()))?;
    }
    root.present()
}

/// The caption's font size over `area`: 20 px, smaller (down to 12) where a long title (a
/// machine, a family and a setting appended by [`split_charts`]) would run past the edges.
fn caption_size<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, title: &str) -> Result<u32, DrawingAreaErrorKind<DB::ErrorType>> {
    let room = area.dim_in_pixel().0 as i32 - 2 * 14;
    for size in (13..=20).rev() {
        if area.estimate_text_size(title, &("sans-serif", size).into())?.0 as i32 <= room {
            return Ok(size);
        }
    }
    Ok(12)
}

/// The axes of the line and fit charts: log x, labelled at chosen points; log y, at its decades.
type LogLog = Cartesian2d<WithKeyPoints<LogCoord<f64>>, WithKeyPoints<LogCoord<f64>>>;

/// A line or fit chart's axes on `plot`, `title` above: x over `x` (log, labelled at `x_ticks`
/// as row counts, described by `x_desc`), y over `y` (log, labelled at its decades, in `unit`).
fn log_log_axes<'a, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
    title: &str,
    unit: &str,
    x_desc: &str,
    (x0, x1): (f64, f64),
    x_ticks: Vec<f64>,
    (y0, y1): (f64, f64),
) -> Result<ChartContext<'a, DB, LogLog>, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut chart = ChartBuilder::on(plot)
        .caption(title, ("sans-serif", caption_size(plot, title)?))
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(80)
        .build_cartesian_2d((x0..x1).log_scale().with_key_points(x_ticks), (y0..y1).log_scale().with_key_points(log_ticks(y0, y1)))?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(format!("{unit} (log)"))
        .x_label_formatter(&|x| rows_label(*x))
        .y_label_formatter(&|y| tick(*y))
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 15))
        .draw()?;
    Ok(chart)
}

/// A series' line in its backend's colour: dashed where `dashed` (a system without its
/// accelerator, or a reference line), else solid.
fn draw_line<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, LogLog>,
    line: Vec<(f64, f64)>,
    dashed: bool,
    c: RGBColor,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    if dashed {
        chart.draw_series(DashedLineSeries::new(line, 8, 5, c.stroke_width(2)))?;
    } else {
        chart.draw_series(LineSeries::new(line, c.stroke_width(2)))?;
    }
    Ok(())
}

/// Where attempts failed: a cross at each point, tagged with why (`OOM`).
fn draw_crosses<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, LogLog>,
    crosses: impl Iterator<Item = ((f64, f64), &'static str)>,
    c: RGBColor,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart.draw_series(crosses.map(|(at, tag)| {
        EmptyElement::at(at) + Cross::new((0, 0), 6, c.stroke_width(2)) + Text::new(tag, (8, -8), ("sans-serif", 14).into_font().color(&c))
    }))?;
    Ok(())
}

fn draw_lines<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    unit: &str,
    x_desc: &str,
    series: &[Series],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    // A failed attempt's value is a point of the scale too (as a point without spread).
    let failed: Vec<Point> =
        series.iter().flat_map(|s| &s.failed).filter(|f| f.1 > 0.0).map(|&(x, y, _)| Point { x, y, lo: y, hi: y }).collect();
    let pts: Vec<&Point> = series.iter().flat_map(|s| &s.points).filter(|p| p.y > 0.0 && p.lo > 0.0).chain(&failed).collect();
    if pts.is_empty() {
        return nothing_to_draw(&root, title, NO_MEASUREMENT);
    }
    let mut xs: Vec<f64> = pts.iter().map(|p| p.x).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let (x0, x1) = pad_log(xs[0], xs[xs.len() - 1]);
    let (y0, y1) = pad_log(pts.iter().map(|p| p.lo).fold(f64::MAX, f64::min), pts.iter().map(|p| p.hi).fold(f64::MIN, f64::max));
    // The legend goes to the right of the plot, so it never covers a point.
    let (plot, legend) = split_for_legend(&root, series.iter().map(|s| s.label.as_str()))?;
    let mut chart = log_log_axes(&plot, title, unit, x_desc, (x0, x1), xs, (y0, y1))?;
    let mut entries = Vec::new();
    for s in series {
        let c = colour(&s.backend);
        let mut points: Vec<Point> = s.points.iter().copied().filter(|p| p.y > 0.0 && p.lo > 0.0).collect();
        points.sort_by(|a, b| a.x.total_cmp(&b.x));
        let failures: Vec<&(f64, f64, &'static str)> = s.failed.iter().filter(|f| f.1 > 0.0).collect();
        if points.is_empty() && failures.is_empty() {
            continue;
        }
        draw_crosses(&mut chart, failures.iter().map(|&&(x, y, tag)| ((x, y), tag)), c)?;
        let line: Vec<(f64, f64)> = points.iter().map(|p| (p.x, p.y)).collect();
        // Dashed: a system without its accelerator, or a reference line (native's grey, off).
        let dashed = s.precompiles == Precompiles::Off;
        draw_line(&mut chart, line, dashed, c)?;
        chart.draw_series(points.iter().map(|p| ErrorBar::new_vertical(p.x, p.lo, p.y, p.hi, c.stroke_width(1), 10)))?;
        let style = shape_style(c);
        draw_markers!(chart, points.iter().map(|p| (p.x, p.y)), family_marker(s.family), style);
        entries.push((s.label.clone(), dashed, family_marker(s.family), c));
    }
    draw_legend(&legend, &entries)?;
    root.present()
}

/// The legend panel: one line per series, its line (solid or dashed) and marker, then label.
/// A chart's plot area and its legend column.
type PlotAndLegend<DB> = (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>);

/// The legend's text style (the bar charts' group labels use it too).
fn legend_font() -> TextStyle<'static> {
    ("sans-serif", 14).into_font().color(&BLACK)
}

/// Splits a chart into the plot and, on its right, a legend column as wide as its longest
/// label needs (at least 250 px, at most half the chart).
fn split_for_legend<'l, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    labels: impl Iterator<Item = &'l str>,
) -> Result<PlotAndLegend<DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut widest = 0;
    for label in labels {
        widest = widest.max(root.estimate_text_size(label, &legend_font())?.0 as i32);
    }
    // The legends put their text 34-36 px in from the column's edge; 12 px to spare on the right.
    let width = (widest + 36 + 12).clamp(250, SIZE.0 as i32 / 2);
    Ok(root.split_horizontally(SIZE.0 as i32 - width))
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, bool, usize, RGBColor)],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let font = legend_font();
    for (i, (label, dashed, mode, c)) in entries.iter().enumerate() {
        let (x, y) = (4, (LEGEND_TOP + LEGEND_LINE * i as u32) as i32);
        let segments: &[(i32, i32)] = if *dashed { &[(0, 6), (10, 16), (20, 26)] } else { &[(0, 26)] };
        for (a, b) in segments {
            area.draw(&PathElement::new(vec![(x + a, y), (x + b, y)], c.stroke_width(2)))?;
        }
        let style = shape_style(*c);
        let at = EmptyElement::at((x + 13, y));
        match mode % 3 {
            0 => area.draw(&(at + Circle::new((0, 0), 5, style)))?,
            1 => area.draw(&(at + Rectangle::new([(-4, -4), (4, 4)], style)))?,
            _ => area.draw(&(at + TriangleMarker::new((0, 0), 6, style)))?,
        }
        area.draw(&Text::new(label.clone(), (x + 34, y - 8), font.clone()))?;
    }
    Ok(())
}

/// A series' measured points and its fitted line `fixed + per_row × x`.
#[derive(Debug, Clone)]
pub struct FitLine {
    pub series: Series,
    pub fixed: f64,
    pub per_row: f64,
    /// The smallest size above the measured ones where the system failed, with why (`OOM`):
    /// the line ends there, tagged, instead of extrapolating past it.
    pub ends: Option<(f64, &'static str)>,
}

/// Measured points (markers) and each series' fitted line, drawn from the smallest measured
/// size out to `x_max` (or to where the system failed), on log-log axes: how a cost grows past
/// what was measured. The x axis is labelled at the measured sizes and at the decades beyond.
pub fn fit_chart(dir: &Path, name: &str, title: &str, unit: &str, series: &[FitLine], x_max: f64) -> anyhow::Result<()> {
    fit_chart_x(dir, name, title, unit, "test rows (log scale; markers measured, lines fitted and extrapolated)", series, x_max)
}

/// [`fit_chart`] over another x axis than test rows, described by `x_desc`.
pub fn fit_chart_x(dir: &Path, name: &str, title: &str, unit: &str, x_desc: &str, series: &[FitLine], x_max: f64) -> anyhow::Result<()> {
    png_and_svg!(dir, name, chart_size(series.len()), |area| draw_fits(area, title, unit, x_desc, series, x_max))
}

/// Row counts for an axis label: "100", "10k", "1M".
fn rows_label(x: f64) -> String {
    if x >= 1e6 && (x / 1e6).fract() == 0.0 {
        format!("{:.0}M", x / 1e6)
    } else if x >= 1e3 && (x / 1e3).fract() == 0.0 {
        format!("{:.0}k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}

fn draw_fits<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    unit: &str,
    x_desc: &str,
    series: &[FitLine],
    x_max: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let measured: Vec<&Point> = series.iter().flat_map(|f| &f.series.points).filter(|p| p.y > 0.0 && p.x > 0.0).collect();
    if measured.is_empty() {
        return nothing_to_draw(&root, title, &["nothing to draw: no system was measured at two sizes"]);
    }
    let x_lo = measured.iter().map(|p| p.x).fold(f64::MAX, f64::min);
    let x_hi = x_max.max(measured.iter().map(|p| p.x).fold(f64::MIN, f64::max));
    // The fitted lines, sampled evenly in log x; a fit is only drawn where it is positive.
    let curve = |f: &FitLine| -> Vec<(f64, f64)> {
        let end = f.ends.map_or(x_hi, |(x, _)| x.min(x_hi));
        (0..=64)
            .map(|i| x_lo * (end / x_lo).powf(i as f64 / 64.0))
            .map(|x| (x, f.fixed + f.per_row * x))
            .filter(|(_, y)| *y > 0.0)
            .collect()
    };
    let curves: Vec<Vec<(f64, f64)>> = series.iter().map(curve).collect();
    let ys = measured.iter().map(|p| p.y).chain(curves.iter().flatten().map(|p| p.1));
    let (y_min, y_max) = ys.fold((f64::MAX, f64::MIN), |(a, b), y| (a.min(y), b.max(y)));
    let (x0, x1) = (x_lo / 1.4, x_hi * 1.4);
    let (y0, y1) = pad_log(y_min, y_max);
    // Ticks at the measured sizes, then at the decades that do not crowd them.
    let mut ticks: Vec<f64> = measured.iter().map(|p| p.x).collect();
    ticks.sort_by(f64::total_cmp);
    ticks.dedup();
    let mut decade = 10f64.powf(x_lo.log10().ceil());
    while decade <= x_hi * 1.0001 {
        if ticks.iter().all(|t| (t / decade).max(decade / t) > 1.8) {
            ticks.push(decade);
        }
        decade *= 10.0;
    }
    ticks.sort_by(f64::total_cmp);
    let (plot, legend) = split_for_legend(&root, series.iter().map(|f| f.series.label.as_str()))?;
    let mut chart = log_log_axes(&plot, title, unit, x_desc, (x0, x1), ticks, (y0, y1))?;
    let mut entries = Vec::new();
    for (f, line) in series.iter().zip(curves) {
        let s = &f.series;
        let c = colour(&s.backend);
        let dashed = s.precompiles == Precompiles::Off;
        if let (Some((_, tag)), Some(&end)) = (f.ends, line.last()) {
            draw_crosses(&mut chart, std::iter::once((end, tag)), c)?;
        }
        draw_line(&mut chart, line, dashed, c)?;
        let style = shape_style(c);
        draw_markers!(chart, s.points.iter().filter(|p| p.y > 0.0).map(|p| (p.x, p.y)), family_marker(s.family), style);
        entries.push((s.label.clone(), dashed, family_marker(s.family), c));
    }
    draw_legend(&legend, &entries)?;
    root.present()
}

/// One bar of a grouped bar chart: a series over the groups (`None`: not measured there;
/// `failed[g]` says why a configuration that ran has no value, drawn as a marked stub).
#[derive(Debug, Clone)]
pub struct Bars {
    pub label: String,
    pub backend: String,
    /// 0 segmented, 1 aggregated (lighter), 2 SNARK (lightest).
    pub family: usize,
    pub values: Vec<Option<Point>>,
    /// Per group: `Some(tag)` (e.g. `OOM`) where every run of the configuration failed.
    pub failed: Vec<Option<&'static str>>,
    /// Per group: the bar (or failure stub) is marked with `*`, which the chart's `mark_note`
    /// explains below the legend (e.g. a configuration run without its accelerator).
    pub marked: Vec<bool>,
}

/// A grouped bar chart on a log value axis: one group per category (e.g. a test-set size),
/// one bar per series, min–max whiskers, the median written above each bar; a marked bar's
/// median ends in `*`, explained by `mark_note` under the legend where any bar is marked.
pub fn bar_chart(dir: &Path, name: &str, title: &str, unit: &str, groups: &[String], bars: &[Bars], mark_note: &str) -> anyhow::Result<()> {
    // One legend line per bar series, and the note under them.
    png_and_svg!(dir, name, chart_size(bars.len() + 1), |area| draw_bars(area, title, unit, groups, bars, mark_note))
}

fn draw_bars<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    unit: &str,
    groups: &[String],
    bars: &[Bars],
    mark_note: &str,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let pts: Vec<&Point> = bars.iter().flat_map(|b| b.values.iter().flatten()).filter(|p| p.y > 0.0 && p.lo > 0.0).collect();
    if pts.is_empty() || groups.is_empty() {
        // Failures alone give no scale to draw on: the placeholder names them (the tables too).
        let failures: Vec<String> = bars
            .iter()
            .flat_map(|b| b.failed.iter().zip(groups).filter_map(move |(tag, g)| tag.map(|t| format!("{}, {g} rows: {t}", b.label))))
            .collect();
        if failures.is_empty() {
            return nothing_to_draw(&root, title, NO_MEASUREMENT);
        }
        let lines: Vec<&str> =
            std::iter::once("nothing to draw: every run here failed").chain(failures.iter().map(String::as_str)).collect();
        return nothing_to_draw(&root, title, &lines);
    }
    let lo = pts.iter().map(|p| p.lo).fold(f64::MAX, f64::min);
    let hi = pts.iter().map(|p| p.hi).fold(f64::MIN, f64::max);
    // Bars start at a floor one decade below the smallest value, so every bar is visible.
    let floor = 10f64.powf((lo / 3.0).log10().floor());
    let top = hi * 3.0;
    let marked = bars.iter().any(|b| b.marked.contains(&true));
    let (plot, legend) = split_for_legend(&root, bars.iter().map(|b| b.label.as_str()).chain(marked.then_some(mark_note)))?;
    let n = groups.len() as f64;
    let mut chart = ChartBuilder::on(&plot)
        .caption(title, ("sans-serif", caption_size(&plot, title)?))
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..n, (floor..top).log_scale().with_key_points(log_ticks(floor, top)))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .x_desc("test rows")
        .y_desc(format!("{unit} (log)"))
        .y_label_formatter(&|y| tick(*y))
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 15))
        .draw()?;
    let k = bars.len().max(1) as f64;
    let width = 0.8 / k;
    let small = ("sans-serif", 11).into_font().color(&BLACK);
    let mut entries = Vec::new();
    for (i, b) in bars.iter().enumerate() {
        let c = lighten(colour(&b.backend), 0.3 * b.family as f64);
        for (g, v) in b.values.iter().enumerate() {
            let mark = if b.marked.get(g).copied().unwrap_or(false) { "*" } else { "" };
            let x0 = g as f64 + 0.1 + width * i as f64;
            let x1 = x0 + width * 0.92;
            let Some(p) = v.filter(|p| p.y > 0.0) else {
                // A configuration that ran and failed: an outlined stub with the reason, so a
                // missing bar never reads as "not measured".
                if let Some(tag) = b.failed.get(g).copied().flatten() {
                    let stub = floor * 1.6;
                    let full = colour(&b.backend);
                    chart.draw_series(std::iter::once(Rectangle::new([(x0, floor), (x1, stub)], full.stroke_width(2))))?;
                    let (px, py) = chart.backend_coord(&((x0 + x1) / 2.0, stub));
                    let tag_font = ("sans-serif", 13).into_font().color(&BLACK);
                    let tag = format!("{tag}{mark}");
                    plot.draw(&Text::new(tag.clone(), (px - 3 * tag.len() as i32 - 2, py - 16), tag_font))?;
                }
                continue;
            };
            chart.draw_series(std::iter::once(Rectangle::new([(x0, floor), (x1, p.y)], c.mix(0.85).filled())))?;
            let xm = (x0 + x1) / 2.0;
            if p.hi > p.lo {
                chart.draw_series(std::iter::once(ErrorBar::new_vertical(xm, p.lo, p.y, p.hi, BLACK.stroke_width(1), 6)))?;
            }
            let (px, py) = chart.backend_coord(&(xm, p.hi));
            plot.draw(&Text::new(format!("{}{mark}", tick(p.y)), (px - 12, py - 16), small.clone()))?;
        }
        entries.push((b.label.clone(), c));
    }
    let font = legend_font();
    for (g, name) in groups.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(g as f64 + 0.5, floor));
        plot.draw(&Text::new(name.clone(), (px - 4 * name.len() as i32, py + 8), font.clone()))?;
    }
    for (i, (label, c)) in entries.iter().enumerate() {
        let y = (LEGEND_TOP + LEGEND_LINE * i as u32) as i32;
        legend.draw(&Rectangle::new([(4, y - 7), (26, y + 7)], c.mix(0.85).filled()))?;
        legend.draw(&Text::new(label.clone(), (36, y - 8), font.clone()))?;
    }
    if marked {
        legend.draw(&Text::new(mark_note.to_string(), (4, (LEGEND_TOP + LEGEND_LINE * entries.len() as u32) as i32 - 8), font.clone()))?;
    }
    root.present()
}

/// `c` blended towards white by `t` (0: unchanged, 1: white).
fn lighten(c: RGBColor, t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let f = |v: u8| (v as f64 + (255.0 - v as f64) * t).round() as u8;
    RGBColor(f(c.0), f(c.1), f(c.2))
}

/// Tick positions of a log axis from `lo` to `hi`: 1, 2 and 5 times each power of ten, or, where
/// that leaves fewer than four on the axis (a narrow range, e.g. peak memory of 13.7–13.9 GiB),
/// every integer multiple, then 1, 1.2, 1.5, 2, 2.5, 3, 4, ..., then steps of 0.1 to 0.5;
/// each exactly once.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo) {
        return vec![];
    }
    // Mantissas as decimal strings, so that 10^e * m is the same float every time.
    let ladders: [Vec<String>; 4] = [
        ["1", "2", "5"].map(String::from).to_vec(),
        (1..=9).map(|m| m.to_string()).collect(),
        ["1", "1.2", "1.5", "2", "2.5", "3", "4", "5", "6", "7", "8", "9"].map(String::from).to_vec(),
        // Steps of 0.1 below 2, 0.2 below 5, 0.5 above: about evenly spaced on the log axis.
        (10..20).chain((20..50).step_by(2)).chain((50..100).step_by(5)).map(|m| format!("{}.{}", m / 10, m % 10)).collect(),
    ];
    let mut ticks = Vec::new();
    for mantissas in &ladders {
        ticks.clear();
        for e in (lo.log10().floor() as i32)..=(hi.log10().ceil() as i32) {
            for m in mantissas {
                let t: f64 = format!("{m}e{e}").parse().unwrap_or(0.0);
                if t >= lo && t <= hi {
                    ticks.push(t);
                }
            }
        }
        if ticks.len() >= 4 {
            break;
        }
    }
    ticks
}

/// Compact tick labels for log axes: no trailing zeros ("2", "0.5", "1000", "2e-3"); below 10,
/// two decimals or two significant digits, whichever shows more, so that the close ticks of a
/// narrow range of small values (0.032, 0.034, ...) stay apart.
pub fn tick(y: f64) -> String {
    if !(1e-2..1e6).contains(&y) {
        format!("{y:.0e}")
    } else if y >= 10.0 {
        format!("{y:.0}")
    } else {
        let decimals = (1 - y.log10().floor() as i32).max(2) as usize;
        let s = format!("{y:.decimals$}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tick_tests {
    use super::*;

    #[test]
    fn log_ticks_are_unique_round_numbers() {
        assert_eq!(log_ticks(0.3, 120.0), vec![0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]);
        assert_eq!(log_ticks(3.0, 9.5), vec![3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
        // A narrow range (13.7-13.9 GiB padded by 1.4x each way) still gets a readable scale.
        assert_eq!(log_ticks(13.7 / 1.4, 13.9 * 1.4), (10..20).map(|t| t as f64).collect::<Vec<_>>());
        assert_eq!(log_ticks(1.1, 2.8), vec![1.2, 1.5, 2.0, 2.5]);
        let labels: Vec<String> = log_ticks(0.01, 1e5).into_iter().map(tick).collect();
        let mut unique = labels.clone();
        unique.dedup();
        assert_eq!(labels, unique, "every label once");
        assert_eq!([tick(2.0), tick(0.5), tick(0.25), tick(1000.0)], ["2", "0.5", "0.25", "1000"]);
        // A narrow range of small values (verification in 0.035-0.04 s) keeps every label apart.
        let labels: Vec<String> = log_ticks(0.025, 0.05).into_iter().map(tick).collect();
        let mut unique = labels.clone();
        unique.dedup();
        assert!(labels.len() >= 4 && labels == unique, "{labels:?}");
        assert_eq!([tick(0.032), tick(1.42), tick(0.0187), tick(0.01)], ["0.032", "1.42", "0.019", "0.01"]);
    }
}

#[cfg(test)]
mod bar_tests {
    use super::*;

    fn bars(failed: Option<&'static str>) -> Vec<Bars> {
        let p = Point { x: 100.0, y: 12.0, lo: 11.0, hi: 13.0 };
        vec![
            Bars {
                label: "openvm stark".into(),
                backend: "openvm".into(),
                family: 1,
                values: vec![Some(p), Some(p)],
                failed: vec![None, None],
                marked: vec![false, false],
            },
            Bars {
                label: "ezkl hashed".into(),
                backend: "ezkl".into(),
                family: 2,
                values: vec![Some(p), None],
                failed: vec![None, failed],
                marked: vec![false, false],
            },
        ]
    }

    /// The pixels of the chart's PNG.
    fn render(b: &[Bars]) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        bar_chart(dir.path(), "c", "t", "s", &["100".into(), "10000".into()], b, "* note").unwrap();
        let svg = std::fs::read_to_string(dir.path().join("c.svg")).unwrap();
        assert!(svg.contains("openvm stark") && svg.contains("ezkl hashed"), "legend");
        assert!(!svg.contains("* note") && !svg.contains("*\n"), "nothing marked, nothing explained");
        std::fs::read(dir.path().join("c.png")).unwrap()
    }

    #[test]
    fn a_failed_configuration_is_marked_not_left_blank() {
        let dir = tempfile::tempdir().unwrap();
        bar_chart(dir.path(), "c", "t", "s", &["100".into(), "10000".into()], &bars(Some("OOM")), "* note").unwrap();
        let svg = std::fs::read_to_string(dir.path().join("c.svg")).unwrap();
        assert!(svg.contains("OOM"), "the failure's tag is written in its slot: {svg}");
        let unmeasured = std::fs::read_to_string({
            bar_chart(dir.path(), "d", "t", "s", &["100".into(), "10000".into()], &bars(None), "* note").unwrap();
            dir.path().join("d.svg")
        })
        .unwrap();
        assert!(!unmeasured.contains("OOM"));
        assert_ne!(render(&bars(Some("OOM"))), render(&bars(None)), "the stub is drawn");
    }

    const FAMILIES: [ProofFamily; 3] = [ProofFamily::Segmented, ProofFamily::Aggregated, ProofFamily::Snark];

    /// `n` series on `host`, families and accelerator settings taking turns.
    fn many(n: usize, host: usize) -> Vec<Series> {
        (0..n)
            .map(|i| {
                let setting = if i % 2 == 0 { Precompiles::On } else { Precompiles::Off };
                Series::new(format!("s{i}@{host}"), "sp1", setting, FAMILIES[i % 3], host)
            })
            .collect()
    }

    #[test]
    fn split_charts_never_mix_machines_nor_draw_more_than_eight_series() {
        // Four machines: 31 series (the merged report of issue #34), 3, 20 and 60 of them.
        let all: Vec<Series> = [many(31, 0), many(3, 1), many(20, 2), many(60, 3)].concat();
        let parts = split_charts(all.clone(), true);
        for p in &parts {
            assert!(!p.items.is_empty() && p.items.len() <= MAX_SERIES, "{}: {} series", p.name_suffix, p.items.len());
            let host = p.items[0].host;
            assert!(p.items.iter().all(|s| s.host == host), "{} mixes machines", p.name_suffix);
            assert!(p.name_suffix.starts_with(&format!("-H{}", host + 1)), "{} names its machine", p.name_suffix);
            assert!(p.title_suffix.starts_with(&format!(" — H{}", host + 1)), "{}", p.title_suffix);
        }
        // Every series is drawn exactly once, and every chart has a file name of its own.
        let mut drawn: Vec<&str> = parts.iter().flat_map(|p| p.items.iter().map(|s| s.label.as_str())).collect();
        drawn.sort();
        let mut expected: Vec<&str> = all.iter().map(|s| s.label.as_str()).collect();
        expected.sort();
        assert_eq!(drawn, expected);
        let mut names: Vec<&str> = parts.iter().map(|p| p.name_suffix.as_str()).collect();
        names.dedup();
        assert_eq!(names.len(), parts.len(), "file names are unique: {names:?}");
        // A machine with few series keeps one chart; cuts go by family, then by setting, then parts.
        assert!(parts.iter().any(|p| p.name_suffix == "-H2" && p.items.len() == 3));
        let h3: Vec<&str> = parts.iter().filter(|p| p.items[0].host == 2).map(|p| p.name_suffix.as_str()).collect();
        assert_eq!(h3, ["-H3-segmented", "-H3-aggregated", "-H3-snark"], "20 series: 7 + 7 + 6 by family");
        assert!(parts
            .iter()
            .any(|p| p.name_suffix == "-H4-segmented-accel-on-part1"
                && p.title_suffix == " — H4, segmented proofs, accelerator on, part 1 of 2"));
        assert!(parts
            .iter()
            .filter(|p| p.items[0].host == 3)
            .all(|p| p.items.iter().all(|s| s.family == p.items[0].family && s.precompiles == p.items[0].precompiles)));
    }

    #[test]
    fn a_single_machine_with_few_series_keeps_its_one_chart() {
        let parts = split_charts(many(8, 0), false);
        assert_eq!(parts.len(), 1);
        assert_eq!((parts[0].name_suffix.as_str(), parts[0].title_suffix.as_str(), parts[0].items.len()), ("", "", 8));
        let nine = split_charts(many(9, 0), false);
        assert_eq!(nine.iter().map(|p| p.name_suffix.as_str()).collect::<Vec<_>>(), ["-segmented", "-aggregated", "-snark"]);
        // Nothing measured: one chart still, which says so.
        let none = split_charts(Vec::<Series>::new(), true);
        assert_eq!(none.len(), 1);
        assert!(none[0].items.is_empty() && none[0].name_suffix.is_empty());
    }

    #[test]
    fn a_long_title_stays_inside_the_chart() {
        let long = "Prove process wall time (harness-measured, incl. setup) — ridge — H2, aggregated proofs, accelerator off, part 2 of 3";
        register_font();
        let mut scratch = String::new();
        let area = SVGBackend::with_string(&mut scratch, (700, 600)).into_drawing_area();
        let size = caption_size(&area, long).unwrap();
        let width = area.estimate_text_size(long, &("sans-serif", size).into()).unwrap().0;
        assert!(size < 20 && width <= 700 - 28, "{size} px: {width} px wide on a 700 px plot");
        assert_eq!(caption_size(&area, "Proof size — ridge").unwrap(), 20, "a short title keeps its size");
        // Drawn: the long title's chart uses the smaller font.
        let font = |title: &str| {
            let mut series = many(3, 1);
            for s in &mut series {
                s.points.push(Point { x: 100.0, y: 2.0, lo: 1.0, hi: 3.0 });
            }
            let dir = tempfile::tempdir().unwrap();
            line_chart(dir.path(), "t", title, "s", &series).unwrap();
            let svg = std::fs::read_to_string(dir.path().join("t.svg")).unwrap();
            let at = svg.find(&format!("\n{title}\n</text>")).expect("the title is drawn");
            let tag = &svg[svg[..at].rfind("font-size=\"").unwrap() + 11..];
            tag[..tag.find('"').unwrap()].parse::<f64>().unwrap()
        };
        assert!(font(long) < font("Proof size — ridge"));
    }

    #[test]
    fn a_legend_of_thirty_series_stays_inside_the_image() {
        let series: Vec<Series> = (0..30)
            .map(|i| {
                let mut s = Series::new(format!("system {i} @H{}", i % 4 + 1), "risc0", Precompiles::On, FAMILIES[i % 3], i % 4);
                s.points.push(Point { x: 100.0, y: 1.0 + i as f64, lo: 1.0 + i as f64, hi: 1.0 + i as f64 });
                s
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        line_chart(dir.path(), "l", "t", "s", &series).unwrap();
        let svg = std::fs::read_to_string(dir.path().join("l.svg")).unwrap();
        let height: u32 = svg.split("height=\"").nth(1).and_then(|h| h.split('"').next()).unwrap().parse().unwrap();
        let last = svg.find("\nsystem 29 @H2\n</text>").expect("the last entry is drawn");
        let tag = &svg[svg[..last].rfind("<text ").unwrap()..];
        let y: u32 = tag.split("y=\"").nth(1).and_then(|v| v.split('"').next()).unwrap().parse().unwrap();
        assert!(height > SIZE.1, "the chart grew for its legend: {height} px");
        assert!(y + 20 <= height, "the last legend entry at y = {y} px is inside the {height} px image");
        // A chart with a short legend keeps the standard size.
        line_chart(dir.path(), "s", "t", "s", &series[..3]).unwrap();
        assert!(std::fs::read_to_string(dir.path().join("s.svg")).unwrap().contains(&format!("height=\"{}\"", SIZE.1)));
    }

    #[test]
    fn the_longest_legend_label_fits_inside_the_chart() {
        let long = "openvm stark, precompiles off (aggregated), H2";
        let mut b = bars(None);
        b[0].label = long.into();
        let dir = tempfile::tempdir().unwrap();
        bar_chart(dir.path(), "c", "t", "s", &["100".into(), "10000".into()], &b, "* note").unwrap();
        let svg = std::fs::read_to_string(dir.path().join("c.svg")).unwrap();
        let at = svg.find(&format!("\n{long}\n</text>")).expect("the label is drawn");
        let tag = &svg[svg[..at].rfind("<text x=\"").unwrap() + 9..];
        let x: i32 = tag[..tag.find('"').unwrap()].parse().unwrap();
        let mut scratch = String::new();
        let width = SVGBackend::with_string(&mut scratch, SIZE).into_drawing_area().estimate_text_size(long, &legend_font()).unwrap().0;
        assert!(x + width as i32 <= SIZE.0 as i32, "the label ends at {} px, past the chart's {} px", x + width as i32, SIZE.0);
    }
}
