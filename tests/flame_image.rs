//! Golden images of the flame graph: the bundled sample's rows (grid, bars, marks, critical path) filled into
//! the pixel buffer exactly as the canvas gets them, at three viewports, compared pixel for pixel with
//! `tests/golden/flame/*.png`. Labels and the axis are canvas text, drawn by the browser, and not in them.
//! `SPANLENS_BLESS=1 cargo test --test flame_image` rewrites the images; a mismatch writes what was drawn
//! to `target/flame-image/` to look at.

use spanlens::analysis::search;
use spanlens::view::colour::{colours, Colouring};
use spanlens::view::draw::{DrawList, Scene};
use spanlens::view::interaction::{self, Session};
use spanlens::view::raster::{Raster, LIGHT};
use spanlens::view::viewport::{Viewport, ROW_HEIGHT};
use spanlens::view::{FlameModel, Matches};
use std::path::{Path, PathBuf};


struct Shot {
    name: &'static str,
    width: f64,
    height: f64,
    dpr: f64,
    /// Zoom factor at the canvas's x, then rows scrolled.
    zoom: Option<(f64, f64)>,
    /// Frame the spans of this search, as a click on a finding does.
    frame: Option<&'static str>,
    scroll_rows: f64,
    search: Option<&'static str>,
}

const SHOTS: [Shot; 3] = [
    Shot { name: "whole", width: 800.0, height: 300.0, dpr: 1.0, zoom: None, frame: None, scroll_rows: 0.0, search: None },
    Shot { name: "errors-framed", width: 640.0, height: 240.0, dpr: 1.0, zoom: None, frame: Some("status:error"), scroll_rows: 0.0, search: None },
    Shot { name: "narrow-hidpi-search", width: 320.0, height: 240.0, dpr: 2.0, zoom: Some((0.5, 0.0)), frame: None, scroll_rows: 1.0, search: Some("status:error") },
];

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/flame").join(format!("{name}.png"))
}

fn draw(shot: &Shot) -> Raster {
    let bytes = std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("public/samples/checkout.otlp.json")).unwrap();
    let file = spanlens::pipeline::load_analyzed("checkout.otlp.json", &bytes).unwrap();
    let (set, trace, analysis) = (&file.set, &file.set.traces[0], &file.analyses[0]);
    let model = FlameModel::new(set, trace, analysis);
    let colours = colours(set, trace, &analysis.stats.self_ns, Colouring::Service);
    let matches = shot.search.map(|q| Matches::new(trace, &analysis.layout, search::parse(q).unwrap().matching(set, trace)));
    let scene = Scene { trace, layout: &analysis.layout, model: &model, colours: &colours, matches: matches.as_ref(), show_critical: true };
    let mut session = Session::new(Viewport::new(model.total_ns, analysis.layout.row_count(), shot.width, shot.height));
    if let Some((factor, x)) = shot.zoom {
        session.vp.zoom_at(factor, x);
    }
    session.vp.pan_px(0.0, shot.scroll_rows * ROW_HEIGHT);
    if let Some(query) = shot.frame {
        let spans = search::parse(query).unwrap().matching(set, trace);
        session.frame_spans(interaction::Scene { trace, layout: &analysis.layout, model: &model }, &spans);
    }
    let vp = session.vp;
    let mut list = DrawList::default();
    list.build(&scene, &vp);
    let mut raster = Raster::default();
    let (w, h) = ((shot.width * shot.dpr) as usize, (shot.height * shot.dpr) as usize);
    raster.flame_rows(&vp, spanlens::view::axis::Clock::Relative, &list, &LIGHT, shot.dpr, w, h);
    raster
}

fn write_png(path: &Path, raster: &Raster) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut encoder = png::Encoder::new(file, raster.width as u32, raster.height as u32);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header().unwrap().write_image_data(raster.bytes()).unwrap();
}

fn read_png(path: &Path) -> (usize, usize, Vec<u8>) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e} (bless with SPANLENS_BLESS=1)", path.display()));
    let mut reader = png::Decoder::new(file).read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    pixels.truncate(info.buffer_size());
    (info.width as usize, info.height as usize, pixels)
}

#[test]
fn the_bundled_sample_draws_as_the_golden_images() {
    let mut mismatches = Vec::new();
    for shot in &SHOTS {
        let raster = draw(shot);
        let path = golden(shot.name);
        if std::env::var_os("SPANLENS_BLESS").is_some() {
            write_png(&path, &raster);
            continue;
        }
        let (w, h, want) = read_png(&path);
        let got = &raster.bytes()[..raster.width * raster.height * 4];
        let differing = if (w, h) == (raster.width, raster.height) {
            want.chunks_exact(4).zip(got.chunks_exact(4)).filter(|(a, b)| a != b).count()
        } else {
            w * h
        };
        if differing > 0 {
            let actual = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/flame-image").join(format!("{}.png", shot.name));
            write_png(&actual, &raster);
            mismatches.push(format!("{}: {differing} pixels differ (drawn: {})", shot.name, actual.display()));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn the_images_show_bars_marks_and_the_critical_path() {
    // Guards the goldens themselves: each holds bars and the critical path's colour, and the framed one the
    // error spans underlined, so a blank or broken image is never blessed silently.
    for shot in &SHOTS[..2] {
        let raster = draw(shot);
        let pixels: Vec<u32> = raster
            .bytes()
            .chunks_exact(4)
            .map(|p| u32::from(p[0]) << 16 | u32::from(p[1]) << 8 | u32::from(p[2]))
            .collect();
        let share = |rgb: u32| pixels.iter().filter(|&&p| p == rgb).count() as f64 / pixels.len() as f64;
        assert!(share(LIGHT.bg) < 0.9, "{}: bars cover part of it", shot.name);
        assert!(share(LIGHT.critical) > 0.0, "{}: the critical path shows", shot.name);
        if shot.frame.is_some() {
            assert!(share(spanlens::view::colour::ERROR_RGB) > 0.0, "{}: an error is underlined", shot.name);
        }
    }
}
