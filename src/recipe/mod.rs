//! Recipes: loading DataBrew JSON/YAML exports and datacook YAML into one model.

pub mod condition;
pub mod expression;
pub mod json;
pub mod load;
pub mod node;
pub mod params;
pub mod yaml;

pub use load::{load_file, load_str};
use node::{Node, Pos};

use crate::error::Location;

/// A recipe as written: steps with their raw parameters and source positions. Parameters are
/// typed later against each operation's spec (see `crate::plan`).
#[derive(Debug, Clone)]
pub struct Recipe {
    pub file: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub version: Option<String>,
    pub steps: Vec<RawStep>,
}

#[derive(Debug, Clone)]
pub struct RawStep {
    /// 1-based position in the recipe.
    pub number: usize,
    pub operation: String,
    pub pos: Pos,
    pub op_pos: Pos,
    /// (normalised key, key position, value)
    pub params: Vec<(String, Pos, Node)>,
    pub conditions: Vec<RawCondition>,
}

#[derive(Debug, Clone)]
pub struct RawCondition {
    pub condition: String,
    pub value: Option<Node>,
    pub target_column: String,
    pub pos: Pos,
}

impl Recipe {
    pub fn location(&self, pos: Pos) -> Location {
        Location {
            file: self.file.clone(),
            line: pos.line,
            column: pos.col,
        }
    }
}
