//! Line of sight on a grid: which cells an observer sees. Pure functions, no
//! storage.
//!
//! # The rule
//!
//! A cell is visible to an observer with vision range `r` iff
//!
//! 1. its centre is within Euclidean distance `r` of the centre of the
//!    observer's cell (`dx² + dy² <= r²`, in whole cells), and
//! 2. the straight segment between the two centres passes through the
//!    interior of no obstacle cell other than its two end cells.
//!
//! So an obstacle is seen, but hides what lies behind it; a segment that only
//! touches an obstacle at a corner (or runs along an edge) is not blocked; the
//! observer's own cell is always visible. Observers never stand on obstacles,
//! so "other than its two end cells" is "other than the target cell".
//!
//! # Symmetry
//!
//! The rule is symmetric by construction: the distance and the segment are
//! the same from either end, and so is the set of excluded cells (both ends).
//! Hence an observer at A sees B iff an observer at B (with the same range)
//! sees A. The tests check this on every pair of free cells of several maps.
//!
//! # Arithmetic
//!
//! Everything is exact integer arithmetic: coordinates are doubled, so cell
//! centres are odd and cell edges even, and the cells a segment crosses are
//! found column by column with no division but a floor and a ceiling.

use std::collections::HashSet;

use super::model::Cell;

/// A grid's size and obstacles: what sight is computed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    width: u32,
    height: u32,
    obstacles: HashSet<Cell>,
}

impl Grid {
    /// A `width` × `height` grid with the given obstacle cells (cells outside
    /// the grid are ignored).
    pub fn new(width: u32, height: u32, obstacles: impl IntoIterator<Item = Cell>) -> Self {
        let mut grid = Self {
            width,
            height,
            obstacles: HashSet::new(),
        };
        let inside: Vec<Cell> = obstacles
            .into_iter()
            .filter(|c| grid.contains(*c))
            .collect();
        grid.obstacles.extend(inside);
        grid
    }

    /// Whether `cell` lies on the grid.
    pub fn contains(&self, cell: Cell) -> bool {
        cell.x < self.width && cell.y < self.height
    }

    /// Whether `cell` holds an obstacle.
    pub fn is_obstacle(&self, cell: Cell) -> bool {
        self.obstacles.contains(&cell)
    }
}

/// Whether the centres of `a` and `b` are at most `range` cells apart.
pub fn in_range(a: Cell, b: Cell, range: u32) -> bool {
    let dx = i64::from(a.x) - i64::from(b.x);
    let dy = i64::from(a.y) - i64::from(b.y);
    dx * dx + dy * dy <= i64::from(range) * i64::from(range)
}

/// Whether the segment between the centres of `a` and `b` passes through the
/// interior of no obstacle other than `a` and `b` themselves.
pub fn line_of_sight(grid: &Grid, a: Cell, b: Cell) -> bool {
    crossed_cells(a, b, |cell| {
        cell == a || cell == b || !grid.is_obstacle(cell)
    })
}

/// Whether an observer at `from` with vision `range` sees `to` (both on the
/// grid, within range, with a line of sight).
pub fn sees(grid: &Grid, from: Cell, to: Cell, range: u32) -> bool {
    grid.contains(from)
        && grid.contains(to)
        && in_range(from, to, range)
        && line_of_sight(grid, from, to)
}

/// Every cell an observer at `from` with vision `range` sees, in reading
/// order (by `y`, then `x`). Empty if `from` is off the grid.
pub fn visible_cells(grid: &Grid, from: Cell, range: u32) -> Vec<Cell> {
    if !grid.contains(from) {
        return Vec::new();
    }
    let rows = from.y.saturating_sub(range)..=from.y.saturating_add(range).min(grid.height - 1);
    let columns = from.x.saturating_sub(range)..=from.x.saturating_add(range).min(grid.width - 1);
    let mut cells = Vec::new();
    for y in rows {
        for x in columns.clone() {
            let to = Cell { x, y };
            if in_range(from, to, range) && line_of_sight(grid, from, to) {
                cells.push(to);
            }
        }
    }
    cells
}

/// Calls `visit` with every cell whose interior the segment between the
/// centres of `a` and `b` passes through (column by column), until `visit`
/// returns `false`; returns whether every call returned `true`.
fn crossed_cells(a: Cell, b: Cell, mut visit: impl FnMut(Cell) -> bool) -> bool {
    // Doubled coordinates: the centre of cell `c` is `2c + 1`, its edges `2c`
    // and `2c + 2`. Walk from left to right; the segment is the same.
    let (mut p, mut q) = (centre(a), centre(b));
    if p.0 > q.0 {
        std::mem::swap(&mut p, &mut q);
    }
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    if dx == 0 {
        // A vertical segment lies inside one column, on its centre line.
        let (top, bottom) = (cell_of(p.1.min(q.1)), cell_of(p.1.max(q.1)));
        return (top..=bottom).all(|y| visit(cell(cell_of(p.0), y)));
    }
    for column in cell_of(p.0)..=cell_of(q.0) {
        // The part of the segment in this column spans x in [left, right]
        // (open where it meets the column's edges); `y · dx` at both ends is
        // exact.
        let left = (2 * column).max(p.0);
        let right = (2 * column + 2).min(q.0);
        let y_left = p.1 * dx + (left - p.0) * dy;
        let y_right = p.1 * dx + (right - p.0) * dy;
        let (low, high) = (y_left.min(y_right), y_left.max(y_right));
        // Rows whose open span (2r, 2r + 2) · dx meets [low, high]:
        // 2r·dx + 2dx > low and 2r·dx < high.
        let first = low.div_euclid(2 * dx);
        let last = (high + 2 * dx - 1).div_euclid(2 * dx) - 1;
        if !(first..=last).all(|y| visit(cell(column, y))) {
            return false;
        }
    }
    true
}

/// The doubled coordinates of a cell's centre.
fn centre(c: Cell) -> (i64, i64) {
    (2 * i64::from(c.x) + 1, 2 * i64::from(c.y) + 1)
}

/// The cell index of an odd doubled coordinate.
fn cell_of(doubled: i64) -> i64 {
    (doubled - 1) / 2
}

/// A cell from indices that lie between two cells' own indices, so fit `u32`.
fn cell(x: i64, y: i64) -> Cell {
    let fit = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    Cell {
        x: fit(x),
        y: fit(y),
    }
}

#[cfg(test)]
mod tests;
