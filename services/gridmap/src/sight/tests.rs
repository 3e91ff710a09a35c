//! Hand-drawn maps in the map text format, with what their observer sees
//! worked out by hand: a seen cell keeps its mark, a hidden one is `-`.

use super::*;
use crate::text::{MapFile, MapFileError};

type TestResult = Result<(), MapFileError>;

/// The grid of a map text, and its first observer's cell and range.
fn scene(text: &str) -> Result<(MapFile, Grid, Cell, u32), MapFileError> {
    let map = MapFile::parse(text)?;
    let obstacles = map.obstacles.iter().map(|&(x, y)| Cell::new(x, y));
    let grid = Grid::new(map.width, map.height, obstacles);
    let observer = &map.observers[0];
    let (at, range) = (Cell::new(observer.x, observer.y), observer.range);
    Ok((map, grid, at, range))
}

/// The drawing of `text` with every cell outside `seen` replaced by `-`.
fn draw_seen(text: &str, seen: &[Cell]) -> String {
    let rows = text.lines().skip(1).take_while(|line| !line.contains(','));
    let mut out = String::new();
    for (y, row) in (0..).zip(rows) {
        for (x, mark) in (0..).zip(row.chars()) {
            out.push(if seen.contains(&Cell::new(x, y)) {
                mark
            } else {
                '-'
            });
        }
        out.push('\n');
    }
    out
}

fn assert_sees(text: &str, expected: &str) -> TestResult {
    let (_, grid, at, range) = scene(text)?;
    let seen = visible_cells(&grid, at, range);
    assert_eq!(
        draw_seen(text, &seen),
        expected,
        "seen from {at:?} in\n{text}"
    );
    Ok(())
}

#[test]
fn a_wall_hides_everything_behind_it_but_is_seen() -> TestResult {
    let map = "Wall\n\
        .......\n\
        ...#...\n\
        a..#...\n\
        ...#...\n\
        .......\n\
        a,Watcher,10\n";
    // The top and bottom cells of the wall's column are seen past its ends;
    // beyond the wall even the diagonals clip its end cells' interiors.
    let seen = "\
        ....---\n\
        ...#---\n\
        a..#---\n\
        ...#---\n\
        ....---\n";
    assert_sees(map, seen)
}

#[test]
fn touching_obstacles_at_a_corner_does_not_block() -> TestResult {
    let map = "Corners\n\
        a#...\n\
        #....\n\
        .....\n\
        a,Peeker,5\n";
    // Only the exact diagonal slips between the two obstacles, touching
    // each at a corner; every other line crosses one of them.
    let seen = "\
        a#---\n\
        #.---\n\
        --.--\n";
    assert_sees(map, seen)
}

#[test]
fn range_is_euclidean_and_a_pillar_casts_a_shadow() -> TestResult {
    let map = "Pillar\n\
        .......\n\
        .......\n\
        .......\n\
        ...a#..\n\
        .......\n\
        .......\n\
        .......\n\
        a,Lookout,3\n";
    // Range 3 is a disc (dx² + dy² <= 9); the pillar hides the two cells
    // behind it and the two beside those, while the lines to (5, 1) and
    // (5, 5) only touch its corners.
    let seen = "\
        ---.---\n\
        -.....-\n\
        -....--\n\
        ...a#--\n\
        -....--\n\
        -.....-\n\
        ---.---\n";
    assert_sees(map, seen)
}

#[test]
fn the_own_cell_is_seen_and_nothing_off_the_grid() {
    let grid = Grid::new(3, 3, [Cell::new(1, 1)]);
    assert_eq!(visible_cells(&grid, Cell::new(0, 0), 1).len(), 3);
    assert_eq!(visible_cells(&grid, Cell::new(0, 0), 0), [Cell::new(0, 0)]);
    assert!(visible_cells(&grid, Cell::new(3, 0), 5).is_empty());
    assert!(!sees(&grid, Cell::new(0, 0), Cell::new(3, 0), 5));
    assert!(sees(&grid, Cell::new(0, 0), Cell::new(1, 1), 5));
    assert!(!sees(&grid, Cell::new(0, 0), Cell::new(2, 2), 5));
}

#[test]
fn on_an_open_grid_the_whole_disc_is_seen() {
    // 12,853 cells have dx² + dy² <= 64²; near a corner only a quarter fits.
    let grid = Grid::new(1024, 1024, []);
    assert_eq!(visible_cells(&grid, Cell::new(500, 500), 64).len(), 12_853);
    let corner = visible_cells(&grid, Cell::new(0, 0), 64);
    assert_eq!(corner.len(), (12_853 - 1) / 4 + 64 + 1);
    assert_eq!(corner.first(), Some(&Cell::new(0, 0)));
}

/// Maps for the whole-grid checks: walls, diagonals, a maze, scattered rocks.
const MAPS: [&str; 4] = [
    "Rooms\n.....#....\n.....#....\n..........\n######.###\n......#...\n..#...#...\n",
    "Diagonal\n#.......\n.#......\n..#.....\n...#....\n....#..#\n.......#\n",
    "Maze\n.#.....#.\n.#.###.#.\n.#...#...\n.###.###.\n.....#...\n",
    "Rocks\n...#.....#.\n.#....#....\n....#....#.\n#.....#....\n...#.....#.\n",
];

fn cells(map: &MapFile) -> impl Iterator<Item = Cell> + '_ {
    (0..map.height).flat_map(move |y| (0..map.width).map(move |x| Cell::new(x, y)))
}

#[test]
fn sight_is_symmetric_between_any_two_free_cells() -> TestResult {
    for text in MAPS {
        let map = MapFile::parse(text)?;
        let obstacles: Vec<Cell> = map
            .obstacles
            .iter()
            .map(|&(x, y)| Cell::new(x, y))
            .collect();
        let grid = Grid::new(map.width, map.height, obstacles);
        let free: Vec<Cell> = cells(&map).filter(|c| !grid.is_obstacle(*c)).collect();
        for range in [1, 3, 6, 64] {
            let seen: Vec<Vec<Cell>> = free
                .iter()
                .map(|&a| visible_cells(&grid, a, range))
                .collect();
            for (i, &a) in free.iter().enumerate() {
                for (j, &b) in free.iter().enumerate() {
                    let (ab, ba) = (seen[i].contains(&b), seen[j].contains(&a));
                    assert_eq!(ab, ba, "{} range {range}: {a:?} / {b:?}", map.name);
                }
            }
        }
    }
    Ok(())
}

/// Whether the segment between the doubled points `p` and `q` meets the open
/// box of `cell`: some t in [0, 1] puts p + t(q - p) strictly inside on both
/// axes. Fractions are (numerator, positive denominator).
fn meets_open_box(p: (i64, i64), q: (i64, i64), cell: Cell) -> bool {
    let (mut lower, mut upper) = ((0, 1), (1, 1));
    let axes = [
        (p.0, q.0 - p.0, i64::from(cell.x)),
        (p.1, q.1 - p.1, i64::from(cell.y)),
    ];
    for (start, delta, index) in axes {
        let (low, high) = (2 * index, 2 * index + 2);
        if delta == 0 {
            if !(low < start && start < high) {
                return false;
            }
            continue;
        }
        let (sign, d) = (delta.signum(), delta.abs());
        let (t1, t2) = (((low - start) * sign, d), ((high - start) * sign, d));
        let (enter, leave) = if less(t1, t2) { (t1, t2) } else { (t2, t1) };
        if less(lower, enter) {
            lower = enter;
        }
        if less(leave, upper) {
            upper = leave;
        }
    }
    less(lower, upper)
}

fn less(a: (i64, i64), b: (i64, i64)) -> bool {
    a.0 * b.1 < b.0 * a.1
}

#[test]
fn the_column_walk_agrees_with_a_box_by_box_check() -> TestResult {
    for text in MAPS {
        let map = MapFile::parse(text)?;
        let obstacles: Vec<Cell> = map
            .obstacles
            .iter()
            .map(|&(x, y)| Cell::new(x, y))
            .collect();
        let grid = Grid::new(map.width, map.height, obstacles.iter().copied());
        for a in cells(&map) {
            for b in cells(&map) {
                let blocked = obstacles
                    .iter()
                    .filter(|&&o| o != a && o != b)
                    .any(|&o| meets_open_box(centre(a), centre(b), o));
                assert_eq!(
                    line_of_sight(&grid, a, b),
                    !blocked,
                    "{}: {a:?} / {b:?}",
                    map.name
                );
            }
        }
    }
    Ok(())
}
