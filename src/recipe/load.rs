//! Reading recipe files. Accepted shapes, all normalised into [`Recipe`]:
//!
//! * DataBrew JSON or YAML: a list of steps `{Action: {Operation, Parameters},
//!   ConditionExpressions}`, a single step, `RecipeAction` (alias of `Action`), `RecipeStep`
//!   wrappers, and `describe-recipe` output (`{Name, Steps: [...]}`).
//! * datacook YAML: `{name, description, version, steps: [{operation, parameters, conditions}]}`.
//!
//! Keys are read case-insensitively on their first letter (`SourceColumn` = `sourceColumn`).
//! Every structural problem becomes a [`Diagnostic`] with file:line:col; all are collected.

use std::path::Path;

use super::node::{Node, NodeKind, Pos};
use super::params::normalise_key;
use super::{RawCondition, RawStep, Recipe, json, yaml};
use crate::error::{Diagnostic, Error, Location, Result};

/// Load a recipe file. Structural errors come back as [`Error::Invalid`]; warnings are returned.
pub fn load_file(path: &Path) -> Result<(Recipe, Vec<Diagnostic>)> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::invalid_with_help(
            format!("cannot read recipe '{}': {e}", path.display()),
            "check the path; recipes are JSON or YAML files",
        )
    })?;
    load_str(&text, &path.display().to_string())
}

/// Parse a JSON or YAML document (JSON by the `.json` extension, YAML by `.yaml`/`.yml`,
/// otherwise by the first character); syntax errors point at their line and column.
pub fn parse_document(text: &str, file: &str) -> Result<Node> {
    let loc = |pos: Pos| Location {
        file: file.to_string(),
        line: pos.line,
        column: pos.col,
    };
    let looks_json = file.ends_with(".json")
        || (!file.ends_with(".yaml")
            && !file.ends_with(".yml")
            && matches!(
                text.trim_start_matches('\u{feff}')
                    .trim_start()
                    .chars()
                    .next(),
                Some('[' | '{')
            ));
    let root = if looks_json {
        json::parse(text).map_err(|e| {
            Error::Invalid(vec![
                Diagnostic::error(format!("invalid JSON: {}", e.message)).at(Some(loc(e.pos))),
            ])
        })?
    } else {
        yaml::parse(text).map_err(|e| {
            Error::Invalid(vec![
                Diagnostic::error(format!("invalid YAML: {}", e.message)).at(Some(loc(e.pos))),
            ])
        })?
    };
    Ok(root)
}

/// Load a recipe from text; `file` names it in messages and decides JSON vs YAML by extension
/// (otherwise by the first character).
pub fn load_str(text: &str, file: &str) -> Result<(Recipe, Vec<Diagnostic>)> {
    let root = parse_document(text, file)?;
    let loc = |pos: Pos| Location {
        file: file.to_string(),
        line: pos.line,
        column: pos.col,
    };
    let mut diags = Vec::new();
    let mut recipe = Recipe {
        file: file.to_string(),
        name: None,
        description: None,
        version: None,
        steps: Vec::new(),
    };
    let step_nodes: Vec<&Node> = match &root.kind {
        NodeKind::List(items) => items.iter().collect(),
        NodeKind::Null => Vec::new(),
        NodeKind::Map(entries) => {
            let keys: Vec<String> = entries
                .iter()
                .filter_map(|(k, _)| k.as_str().map(normalise_key))
                .collect();
            if keys.iter().any(|k| k == "steps") {
                read_header(&root, &mut recipe, &mut diags, &loc)
            } else if keys.iter().any(|k| {
                matches!(
                    k.as_str(),
                    "action" | "recipeAction" | "recipeStep" | "operation"
                )
            }) {
                vec![&root]
            } else {
                return Err(Error::Invalid(vec![
                    Diagnostic::error("this file is not a recipe")
                        .at(Some(loc(root.pos)))
                        .with_help(Some(
                            "a recipe is a list of DataBrew steps, or a map with 'steps:'".into(),
                        )),
                ]));
            }
        }
        _ => {
            return Err(Error::Invalid(vec![
                Diagnostic::error(format!(
                    "expected a list of steps, found {}",
                    root.type_name()
                ))
                .at(Some(loc(root.pos))),
            ]));
        }
    };

    for (i, node) in step_nodes.into_iter().enumerate() {
        if let Some(step) = read_step(node, i + 1, &mut diags, &loc) {
            recipe.steps.push(step);
        }
    }
    if recipe.steps.len() > 100 {
        diags.push(
            Diagnostic::warning(format!(
                "{} steps: DataBrew allows at most 100 steps per recipe",
                recipe.steps.len()
            ))
            .at(Some(loc(root.pos))),
        );
    }
    if diags.iter().any(Diagnostic::is_error) {
        return Err(Error::Invalid(diags));
    }
    Ok((recipe, diags))
}

fn read_header<'a>(
    root: &'a Node,
    recipe: &mut Recipe,
    diags: &mut Vec<Diagnostic>,
    loc: &dyn Fn(Pos) -> Location,
) -> Vec<&'a Node> {
    let mut steps = Vec::new();
    for (k, v) in root.as_map().unwrap_or_default() {
        let key = k.as_str().map(normalise_key).unwrap_or_default();
        match key.as_str() {
            "name" => recipe.name = v.scalar_text(),
            "description" => recipe.description = v.scalar_text(),
            "version" | "recipeVersion" => recipe.version = v.scalar_text(),
            "steps" => match v.as_list() {
                Some(items) => steps = items.iter().collect(),
                None if matches!(v.kind, NodeKind::Null) => {}
                None => diags.push(
                    Diagnostic::error(format!("'steps' must be a list, found {}", v.type_name()))
                        .at(Some(loc(v.pos))),
                ),
            },
            // Fields of describe-recipe output that carry no meaning for a local run.
            "createDate" | "createdBy" | "lastModifiedDate" | "lastModifiedBy" | "projectName"
            | "publishedBy" | "publishedDate" | "resourceArn" | "tags" => {}
            other => diags.push(
                Diagnostic::warning(format!("unknown recipe field '{other}' is ignored"))
                    .at(Some(loc(k.pos)))
                    .with_help(crate::error::did_you_mean(
                        other,
                        ["name", "description", "version", "steps"],
                    )),
            ),
        }
    }
    steps
}

fn read_step(
    node: &Node,
    number: usize,
    diags: &mut Vec<Diagnostic>,
    loc: &dyn Fn(Pos) -> Location,
) -> Option<RawStep> {
    let error =
        |msg: String, pos: Pos| Diagnostic::error(msg).at(Some(loc(pos))).in_step_no(number);
    let Some(entries) = node.as_map() else {
        diags.push(error(
            format!("a step must be a map, found {}", node.type_name()),
            node.pos,
        ));
        return None;
    };
    let mut action: Option<&Node> = None;
    let mut conditions: Option<&Node> = None;
    let mut datacook_op: Option<&Node> = None;
    let mut datacook_params: Option<&Node> = None;
    for (k, v) in entries {
        let key = k.as_str().map(normalise_key).unwrap_or_default();
        match key.as_str() {
            "action" | "recipeAction" => action = Some(v),
            "recipeStep" => return read_step(v, number, diags, loc),
            "conditionExpressions" | "conditions" => conditions = Some(v),
            "operation" => datacook_op = Some(v),
            "parameters" => datacook_params = Some(v),
            "description" | "comment" | "name" => {}
            other => diags.push(
                Diagnostic::warning(format!("unknown step field '{other}' is ignored"))
                    .at(Some(loc(k.pos)))
                    .in_step_no(number)
                    .with_help(crate::error::did_you_mean(
                        other,
                        [
                            "Action",
                            "ConditionExpressions",
                            "operation",
                            "parameters",
                            "conditions",
                        ],
                    )),
            ),
        }
    }
    let (op_node, params_node) = match action {
        Some(a) => match a.as_map() {
            Some(_) => (
                a.as_map()
                    .unwrap_or_default()
                    .iter()
                    .find(|(k, _)| k.as_str().map(normalise_key).as_deref() == Some("operation"))
                    .map(|(_, v)| v),
                a.as_map()
                    .unwrap_or_default()
                    .iter()
                    .find(|(k, _)| k.as_str().map(normalise_key).as_deref() == Some("parameters"))
                    .map(|(_, v)| v),
            ),
            None => {
                diags.push(error(
                    format!("'Action' must be a map, found {}", a.type_name()),
                    a.pos,
                ));
                return None;
            }
        },
        None => (datacook_op, datacook_params),
    };
    let Some(op_node) = op_node else {
        diags.push(
            error("this step has no operation".into(), node.pos).with_help(Some(
                "write `Action: {Operation: ..., Parameters: {...}}` or `operation: ...`".into(),
            )),
        );
        return None;
    };
    let Some(operation) = op_node.as_str().map(str::to_string) else {
        diags.push(error(
            format!(
                "the operation must be a name, found {}",
                op_node.type_name()
            ),
            op_node.pos,
        ));
        return None;
    };

    let mut params = Vec::new();
    if let Some(p) = params_node {
        match &p.kind {
            NodeKind::Map(entries) => {
                for (k, v) in entries {
                    match k.scalar_text() {
                        Some(key) => params.push((normalise_key(&key), k.pos, v.clone())),
                        None => diags.push(error("a parameter name must be text".into(), k.pos)),
                    }
                }
            }
            NodeKind::Null => {}
            _ => diags.push(error(
                format!("'Parameters' must be a map, found {}", p.type_name()),
                p.pos,
            )),
        }
    }

    let mut conds = Vec::new();
    if let Some(c) = conditions {
        match &c.kind {
            NodeKind::List(items) => {
                for item in items {
                    if let Some(cond) = read_condition(item, number, diags, loc) {
                        conds.push(cond);
                    }
                }
            }
            NodeKind::Null => {}
            _ => diags.push(error(
                format!(
                    "'ConditionExpressions' must be a list, found {}",
                    c.type_name()
                ),
                c.pos,
            )),
        }
    }

    Some(RawStep {
        number,
        operation,
        pos: node.pos,
        op_pos: op_node.pos,
        params,
        conditions: conds,
    })
}

fn read_condition(
    node: &Node,
    number: usize,
    diags: &mut Vec<Diagnostic>,
    loc: &dyn Fn(Pos) -> Location,
) -> Option<RawCondition> {
    let error =
        |msg: String, pos: Pos| Diagnostic::error(msg).at(Some(loc(pos))).in_step_no(number);
    let Some(entries) = node.as_map() else {
        diags.push(error(
            format!("a condition must be a map, found {}", node.type_name()),
            node.pos,
        ));
        return None;
    };
    let (mut condition, mut value, mut target) = (None, None, None);
    for (k, v) in entries {
        let key = k.as_str().map(normalise_key).unwrap_or_default();
        match key.as_str() {
            "condition" => condition = v.scalar_text(),
            "value" => value = Some(v.clone()),
            "targetColumn" => target = v.scalar_text(),
            other => diags.push(
                Diagnostic::warning(format!("unknown condition field '{other}' is ignored"))
                    .at(Some(loc(k.pos)))
                    .in_step_no(number)
                    .with_help(crate::error::did_you_mean(
                        other,
                        ["Condition", "Value", "TargetColumn"],
                    )),
            ),
        }
    }
    let Some(condition) = condition else {
        diags.push(error("this condition has no 'Condition'".into(), node.pos));
        return None;
    };
    let Some(target_column) = target else {
        diags.push(error(
            "this condition has no 'TargetColumn'".into(),
            node.pos,
        ));
        return None;
    };
    Some(RawCondition {
        condition,
        value,
        target_column,
        pos: node.pos,
    })
}

impl Diagnostic {
    fn in_step_no(mut self, number: usize) -> Self {
        self.step = Some(number);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATABREW_JSON: &str = r#"[
  {
    "Action": {
      "Operation": "DELETE",
      "Parameters": {"sourceColumns": "[\"school_name\",\"first_name\"]"}
    }
  },
  {
    "Action": {"Operation": "REMOVE_VALUES", "Parameters": {"sourceColumn": "age"}},
    "ConditionExpressions": [{"Condition": "LESS_THAN", "Value": "18", "TargetColumn": "age"}]
  }
]"#;

    #[test]
    fn reads_databrew_json() {
        let (r, warnings) = load_str(DATABREW_JSON, "r.json").unwrap();
        assert!(warnings.is_empty());
        assert_eq!(r.steps.len(), 2);
        assert_eq!(r.steps[0].operation, "DELETE");
        assert_eq!(r.steps[0].params[0].0, "sourceColumns");
        assert_eq!(r.steps[1].conditions[0].condition, "LESS_THAN");
        assert_eq!(r.steps[1].conditions[0].target_column, "age");
        assert_eq!(r.steps[1].pos.line, 8);
    }

    #[test]
    fn reads_wrappers_and_single_steps() {
        let single = r#"{"RecipeAction": {"Operation": "DELETE_DUPLICATE_ROWS"}}"#;
        assert_eq!(load_str(single, "r.json").unwrap().0.steps.len(), 1);
        let wrapped = r#"{"RecipeStep": {"Action": {"Operation": "DELETE", "Parameters": {"SourceColumn": "a"}}}}"#;
        let r = load_str(wrapped, "r.json").unwrap().0;
        assert_eq!(r.steps[0].params[0].0, "sourceColumn");
        let described = r#"{"Name": "x", "Steps": [{"Action": {"Operation": "DELETE"}}]}"#;
        let r = load_str(described, "r.json").unwrap().0;
        assert_eq!(r.name.as_deref(), Some("x"));
        assert_eq!(r.steps.len(), 1);
    }

    #[test]
    fn reads_databrew_yaml_and_datacook_yaml() {
        let databrew = "- Action:\n    Operation: DELETE\n    Parameters:\n      sourceColumn: a\n";
        let r = load_str(databrew, "r.yaml").unwrap().0;
        assert_eq!(r.steps[0].operation, "DELETE");
        let ours = "name: demo\nversion: 1.0\nsteps:\n  - operation: DELETE\n    parameters:\n      sourceColumns: [a, b]\n    conditions:\n      - condition: IS\n        value: x\n        targetColumn: a\n";
        let r = load_str(ours, "r.yaml").unwrap().0;
        assert_eq!(r.name.as_deref(), Some("demo"));
        assert_eq!(r.version.as_deref(), Some("1.0"));
        assert_eq!(r.steps[0].conditions.len(), 1);
        assert_eq!(r.steps[0].op_pos, Pos { line: 4, col: 16 });
    }

    #[test]
    fn collects_all_structural_errors() {
        let bad = "- Action: {}\n- 3\n- Action:\n    Operation: [x]\n";
        let Err(Error::Invalid(diags)) = load_str(bad, "bad.yaml") else {
            panic!("expected errors")
        };
        let steps: Vec<_> = diags.iter().map(|d| d.step).collect();
        assert_eq!(steps, vec![Some(1), Some(2), Some(3)]);
        assert_eq!(diags[1].location.as_ref().unwrap().line, 2);
    }

    #[test]
    fn syntax_errors_point_at_the_file() {
        let Err(Error::Invalid(diags)) = load_str("[{\"Action\": }]", "x.json") else {
            panic!()
        };
        assert_eq!(
            diags[0].location.as_ref().unwrap().to_string(),
            "x.json:1:13"
        );
    }

    #[test]
    fn empty_recipe_is_valid() {
        assert!(load_str("[]", "e.json").unwrap().0.steps.is_empty());
    }
}
