//! A pixel buffer the bars are filled into, then handed to the canvas in one `putImageData`. Filling pixels
//! costs at most the canvas area however many bars there are, where a canvas path of 30k anti-aliased
//! rectangles costs 50 ms in software rendering; edges land on whole device pixels, so bars stay sharp.

use super::colour::Rgb;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Raster {
    /// Size in device pixels.
    pub width: usize,
    pub height: usize,
    /// RGBA bytes per pixel, packed little-endian into u32 (the layout `ImageData` wants).
    pixels: Vec<u32>,
}

/// An opaque colour in the buffer's byte order (R, G, B, A in memory).
fn rgba(rgb: Rgb) -> u32 {
    u32::from_le_bytes([(rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8, 0xff])
}

/// `rgb` faded towards `bg` by `t` (0 = rgb, 1 = bg): dimming without alpha blending.
pub fn mix(rgb: Rgb, bg: Rgb, t: f64) -> Rgb {
    let channel = |shift: u32| {
        let (a, b) = (((rgb >> shift) & 0xff) as f64, ((bg >> shift) & 0xff) as f64);
        ((a + (b - a) * t).round() as u32) << shift
    };
    channel(16) | channel(8) | channel(0)
}

impl Raster {
    /// Resizes (keeping the allocation when it shrinks) and fills with `bg`.
    pub fn reset(&mut self, width: usize, height: usize, bg: Rgb) {
        self.width = width;
        self.height = height;
        self.pixels.clear();
        self.pixels.resize(width * height, rgba(bg));
    }

    /// Fills the rectangle [x, x + w) × [y, y + h) (device px), rounded to whole pixels, at least one pixel
    /// wide and high, clipped to the buffer.
    pub fn fill(&mut self, x: f64, y: f64, w: f64, h: f64, rgb: Rgb) {
        let round = |v: f64, max: usize| v.round().clamp(0.0, max as f64) as usize;
        let (x0, y0) = (round(x, self.width), round(y, self.height));
        let x1 = round(x + w, self.width).max((x0 + 1).min(self.width));
        let y1 = round(y + h, self.height).max((y0 + 1).min(self.height));
        if x0 >= x1 || y0 >= y1 {
            return;
        }
        let colour = rgba(rgb);
        for row in self.pixels[y0 * self.width..y1 * self.width].chunks_exact_mut(self.width) {
            row[x0..x1].fill(colour);
        }
    }

    /// The RGBA bytes, for `ImageData`.
    pub fn bytes(&self) -> &[u8] {
        bytemuck::cast_slice(&self.pixels)
    }

    /// The colour at (x, y), for tests.
    pub fn at(&self, x: usize, y: usize) -> Rgb {
        let [r, g, b, _] = self.pixels[y * self.width + x].to_le_bytes();
        (r as u32) << 16 | (g as u32) << 8 | b as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_whole_pixels_clipped_and_at_least_one_wide() {
        let mut r = Raster::default();
        r.reset(10, 4, 0xffffff);
        r.fill(2.4, 1.0, 3.2, 2.0, 0x112233); // x 2..6
        assert_eq!(r.at(1, 1), 0xffffff);
        assert_eq!(r.at(2, 1), 0x112233);
        assert_eq!(r.at(5, 2), 0x112233);
        assert_eq!(r.at(6, 1), 0xffffff);
        assert_eq!(r.at(2, 3), 0xffffff);
        r.fill(7.2, 0.0, 0.1, 1.0, 0x010203); // thinner than a pixel: still one pixel
        assert_eq!(r.at(7, 0), 0x010203);
        r.fill(-5.0, -5.0, 100.0, 100.0, 0x0000ff); // clipped
        assert_eq!(r.at(9, 3), 0x0000ff);
        assert_eq!(&r.bytes()[..4], &[0, 0, 0xff, 0xff]);
    }

    #[test]
    fn mix_fades_towards_the_background() {
        assert_eq!(mix(0x000000, 0xffffff, 0.5), 0x808080);
        assert_eq!(mix(0x123456, 0xffffff, 0.0), 0x123456);
        assert_eq!(mix(0x123456, 0xabcdef, 1.0), 0xabcdef);
    }
}
