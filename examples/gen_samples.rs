//! Generates the bundled sample datasets deterministically (same bytes on every machine).
//!
//!     cargo run --example gen_samples -- students datasets/students.csv 600
//!     cargo run --example gen_samples -- patients datasets/            300
//!
//! The student table follows the student-performance walkthrough: 13 columns; students 1-3
//! have no age; `study_time_in_hr` has clear z > 3 outliers (students 250 and 451, and one in
//! every 300 rows of larger tables); `gender` is M/F with M the most frequent; `health` has
//! integer levels 1-5. The patient and encounter tables follow Synthea's CSV layout, with some
//! malformed birth dates, missing driver's licences, patients without encounters and patients
//! with several.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::Path;

/// SplitMix64: tiny, fast and fully deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn range(&mut self, lo: u64, hi_inclusive: u64) -> u64 {
        lo + self.next() % (hi_inclusive - lo + 1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn uuid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }
}

const SCHOOLS: &[&str] = &[
    "Riverside High",
    "Lincoln Academy",
    "Maple Grove School",
    "Westfield Secondary",
    "Harbor View High",
    "Summit Prep",
];
const COUNTRIES: &[&str] = &["USA", "Canada", "India", "UK", "Germany"];
const FIRST: &[&str] = &[
    "Liam", "Olivia", "Noah", "Emma", "Aarav", "Mia", "Lucas", "Sofia", "Ethan", "Ava", "Arjun",
    "Chloe", "Mateo", "Zoe", "Leo", "Priya", "Jonas", "Hannah", "Omar", "Isla",
];
const LAST: &[&str] = &[
    "Smith", "Patel", "Garcia", "Müller", "Brown", "Nguyen", "Kim", "Singh", "Lopez", "Wilson",
    "O'Brien", "Schmidt", "Rossi", "Chen", "Taylor", "Khan",
];

fn students(path: &Path, rows: u64) -> std::io::Result<()> {
    let mut rng = Rng(2024);
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        w,
        "school_id,school_name,student_id,study_time_in_hr,health,internet,country,year,first_name,last_name,gender,age,marks"
    )?;
    let mut line = String::new();
    for id in 1..=rows {
        line.clear();
        let school = rng.range(1, SCHOOLS.len() as u64);
        // Two uniforms: a soft bell between 1 and 9 hours, one decimal.
        let mut study = ((1.0 + 4.0 * (rng.unit() + rng.unit())) * 10.0).round() / 10.0;
        if id == 250 || id == 451 || (rows > 600 && id % 300 == 0) {
            study = if id % 2 == 0 { 42.5 } else { 38.0 };
        }
        let health = rng.range(1, 5);
        let internet = if rng.chance(0.8) { "yes" } else { "no" };
        let country = rng.pick(COUNTRIES);
        let year = rng.range(2019, 2022);
        let first = rng.pick(FIRST);
        let last = rng.pick(LAST);
        let gender = if rng.chance(0.56) { "M" } else { "F" };
        let age = rng.range(15, 19);
        let no_age = id <= 3 || (rows > 600 && id % 200 == 0);
        let marks = (35.0 + 6.0 * study.min(9.0) + 10.0 * rng.unit()).round() as u64;
        write!(
            line,
            "{school},{},{id},{study},{health},{internet},{country},{year},{first},\"{last}\",{gender},{},{marks}",
            SCHOOLS[(school - 1) as usize],
            if no_age { String::new() } else { age.to_string() },
        )
        .expect("write to string");
        writeln!(w, "{line}")?;
    }
    w.flush()
}

const CITIES: &[(&str, &str, &str)] = &[
    ("Boston", "Suffolk County", "02115"),
    ("Worcester", "Worcester County", "01608"),
    ("Springfield", "Hampden County", "01103"),
    ("Cambridge", "Middlesex County", "02139"),
    ("Lowell", "Middlesex County", "01852"),
    ("Quincy", "Norfolk County", "02169"),
    ("Pittsfield", "Berkshire County", "01201"),
];
const MALFORMED_BIRTHDATES: &[&str] = &[
    "unknown",
    "N/A",
    "31/12/85",
    "0000-00-00",
    "1o/04/7x",
    "--",
    "TBD",
    "12-05-56",
];
const ENCOUNTER_KINDS: &[(&str, &str, &str)] = &[
    ("wellness", "410620009", "Well child visit (procedure)"),
    ("ambulatory", "185345009", "Encounter for symptom"),
    (
        "outpatient",
        "185349003",
        "Encounter for check up (procedure)",
    ),
    (
        "emergency",
        "50849002",
        "Emergency room admission (procedure)",
    ),
    (
        "inpatient",
        "1505002",
        "Hospital admission for isolation (procedure)",
    ),
    ("urgentcare", "702927004", "Urgent care clinic (procedure)"),
];

fn patients(dir: &Path, count: u64) -> std::io::Result<()> {
    let mut rng = Rng(1918);
    let mut p = BufWriter::new(std::fs::File::create(dir.join("patients.csv"))?);
    let mut e = BufWriter::new(std::fs::File::create(dir.join("encounters.csv"))?);
    writeln!(
        p,
        "Id,BIRTHDATE,DEATHDATE,SSN,DRIVERS,PASSPORT,PREFIX,FIRST,LAST,SUFFIX,MAIDEN,MARITAL,RACE,ETHNICITY,GENDER,BIRTHPLACE,ADDRESS,CITY,STATE,COUNTY,ZIP,LAT,LON,HEALTHCARE_EXPENSES,HEALTHCARE_COVERAGE"
    )?;
    writeln!(
        e,
        "Id,START,STOP,PATIENT,ORGANIZATION,PROVIDER,PAYER,ENCOUNTERCLASS,CODE,DESCRIPTION,BASE_ENCOUNTER_COST,TOTAL_CLAIM_COST,PAYER_COVERAGE,REASONCODE,REASONDESCRIPTION"
    )?;
    let orgs: Vec<String> = (0..5).map(|_| rng.uuid()).collect();
    let providers: Vec<String> = (0..12).map(|_| rng.uuid()).collect();
    let payers: Vec<String> = (0..4).map(|_| rng.uuid()).collect();
    for n in 0..count {
        let id = rng.uuid();
        let year = rng.range(1930, 2019);
        let birth = format!("{year}-{:02}-{:02}", rng.range(1, 12), rng.range(1, 28));
        let birthdate = if n % 25 == 7 {
            MALFORMED_BIRTHDATES[(n / 25) as usize % MALFORMED_BIRTHDATES.len()].to_string()
        } else {
            birth
        };
        let adult = year < 2005;
        let dead = rng.chance(0.08);
        let deathdate = if dead {
            format!(
                "{}-{:02}-{:02}",
                rng.range(2015, 2020),
                rng.range(1, 12),
                rng.range(1, 28)
            )
        } else {
            String::new()
        };
        let ssn = format!("999-{:02}-{:04}", rng.range(10, 99), rng.range(1000, 9999));
        let drivers = if adult && !rng.chance(0.12) {
            format!("S999{:05}", rng.range(10000, 99999))
        } else {
            String::new()
        };
        let passport = if adult && rng.chance(0.8) {
            format!("X{:08}X", rng.range(10_000_000, 99_999_999))
        } else {
            String::new()
        };
        let gender = if rng.chance(0.5) { "M" } else { "F" };
        let married = adult && rng.chance(0.6);
        let prefix = match (adult, gender, married) {
            (false, _, _) => "",
            (true, "M", _) => "Mr.",
            (true, _, true) => "Mrs.",
            _ => "Ms.",
        };
        let first = format!("{}{}", rng.pick(FIRST), rng.range(100, 999));
        let last = format!(
            "{}{}",
            rng.pick(&[
                "Kuhn",
                "Bartell",
                "Runolfsdottir",
                "Hickle",
                "Ziemann",
                "Mraz",
                "Cummerata"
            ]),
            rng.range(100, 999)
        );
        let suffix = if adult && rng.chance(0.05) {
            rng.pick(&["MD", "PhD", "JD"])
        } else {
            ""
        };
        let maiden = if married && gender == "F" {
            format!("Lind{}", rng.range(100, 999))
        } else {
            String::new()
        };
        let marital = if !adult {
            ""
        } else if married {
            "M"
        } else {
            "S"
        };
        let race = rng.pick(&[
            "white", "white", "white", "black", "asian", "hawaiian", "native", "other",
        ]);
        let ethnicity = if rng.chance(0.85) {
            "nonhispanic"
        } else {
            "hispanic"
        };
        let (city, county, zip) = CITIES[(rng.next() % CITIES.len() as u64) as usize];
        let birthplace = format!(
            "{}  Massachusetts  US",
            CITIES[(rng.next() % CITIES.len() as u64) as usize].0
        );
        let street = format!(
            "{} {} {}",
            rng.range(10, 999),
            rng.pick(&["Main", "Elm", "Oak", "Harbor", "Maple"]),
            rng.pick(&["Street", "Avenue", "Road"])
        );
        let address = if rng.chance(0.2) {
            format!("\"{street}, Unit {}\"", rng.range(1, 40))
        } else {
            street
        };
        let zip = if rng.chance(0.05) { "" } else { zip };
        let lat = 42.0 + rng.unit() * 0.8;
        let lon = -72.5 + rng.unit() * 1.6;
        let expenses = (rng.unit() * 1_500_000.0 * 100.0).round() / 100.0;
        let coverage = (rng.unit() * 40_000.0 * 100.0).round() / 100.0;
        writeln!(
            p,
            "{id},{birthdate},{deathdate},{ssn},{drivers},{passport},{prefix},{first},{last},{suffix},{maiden},{marital},{race},{ethnicity},{gender},{birthplace},{address},{city},Massachusetts,{county},{zip},{lat:.6},{lon:.6},{expenses:.2},{coverage:.2}"
        )?;

        let visits = if n % 12 == 5 { 0 } else { rng.range(1, 6) };
        for _ in 0..visits {
            let (class, code, description) =
                ENCOUNTER_KINDS[(rng.next() % ENCOUNTER_KINDS.len() as u64) as usize];
            let start_year = rng.range(year.max(2010), 2020);
            let (mo, d, h) = (rng.range(1, 12), rng.range(1, 28), rng.range(0, 22));
            let start = format!(
                "{start_year}-{mo:02}-{d:02}T{h:02}:{:02}:{:02}Z",
                rng.range(0, 59),
                rng.range(0, 59)
            );
            let stop = format!(
                "{start_year}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
                h + 1,
                rng.range(0, 59),
                rng.range(0, 59)
            );
            let base = (rng.unit() * 200.0 + 50.0).round();
            let total = base + (rng.unit() * 500.0).round();
            let covered = (total * rng.unit()).round();
            let (reason, reason_desc) = if rng.chance(0.3) {
                ("840544004", "Suspected COVID-19")
            } else {
                ("", "")
            };
            writeln!(
                e,
                "{},{start},{stop},{id},{},{},{},{class},{code},{description},{base:.2},{total:.2},{covered:.2},{reason},{reason_desc}",
                rng.uuid(),
                orgs[(rng.next() % orgs.len() as u64) as usize],
                providers[(rng.next() % providers.len() as u64) as usize],
                payers[(rng.next() % payers.len() as u64) as usize],
            )?;
        }
    }
    p.flush()?;
    e.flush()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["students", path, rows] => match rows.parse() {
            Ok(n) => students(Path::new(path), n),
            Err(_) => Err(std::io::Error::other("rows must be a number")),
        },
        ["patients", dir, count] => match count.parse() {
            Ok(n) => patients(Path::new(dir), n),
            Err(_) => Err(std::io::Error::other("count must be a number")),
        },
        _ => Err(std::io::Error::other(
            "usage: gen_samples students FILE ROWS | patients DIR COUNT",
        )),
    };
    if let Err(e) = result {
        eprintln!("gen_samples: {e}");
        std::process::exit(2);
    }
}
