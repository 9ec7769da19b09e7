//! Teaching diagrams the book draws from code: the training loop, the three piles
//! of a split, k-fold cross-validation and a network's shapes layer by layer. Each
//! is a handful of boxes, labels and arrows laid out in pixels.

use std::path::Path;

use kindling_models::with_commas;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::color::Rgb;
use crate::error::ChartError;
use crate::font::font;
use crate::output::{DrawResult, Drawing, Target};

const TEXT: Rgb = Rgb(30, 30, 30);
const LIGHT_BLUE: Rgb = Rgb(198, 219, 239);
const LIGHT_ORANGE: Rgb = Rgb(253, 208, 162);
const LIGHT_GRAY: Rgb = Rgb(217, 217, 217);
const TITLE_SIZE: f64 = 22.0;
const LABEL_SIZE: f64 = 16.0;
const SMALL_SIZE: f64 = 13.0;

/// One element of a diagram, in pixels.
enum Shape {
    /// A filled box with a border.
    Rect {
        corner: (i32, i32),
        size: (i32, i32),
        fill: Rgb,
        border: Rgb,
    },
    /// A line of text centred on a point.
    Text {
        at: (i32, i32),
        text: String,
        size: f64,
        color: Rgb,
    },
    /// A line with a head at `to`.
    Arrow {
        from: (i32, i32),
        to: (i32, i32),
        color: Rgb,
    },
}

/// A finished layout: its size and what to draw.
struct Diagram {
    size: (u32, u32),
    shapes: Vec<Shape>,
}

impl Diagram {
    fn new(size: (u32, u32), title: &str) -> Diagram {
        let mut diagram = Diagram {
            size,
            shapes: Vec::new(),
        };
        diagram.text((size.0 as i32 / 2, 24), title, TITLE_SIZE, TEXT);
        diagram
    }

    fn rect(&mut self, corner: (i32, i32), size: (i32, i32), fill: Rgb) {
        self.shapes.push(Shape::Rect {
            corner,
            size,
            fill,
            border: Rgb::GRAY,
        });
    }

    fn text(&mut self, at: (i32, i32), text: &str, size: f64, color: Rgb) {
        self.shapes.push(Shape::Text {
            at,
            text: text.to_string(),
            size,
            color,
        });
    }

    /// A box with one or more lines of text centred in it.
    fn labelled_box(&mut self, corner: (i32, i32), size: (i32, i32), fill: Rgb, lines: &[&str]) {
        self.rect(corner, size, fill);
        let line_height = 20;
        let top = corner.1 + size.1 / 2 - (lines.len() as i32 - 1) * line_height / 2;
        for (index, line) in lines.iter().enumerate() {
            let text_size = if index == 0 { LABEL_SIZE } else { SMALL_SIZE };
            self.text(
                (corner.0 + size.0 / 2, top + index as i32 * line_height),
                line,
                text_size,
                TEXT,
            );
        }
    }

    fn arrow(&mut self, from: (i32, i32), to: (i32, i32)) {
        self.shapes.push(Shape::Arrow {
            from,
            to,
            color: Rgb::GRAY,
        });
    }

    fn save(&self, target: &Target) -> Result<(), ChartError> {
        target.check_size(self.size)?;
        target.save(self.size, self)
    }
}

impl Drawing for Diagram {
    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        for shape in &self.shapes {
            match shape {
                Shape::Rect {
                    corner,
                    size,
                    fill,
                    border,
                } => {
                    let end = (corner.0 + size.0, corner.1 + size.1);
                    root.draw(&Rectangle::new([*corner, end], fill.plotters().filled()))?;
                    root.draw(&Rectangle::new(
                        [*corner, end],
                        border.plotters().stroke_width(1),
                    ))?;
                }
                Shape::Text {
                    at,
                    text,
                    size,
                    color,
                } => {
                    let style = font(*size)
                        .color(&color.plotters())
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    root.draw(&Text::new(text.clone(), *at, style))?;
                }
                Shape::Arrow { from, to, color } => {
                    let style = color.plotters().stroke_width(2);
                    root.draw(&PathElement::new(vec![*from, *to], style))?;
                    let (dx, dy) = ((to.0 - from.0) as f64, (to.1 - from.1) as f64);
                    let length = (dx * dx + dy * dy).sqrt().max(1.0);
                    let (ux, uy) = (dx / length, dy / length);
                    let back = (to.0 as f64 - 10.0 * ux, to.1 as f64 - 10.0 * uy);
                    let left = ((back.0 - 5.0 * uy) as i32, (back.1 + 5.0 * ux) as i32);
                    let right = ((back.0 + 5.0 * uy) as i32, (back.1 - 5.0 * ux) as i32);
                    root.draw(&Polygon::new(
                        vec![*to, left, right],
                        color.plotters().filled(),
                    ))?;
                }
            }
        }
        Ok(())
    }
}

/// The training loop: predict, measure the loss, find the gradients, update, on
/// every batch; after each epoch, a measurement of the validation pile.
///
/// ```no_run
/// kindling_charts::training_loop_diagram("training_loop.png")?;
/// # Ok::<(), kindling_charts::ChartError>(())
/// ```
pub fn training_loop_diagram(path: impl AsRef<Path>) -> Result<(), ChartError> {
    let target = Target::new(path.as_ref())?;
    let mut diagram = Diagram::new((820, 470), "The training loop, once per batch");
    let size = (230, 70);
    let boxes = [
        ((295, 60), ["1. Predict", "the model scores a batch"]),
        ((545, 190), ["2. Measure", "the loss: how wrong"]),
        (
            (295, 320),
            ["3. Find the gradients", "which way is downhill"],
        ),
        ((45, 190), ["4. Update", "a learning rate's step"]),
    ];
    for (corner, lines) in &boxes {
        diagram.labelled_box(*corner, size, LIGHT_BLUE, lines);
    }
    let centre = |(x, y): (i32, i32)| (x + size.0 / 2, y + size.1 / 2);
    let (top, right, bottom, left) = (
        centre(boxes[0].0),
        centre(boxes[1].0),
        centre(boxes[2].0),
        centre(boxes[3].0),
    );
    diagram.arrow((top.0 + size.0 / 2, top.1), (right.0, right.1 - size.1 / 2));
    diagram.arrow(
        (right.0, right.1 + size.1 / 2),
        (bottom.0 + size.0 / 2, bottom.1),
    );
    diagram.arrow(
        (bottom.0 - size.0 / 2, bottom.1),
        (left.0, left.1 + size.1 / 2),
    );
    diagram.arrow((left.0, left.1 - size.1 / 2), (top.0 - size.0 / 2, top.1));
    diagram.text((410, 236), "next batch", SMALL_SIZE, Rgb::GRAY);
    diagram.labelled_box(
        (220, 405),
        (380, 50),
        LIGHT_ORANGE,
        &["After each epoch: measure the validation pile"],
    );
    diagram.save(&target)
}

/// A data set cut into three piles, drawn in proportion: training, validation and
/// the sealed test pile, each with its size and its job.
///
/// ```no_run
/// kindling_charts::split_diagram(4_000, 1_000, 1_000, "split.png")?;
/// # Ok::<(), kindling_charts::ChartError>(())
/// ```
pub fn split_diagram(
    train: usize,
    validation: usize,
    test: usize,
    path: impl AsRef<Path>,
) -> Result<(), ChartError> {
    let target = Target::new(path.as_ref())?;
    let total = train + validation + test;
    if train == 0 || validation == 0 || test == 0 {
        return Err(target.invalid(
            format!("the piles hold {train}, {validation} and {test} images"),
            "give every pile at least one image",
        ));
    }
    let mut diagram = Diagram::new((900, 200), "Three piles, three jobs");
    let (left, width, top, height) = (30, 840, 60, 96);
    let mut x = left;
    let piles = [
        (train, LIGHT_BLUE, "training", "learn from these"),
        (validation, LIGHT_ORANGE, "validation", "watch, choose"),
        (test, LIGHT_GRAY, "test (sealed)", "once, at the end"),
    ];
    for (index, (count, fill, name, job)) in piles.iter().enumerate() {
        let share = if index == piles.len() - 1 {
            left + width - x
        } else {
            width * *count as i32 / total as i32
        };
        diagram.labelled_box(
            (x, top),
            (share, height),
            *fill,
            &[name, &format!("{} images", with_commas(*count)), job],
        );
        x += share;
    }
    diagram.text(
        (450, 180),
        "every class takes the same share of every pile (a stratified split)",
        SMALL_SIZE,
        Rgb::GRAY,
    );
    diagram.save(&target)
}

/// k-fold cross-validation: k rounds, each training on all folds but one and
/// validating on that one, so every image is validated on exactly once.
///
/// ```no_run
/// kindling_charts::kfold_diagram(5, "kfold.png")?;
/// # Ok::<(), kindling_charts::ChartError>(())
/// ```
pub fn kfold_diagram(folds: usize, path: impl AsRef<Path>) -> Result<(), ChartError> {
    let target = Target::new(path.as_ref())?;
    if !(2..=10).contains(&folds) {
        return Err(target.invalid(format!("{folds} folds"), "draw between 2 and 10 folds"));
    }
    let row_height = 46;
    let height = 100 + folds as i32 * row_height + 40;
    let mut diagram = Diagram::new(
        (880, height as u32),
        &format!("{folds}-fold cross-validation: {folds} rounds, one score each"),
    );
    let (left, width, top) = (150, 700, 60);
    let fold_width = width / folds as i32;
    for round in 0..folds {
        let y = top + round as i32 * row_height;
        diagram.text(
            (75, y + 18),
            &format!("round {}", round + 1),
            LABEL_SIZE,
            TEXT,
        );
        for fold in 0..folds {
            let (fill, label) = if fold == round {
                (LIGHT_ORANGE, "validate")
            } else {
                (LIGHT_BLUE, "train")
            };
            diagram.labelled_box(
                (left + fold as i32 * fold_width, y),
                (fold_width, 36),
                fill,
                &[label],
            );
        }
    }
    diagram.text(
        (450, top + folds as i32 * row_height + 24),
        "the k scores give a mean and a spread; every image is validated on exactly once",
        SMALL_SIZE,
        Rgb::GRAY,
    );
    diagram.save(&target)
}

/// A network's shapes, layer by layer: one box per layer, labelled with its name and
/// output shape. An image-like layer's box is as tall as its rows and as wide as its
/// channels; a flat row (after a flatten) is a thin bar as tall as its length; both
/// on square-root scales, each against the largest of its kind.
///
/// `layers` holds each layer's name and output shape without the batch dimension,
/// starting with the input: `("input", [3, 32, 32])`, ..., `("dense_2", [10])`.
///
/// ```no_run
/// let layers = [("input", vec![3, 32, 32]), ("conv2d_1", vec![32, 30, 30]), ("dense", vec![10])];
/// kindling_charts::layer_shapes_diagram(&layers, "cnn_shapes.png")?;
/// # Ok::<(), kindling_charts::ChartError>(())
/// ```
pub fn layer_shapes_diagram<S: AsRef<str>>(
    layers: &[(S, Vec<usize>)],
    path: impl AsRef<Path>,
) -> Result<(), ChartError> {
    let target = Target::new(path.as_ref())?;
    if layers.is_empty() || layers.iter().any(|(_, shape)| shape.is_empty()) {
        return Err(target.invalid(
            "a layer without a shape",
            "give every layer its output shape, such as [32, 30, 30] or [10]",
        ));
    }
    let column = 112;
    let width = 40 + column * layers.len() as i32;
    let plot_height = 240;
    let mut diagram = Diagram::new(
        (width.max(400) as u32, 400),
        "One image's shape, layer by layer",
    );
    let middle = 60 + plot_height / 2;
    let largest = |flat: bool, measure: fn(&[usize]) -> usize| {
        layers
            .iter()
            .filter(|(_, shape)| (shape.len() == 1) == flat)
            .map(|(_, shape)| measure(shape))
            .max()
            .unwrap_or(1)
            .max(1) as f64
    };
    let (largest_side, largest_row, largest_depth) = (
        largest(false, side),
        largest(true, side),
        largest(false, depth),
    );
    let mut previous: Option<(i32, i32)> = None;
    for (index, (name, shape)) in layers.iter().enumerate() {
        let x_centre = 20 + column * index as i32 + column / 2;
        let flat = shape.len() == 1;
        let tallest = if flat { largest_row } else { largest_side };
        let box_height =
            ((side(shape) as f64 / tallest).sqrt() * plot_height as f64).max(10.0) as i32;
        let box_width = if flat {
            12
        } else {
            ((depth(shape) as f64 / largest_depth).sqrt() * (column - 30) as f64).max(8.0) as i32
        };
        let fill = if shape.len() == 1 {
            LIGHT_ORANGE
        } else {
            LIGHT_BLUE
        };
        diagram.rect(
            (x_centre - box_width / 2, middle - box_height / 2),
            (box_width, box_height),
            fill,
        );
        if let Some(from) = previous {
            diagram.arrow(from, (x_centre - box_width / 2 - 3, middle));
        }
        previous = Some((x_centre + box_width / 2 + 3, middle));
        let label = shape
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" × ");
        let label_y = 60 + plot_height + 26;
        diagram.text((x_centre, label_y), name.as_ref(), SMALL_SIZE, TEXT);
        diagram.text((x_centre, label_y + 20), &label, SMALL_SIZE, Rgb::GRAY);
    }
    diagram.text(
        (width.max(400) / 2, 385),
        "blue: height follows rows, width channels (square-root scales); orange: one long row",
        SMALL_SIZE,
        Rgb::GRAY,
    );
    diagram.save(&target)
}

/// Rows (and columns) of a shape: its last dimension for an image-like shape,
/// else the length of a flat row.
fn side(shape: &[usize]) -> usize {
    match shape {
        [_, rows, _] => *rows,
        [length] => *length,
        other => other.iter().product(),
    }
}

/// Channels of an image-like shape; 1 for a flat row.
fn depth(shape: &[usize]) -> usize {
    match shape {
        [channels, _, _] => *channels,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_diagram_draws_and_refuses_nonsense() {
        let dir = tempfile::tempdir().unwrap();
        training_loop_diagram(dir.path().join("loop.svg")).unwrap();
        split_diagram(4_000, 1_000, 1_000, dir.path().join("split.svg")).unwrap();
        kfold_diagram(5, dir.path().join("kfold.svg")).unwrap();
        let layers = [
            ("input", vec![3, 32, 32]),
            ("conv2d_1", vec![32, 30, 30]),
            ("flatten", vec![1024]),
            ("dense_2", vec![10]),
        ];
        layer_shapes_diagram(&layers, dir.path().join("shapes.svg")).unwrap();
        let svg = std::fs::read_to_string(dir.path().join("shapes.svg")).unwrap();
        assert!(
            svg.contains("32 × 30 × 30") && svg.contains("conv2d_1"),
            "{svg}"
        );
        let split = std::fs::read_to_string(dir.path().join("split.svg")).unwrap();
        assert!(split.contains("4,000 images") && split.contains("test (sealed)"));

        assert!(split_diagram(10, 0, 5, dir.path().join("bad.svg")).is_err());
        assert!(kfold_diagram(1, dir.path().join("bad.svg")).is_err());
        let empty: [(&str, Vec<usize>); 0] = [];
        assert!(layer_shapes_diagram(&empty, dir.path().join("bad.svg")).is_err());
        assert!(!dir.path().join("bad.svg").exists());
    }

    #[test]
    fn shapes_are_read_as_rows_and_channels() {
        assert_eq!((side(&[32, 15, 15]), depth(&[32, 15, 15])), (15, 32));
        assert_eq!((side(&[1024]), depth(&[1024])), (1024, 1));
    }
}
