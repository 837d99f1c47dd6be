//! TOKENIZATION (reference §2.14): text into a normalised list of words, joined by `delimiter`.
//!
//! Rules (datacook's decisions where DataBrew is silent; README, "Decisions beyond the spec").
//! The text is lower-cased; with `expandContractions: ENABLED`, English contractions become
//! their words (`don't` → `do not`, `it's` → `it is`); tokens are the runs of letters and
//! digits (an apostrophe inside a word stays, other punctuation goes); with stop-word removal
//! (`stopWordsMode`, or `stopWordRemovalMode`, DEFAULT or ENABLED) common English words are
//! dropped, and `customStopWords` whenever given; `stemmingMode: PORTER` stems each token with Snowball's
//! English stemmer (Porter2, the revision Porter published of his algorithm), `LANCASTER` with
//! the Paice/Husk stemmer (`super::lancaster`: no maintained crate implements it). The tokens
//! are joined by `delimiter` (default one space) into a new text column after the source;
//! missing values stay missing.

use std::collections::HashSet;
use std::sync::Arc;

use polars::prelude::*;
use rust_stemmers::{Algorithm, Stemmer};

use super::declare::params;
use super::shape::{Accepts, Def, ExprFn, Operand, TARGET, derive_spec};
use super::{OpSpec, p};
use crate::recipe::params::{ParamKind, ParamSpec};

const SWITCH: &[&str] = &["ENABLED", "DISABLED"];
/// Stop-word modes: DEFAULT (the guide's value) and ENABLED drop datacook's English list;
/// CUSTOM, NONE and DISABLED do not (customStopWords are dropped whenever given).
const STOP_MODES: &[&str] = &["DEFAULT", "ENABLED", "CUSTOM", "NONE", "DISABLED"];

params! {
    struct Tokenize {
        source: String = p::SOURCE_COLUMN,
        delimiter: String = ParamSpec::def("delimiter", ParamKind::Text, " ", "Put between the tokens."),
        contractions: String = ParamSpec::def("expandContractions", ParamKind::Choice(SWITCH), "DISABLED", "ENABLED: don't → do not."),
        stemming: Option<String> = ParamSpec::opt("stemmingMode", ParamKind::Choice(&["PORTER", "LANCASTER", "NONE"]), "PORTER or LANCASTER stems each token."),
        stop_words: Option<String> = ParamSpec::opt("stopWordsMode", ParamKind::Choice(STOP_MODES), "ENABLED drops common English words (CloudFormation's name)."),
        stop_word_removal: Option<String> = ParamSpec::opt("stopWordRemovalMode", ParamKind::Choice(STOP_MODES), "Same as stopWordsMode (the developer guide's name)."),
        custom: Option<Vec<String>> = ParamSpec::opt("customStopWords", ParamKind::Columns, "More words to drop (JSON list)."),
        target: Option<String> = TARGET,
    }
}

pub fn specs() -> Vec<OpSpec> {
    vec![derive_spec(
        Def {
            name: "TOKENIZATION",
            family: "data science",
            summary: "New column: the text as lower-case tokens, optionally without stop words and stemmed.",
            params: Tokenize::SPECS,
        },
        |p| {
            let t = Tokenize::read(p);
            let stem = match t.stemming.as_deref() {
                Some("PORTER") => Stemming::Porter,
                Some("LANCASTER") => Stemming::Lancaster,
                _ => Stemming::None,
            };
            let standard = matches!(
                t.stop_words.as_deref().or(t.stop_word_removal.as_deref()),
                Some("ENABLED" | "DEFAULT")
            );
            let mut stop: HashSet<String> = HashSet::new();
            if standard {
                stop.extend(STOP_WORDS.iter().map(|w| w.to_string()));
            }
            // Custom stop words are dropped whenever they are given.
            stop.extend(
                t.custom
                    .unwrap_or_default()
                    .iter()
                    .map(|w| w.to_lowercase()),
            );
            let tokenizer = Arc::new(Tokenizer {
                delimiter: t.delimiter,
                expand: t.contractions == "ENABLED",
                stop,
                stem,
            });
            Ok((
                vec![(Operand::column(t.source, "sourceColumn"), Accepts::Text)],
                Arc::new(move |mut e: Vec<Expr>| {
                    let tokenizer = tokenizer.clone();
                    e.remove(0).map(
                        move |column| {
                            let ca = column.str()?;
                            let stemmer = Stemmer::create(Algorithm::English);
                            let out: StringChunked = ca
                                .iter()
                                .map(|v| v.map(|s| tokenizer.tokens(s, &stemmer)))
                                .collect();
                            Ok(out.with_name(ca.name().clone()).into_column())
                        },
                        |_, f| Ok(Field::new(f.name().clone(), DataType::String)),
                    )
                }) as ExprFn,
            ))
        },
    )]
}

#[derive(Clone, Copy, PartialEq)]
enum Stemming {
    None,
    Porter,
    Lancaster,
}

struct Tokenizer {
    delimiter: String,
    expand: bool,
    stop: HashSet<String>,
    stem: Stemming,
}

impl Tokenizer {
    fn tokens(&self, text: &str, stemmer: &Stemmer) -> String {
        let lower = text.to_lowercase().replace('’', "'");
        let mut words: Vec<String> = Vec::new();
        for raw in lower.split(|c: char| !(c.is_alphanumeric() || c == '\'')) {
            let word = raw.trim_matches('\'');
            if word.is_empty() {
                continue;
            }
            match self.expand.then(|| expand(word)).flatten() {
                Some(expanded) => words.extend(expanded.split(' ').map(String::from)),
                None => words.push(word.to_string()),
            }
        }
        words
            .into_iter()
            .filter(|w| !self.stop.contains(w))
            .map(|w| match self.stem {
                Stemming::Porter => stemmer.stem(&w).into_owned(),
                Stemming::Lancaster => super::lancaster::stem(&w),
                Stemming::None => w,
            })
            .collect::<Vec<_>>()
            .join(&self.delimiter)
    }
}

/// An English contraction's words.
fn expand(word: &str) -> Option<String> {
    const WHOLE: &[(&str, &str)] = &[
        ("can't", "can not"),
        ("won't", "will not"),
        ("shan't", "shall not"),
        ("ain't", "is not"),
        ("let's", "let us"),
        ("it's", "it is"),
        ("that's", "that is"),
        ("there's", "there is"),
        ("what's", "what is"),
        ("he's", "he is"),
        ("she's", "she is"),
        ("who's", "who is"),
        ("i'm", "i am"),
    ];
    if let Some((_, e)) = WHOLE.iter().find(|(c, _)| *c == word) {
        return Some(e.to_string());
    }
    const SUFFIXES: &[(&str, &str)] = &[
        ("n't", " not"),
        ("'re", " are"),
        ("'ve", " have"),
        ("'ll", " will"),
        ("'d", " would"),
    ];
    SUFFIXES.iter().find_map(|(s, e)| {
        word.strip_suffix(s)
            .filter(|stem| !stem.is_empty())
            .map(|stem| format!("{stem}{e}"))
    })
}

/// Common English stop words (datacook's list: articles, pronouns, auxiliaries, prepositions,
/// conjunctions).
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_contractions_stop_words_and_stems() {
        let stemmer = Stemmer::create(Algorithm::English);
        let t = Tokenizer {
            delimiter: " ".into(),
            expand: true,
            stop: STOP_WORDS.iter().map(|w| w.to_string()).collect(),
            stem: Stemming::Porter,
        };
        assert_eq!(
            t.tokens(
                "The runners didn't stop running, and they're happily racing!",
                &stemmer
            ),
            "runner stop run happili race"
        );
        let plain = Tokenizer {
            delimiter: "|".into(),
            expand: false,
            stop: HashSet::new(),
            stem: Stemming::None,
        };
        assert_eq!(
            plain.tokens("Don't  STOP—me now", &stemmer),
            "don't|stop|me|now"
        );
    }
}
