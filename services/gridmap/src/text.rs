//! The map text format: a map as a small drawing that any text editor can
//! change, as the course's sync client reads it.
//!
//! ```text
//! Fancy Map
//! ............
//! .a...##...b.
//! .....#......
//! ........####
//! .c........d.
//! ....##......
//! a,Fancy Observer A,6
//! b,Fancy Observer B,6
//! c,Fancy Observer C,6
//! d,Fancy Observer D,6
//! ```
//!
//! The first line is the map's name. Then come `height` rows of `width`
//! cells: `.` is empty, `#` an obstacle, an ASCII letter an observer (each
//! letter at most once). Then one `letter,name,range` legend line per
//! observer; the name may hold commas (the letter is what comes before the
//! first comma, the range what comes after the last). The drawing ends at the
//! first blank line or legend line; blank lines after it are ignored.
//!
//! Canonical text, what [`MapFile::to_text`] writes, has no blank lines, the
//! legend in reading order (row by row, left to right) and a final newline.
//! The format holds no slugs: the server derives them from the names.

use std::collections::HashMap;
use std::iter::Peekable;

use super::model::MAX_RANGE;

/// A map read from, or to be written as, the map text format.
///
/// [`parse`](Self::parse) lists observers and obstacles in reading order (by
/// `y`, then `x`); for such a value, `MapFile::parse(&m.to_text()) == Ok(m)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapFile {
    /// The map's name (its first line).
    pub name: String,
    /// Columns: the length of every row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// The observers, in reading order.
    pub observers: Vec<ObserverSpec>,
    /// The obstacles as `(x, y)`, in reading order.
    pub obstacles: Vec<(u32, u32)>,
}

/// One observer of a [`MapFile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObserverSpec {
    /// The letter that marks the observer in the drawing.
    pub letter: char,
    /// The observer's name.
    pub name: String,
    /// Column.
    pub x: u32,
    /// Row.
    pub y: u32,
    /// Vision range, in cells.
    pub range: u32,
}

/// Why a map text could not be read. Lines and columns count from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MapFileError {
    /// The first line, the map's name, is missing or blank.
    #[error("line 1: the map's name is missing")]
    MissingName,
    /// No row follows the name.
    #[error("line {line}: the map has no rows")]
    EmptyMap {
        /// Where the first row was expected.
        line: usize,
    },
    /// A row is longer or shorter than the first one.
    #[error("line {line}: the row has {found} cells, but the first row has {expected}")]
    RaggedRow {
        /// The row's line.
        line: usize,
        /// Its length.
        found: usize,
        /// The first row's length.
        expected: usize,
    },
    /// A row holds something other than `.`, `#` or an ASCII letter.
    #[error("line {line}, column {column}: unknown character `{found}` (use `.`, `#` or a letter)")]
    UnknownCharacter {
        /// The row's line.
        line: usize,
        /// The character's column.
        column: usize,
        /// The character.
        found: char,
    },
    /// A letter marks two cells.
    #[error("line {line}: observer `{letter}` appears again (first on line {first})")]
    DuplicateLetter {
        /// Where it appears again.
        line: usize,
        /// The letter.
        letter: char,
        /// Where it first appears.
        first: usize,
    },
    /// A letter in the drawing has no legend line.
    #[error("line {line}: observer `{letter}` has no `{letter},name,range` line")]
    MissingLegend {
        /// The row where the letter is.
        line: usize,
        /// The letter.
        letter: char,
    },
    /// A legend line names a letter the drawing does not hold.
    #[error("line {line}: observer `{letter}` is not on the map")]
    UnknownLetter {
        /// The legend line.
        line: usize,
        /// The letter.
        letter: char,
    },
    /// Two legend lines for one letter.
    #[error("line {line}: observer `{letter}` is described again (first on line {first})")]
    DuplicateLegend {
        /// The second legend line.
        line: usize,
        /// The letter.
        letter: char,
        /// The first legend line.
        first: usize,
    },
    /// A legend line is not `letter,name,range` with one ASCII letter and a
    /// name.
    #[error("line {line}: expected `letter,name,range`, e.g. `a,Fancy Observer A,6`")]
    BadLegend {
        /// The line.
        line: usize,
    },
    /// A range is not a whole number from 1 to [`MAX_RANGE`].
    #[error("line {line}: range `{found}` is not a whole number from 1 to {MAX_RANGE}")]
    BadRange {
        /// The legend line.
        line: usize,
        /// What was written.
        found: String,
    },
    /// A dimension does not fit in 32 bits.
    #[error("the map is too large")]
    TooLarge,
}

/// Numbered lines, 1-based.
type Lines<'a> = Peekable<std::iter::Zip<std::ops::RangeFrom<usize>, std::str::Lines<'a>>>;

impl MapFile {
    /// Reads a map text.
    ///
    /// # Errors
    /// A [`MapFileError`] naming the first offending line.
    pub fn parse(text: &str) -> Result<Self, MapFileError> {
        let mut lines: Lines<'_> = (1..).zip(text.lines()).peekable();
        let name = match lines.next() {
            Some((_, name)) if !name.trim().is_empty() => name.to_owned(),
            _ => return Err(MapFileError::MissingName),
        };
        let drawing = Drawing::read(&mut lines)?;
        let legend = read_legend(lines)?;
        drawing.into_map(name, legend)
    }

    /// Writes the map in canonical text. Observers and obstacles outside the
    /// grid are left out; the legend follows the order of `observers`.
    pub fn to_text(&self) -> String {
        let (width, height) = (self.width as usize, self.height as usize);
        let mut rows = vec![vec!['.'; width]; height];
        let cells = self
            .obstacles
            .iter()
            .map(|&(x, y)| (x, y, '#'))
            .chain(self.observers.iter().map(|o| (o.x, o.y, o.letter)));
        for (x, y, mark) in cells {
            if let Some(cell) = rows.get_mut(y as usize).and_then(|r| r.get_mut(x as usize)) {
                *cell = mark;
            }
        }
        let mut text = String::with_capacity((width + 1) * (height + 1));
        text.push_str(&self.name);
        text.push('\n');
        for row in rows {
            text.extend(row);
            text.push('\n');
        }
        for o in &self.observers {
            text.push_str(&format!("{},{},{}\n", o.letter, o.name, o.range));
        }
        text
    }
}

/// The rows of a map text, before the legend is matched.
#[derive(Debug, Default)]
struct Drawing {
    width: usize,
    height: usize,
    /// `(letter, x, y, line)`, in reading order.
    observers: Vec<(char, usize, usize, usize)>,
    /// `(x, y)`, in reading order.
    obstacles: Vec<(usize, usize)>,
}

impl Drawing {
    /// Reads rows up to the first blank or legend line.
    fn read(lines: &mut Lines<'_>) -> Result<Self, MapFileError> {
        let mut drawing = Self::default();
        let mut first_line = HashMap::new();
        while let Some(&(line, row)) = lines.peek() {
            if row.trim().is_empty() || row.contains(',') {
                break;
            }
            lines.next();
            drawing.read_row(line, row, &mut first_line)?;
        }
        if drawing.height == 0 {
            let line = lines.peek().map_or(2, |&(line, _)| line);
            return Err(MapFileError::EmptyMap { line });
        }
        Ok(drawing)
    }

    fn read_row(
        &mut self,
        line: usize,
        row: &str,
        first_line: &mut HashMap<char, usize>,
    ) -> Result<(), MapFileError> {
        let y = self.height;
        let mut x = 0;
        for (column, found) in (1..).zip(row.chars()) {
            match found {
                '.' => {}
                '#' => self.obstacles.push((x, y)),
                letter if letter.is_ascii_alphabetic() => {
                    if let Some(&first) = first_line.get(&letter) {
                        return Err(MapFileError::DuplicateLetter {
                            line,
                            letter,
                            first,
                        });
                    }
                    first_line.insert(letter, line);
                    self.observers.push((letter, x, y, line));
                }
                _ => {
                    return Err(MapFileError::UnknownCharacter {
                        line,
                        column,
                        found,
                    });
                }
            }
            x += 1;
        }
        if y > 0 && x != self.width {
            let expected = self.width;
            return Err(MapFileError::RaggedRow {
                line,
                found: x,
                expected,
            });
        }
        self.width = x;
        self.height += 1;
        Ok(())
    }

    /// Joins the drawing with its legend.
    fn into_map(self, name: String, mut legend: Legend) -> Result<MapFile, MapFileError> {
        let fit = |n: usize| u32::try_from(n).map_err(|_| MapFileError::TooLarge);
        let mut observers = Vec::with_capacity(self.observers.len());
        for (letter, x, y, line) in self.observers {
            let (_, name, range) = legend
                .remove(&letter)
                .ok_or(MapFileError::MissingLegend { line, letter })?;
            let (x, y) = (fit(x)?, fit(y)?);
            observers.push(ObserverSpec {
                letter,
                name,
                x,
                y,
                range,
            });
        }
        if let Some((&letter, &(line, ..))) = legend.iter().min_by_key(|(_, entry)| entry.0) {
            return Err(MapFileError::UnknownLetter { line, letter });
        }
        let obstacles = self
            .obstacles
            .into_iter()
            .map(|(x, y)| Ok((fit(x)?, fit(y)?)));
        Ok(MapFile {
            name,
            width: fit(self.width)?,
            height: fit(self.height)?,
            observers,
            obstacles: obstacles.collect::<Result<_, _>>()?,
        })
    }
}

/// Legend entries by letter: `(line, name, range)`.
type Legend = HashMap<char, (usize, String, u32)>;

fn read_legend(lines: Lines<'_>) -> Result<Legend, MapFileError> {
    let mut legend = Legend::new();
    for (line, text) in lines {
        if text.trim().is_empty() {
            continue;
        }
        let (letter, name, range) = legend_line(line, text)?;
        if let Some(&(first, ..)) = legend.get(&letter) {
            return Err(MapFileError::DuplicateLegend {
                line,
                letter,
                first,
            });
        }
        legend.insert(letter, (line, name, range));
    }
    Ok(legend)
}

/// Reads `letter,name,range`.
fn legend_line(line: usize, text: &str) -> Result<(char, String, u32), MapFileError> {
    let bad = MapFileError::BadLegend { line };
    let (letter, rest) = text.split_once(',').ok_or(bad.clone())?;
    let (name, range) = rest.rsplit_once(',').ok_or(bad.clone())?;
    let mut chars = letter.chars();
    let letter = match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_alphabetic() => c,
        _ => return Err(bad),
    };
    if name.trim().is_empty() {
        return Err(bad);
    }
    let bad_range = || MapFileError::BadRange {
        line,
        found: range.to_owned(),
    };
    let range: u32 = range.trim().parse().map_err(|_| bad_range())?;
    if !(1..=MAX_RANGE).contains(&range) {
        return Err(bad_range());
    }
    Ok((letter, name.to_owned(), range))
}

#[cfg(test)]
mod tests;
