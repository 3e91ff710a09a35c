use super::*;

type TestResult = Result<(), MapFileError>;

/// The course's Fancy Map, reshaped into rows (shared fixture).
const FANCY: &str = include_str!("../../../../examples/maps/fancy-map.txt");

fn observer(letter: char, name: &str, x: u32, y: u32, range: u32) -> ObserverSpec {
    ObserverSpec {
        letter,
        name: name.to_owned(),
        x,
        y,
        range,
    }
}

#[test]
fn the_fancy_map_reads_as_drawn() -> TestResult {
    let map = MapFile::parse(FANCY)?;
    assert_eq!(
        (map.name.as_str(), map.width, map.height),
        ("Fancy Map", 12, 6)
    );
    assert_eq!(
        map.observers,
        [
            observer('a', "Fancy Observer A", 1, 1, 6),
            observer('b', "Fancy Observer B", 10, 1, 6),
            observer('c', "Fancy Observer C", 1, 4, 6),
            observer('d', "Fancy Observer D", 10, 4, 6),
        ]
    );
    let obstacles = [
        (5, 1),
        (6, 1),
        (5, 2),
        (8, 3),
        (9, 3),
        (10, 3),
        (11, 3),
        (4, 5),
        (5, 5),
    ];
    assert_eq!(map.obstacles, obstacles);
    Ok(())
}

#[test]
fn canonical_text_survives_a_round_trip() -> TestResult {
    let others = [
        "Tiny\n.\n",
        "Walls, and a comma\n##\n#a\na,Observer, with a comma,64\n",
        "Mixed Case\nZ..\n.#y\nZ,Zed,1\ny,Why,2\n",
    ];
    for text in std::iter::once(FANCY).chain(others) {
        assert_eq!(MapFile::parse(text)?.to_text(), text);
    }
    Ok(())
}

#[test]
fn a_map_in_reading_order_survives_a_round_trip() -> TestResult {
    let map = MapFile {
        name: "Built".to_owned(),
        width: 4,
        height: 3,
        observers: vec![observer('q', "Q", 3, 0, 2), observer('b', "B", 0, 2, 64)],
        obstacles: vec![(0, 0), (2, 1), (3, 2)],
    };
    assert_eq!(map.to_text(), "Built\n#..q\n..#.\nb..#\nq,Q,2\nb,B,64\n");
    assert_eq!(MapFile::parse(&map.to_text())?, map);
    Ok(())
}

#[test]
fn loose_text_is_read_and_written_canonically() -> TestResult {
    let loose = "Loose\r\n.b\r\na.\r\n\r\nb,Bee,3\r\n\r\na,Ay,2 \r\n\r\n";
    let map = MapFile::parse(loose)?;
    assert_eq!(map.to_text(), "Loose\n.b\na.\nb,Bee,3\na,Ay,2\n");
    Ok(())
}

fn error_of(text: &str) -> MapFileError {
    match MapFile::parse(text) {
        Ok(map) => panic!("{text:?} parsed as {map:?}"),
        Err(err) => err,
    }
}

#[test]
fn each_mistake_is_named_with_its_line() {
    use MapFileError::*;
    let cases = [
        ("", MissingName),
        ("  \n...\n", MissingName),
        ("Empty\n", EmptyMap { line: 2 }),
        ("Empty\n\n...\n", EmptyMap { line: 2 }),
        ("Legend only\na,A,1\n", EmptyMap { line: 2 }),
        (
            "Ragged\n...\n....\n",
            RaggedRow {
                line: 3,
                found: 4,
                expected: 3,
            },
        ),
        (
            "Odd\n..\n.?\n",
            UnknownCharacter {
                line: 3,
                column: 2,
                found: '?',
            },
        ),
        (
            "Twice\na.\n.a\na,A,1\n",
            DuplicateLetter {
                line: 3,
                letter: 'a',
                first: 2,
            },
        ),
        (
            "Silent\n.a\n",
            MissingLegend {
                line: 2,
                letter: 'a',
            },
        ),
        (
            "Ghost\n.a\na,A,1\nb,B,1\n",
            UnknownLetter {
                line: 4,
                letter: 'b',
            },
        ),
        (
            "Again\na\na,A,1\na,A,2\n",
            DuplicateLegend {
                line: 4,
                letter: 'a',
                first: 3,
            },
        ),
        ("Short\na\na,1\n", BadLegend { line: 3 }),
        ("No name\na\na, ,1\n", BadLegend { line: 3 }),
        ("Two letters\na\nab,A,1\n", BadLegend { line: 3 }),
        ("Stray\na\na,A,1\n...\n", BadLegend { line: 4 }),
    ];
    for (text, expected) in cases {
        assert_eq!(error_of(text), expected, "{text:?}");
    }
}

#[test]
fn ranges_are_whole_numbers_from_1_to_64() {
    for found in ["0", "65", "six", "-1", "2.5", ""] {
        let text = format!("Range\na\na,A,{found}\n");
        let expected = MapFileError::BadRange {
            line: 3,
            found: found.to_owned(),
        };
        assert_eq!(error_of(&text), expected);
    }
}

#[test]
fn errors_read_as_sentences_with_line_numbers() {
    let err = error_of("Ragged\n...\n....\n");
    assert_eq!(
        err.to_string(),
        "line 3: the row has 4 cells, but the first row has 3"
    );
}
