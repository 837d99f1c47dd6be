//! Column selectors, as DataBrew writes them in profile configurations and rulesets:
//! `[{"Name": "age"}, {"Regex": "^score_"}]` (a bare string names a column too).

use crate::error::{Diagnostic, Location};
use crate::recipe::node::Node;

#[derive(Debug, Clone)]
pub enum Selector {
    Name(String),
    /// Compiled once, when the selector is read.
    Regex(regex::Regex),
}

impl PartialEq for Selector {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Selector::Name(a), Selector::Name(b)) => a == b,
            (Selector::Regex(a), Selector::Regex(b)) => a.as_str() == b.as_str(),
            _ => false,
        }
    }
}

impl Selector {
    pub fn matches(&self, column: &str) -> bool {
        match self {
            Selector::Name(n) => n == column,
            Selector::Regex(re) => re.is_match(column),
        }
    }

    /// Read a list of selectors; each bad one becomes an error at its location.
    pub fn read_list(
        list: &Node,
        errors: &mut Vec<Diagnostic>,
        loc: &dyn Fn(&Node) -> Option<Location>,
    ) -> Vec<Selector> {
        let mut out = Vec::new();
        for item in list.as_list().unwrap_or_default() {
            let name = item
                .as_str()
                .map(str::to_string)
                .or_else(|| item.field(&["name"]).and_then(Node::scalar_text));
            if let Some(name) = name {
                out.push(Selector::Name(name));
            } else if let Some(r) = item.field(&["regex"]).and_then(Node::scalar_text) {
                match regex::Regex::new(&r) {
                    Ok(re) => out.push(Selector::Regex(re)),
                    Err(e) => errors.push(
                        Diagnostic::error(format!("invalid column selector regex '{r}': {e}"))
                            .at(loc(item)),
                    ),
                }
            } else {
                errors
                    .push(Diagnostic::error("a column selector needs Name or Regex").at(loc(item)));
            }
        }
        out
    }
}
