//! From a parsed recipe to checked steps: look operations up, type their parameters, parse
//! their conditions, and propagate the schema step by step — all before any row is read.
//! Every problem becomes a [`Diagnostic`] naming the step, the operation and file:line:col;
//! all problems are collected, not just the first.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::{DataType, Schema};

use crate::dataset::{ColumnNotes, Resolver};
use crate::error::{Diagnostic, Location, did_you_mean};
use crate::ops::{self, ColumnIssue, Conditions, OpError, OpSpec, Operation, SchemaCtx};
use crate::recipe::condition::{self, Condition};
use crate::recipe::node::{Node, NodeKind, Pos};
use crate::recipe::params::{Param, Params, parse_value};
use crate::recipe::{RawStep, Recipe};

/// One step, ready to run.
pub struct Step {
    pub number: usize,
    pub spec: &'static OpSpec,
    pub op: Box<dyn Operation>,
    pub conditions: Vec<Condition>,
    pub location: Location,
    param_locations: BTreeMap<&'static str, Location>,
    condition_locations: Vec<Location>,
}

impl Step {
    /// Turn an operation error into a diagnostic pointing at the parameter (or the step).
    pub fn diagnostic(&self, e: &OpError) -> Diagnostic {
        let location = e
            .param
            .and_then(|p| self.param_locations.get(p).cloned())
            .unwrap_or_else(|| self.location.clone());
        Diagnostic::error(e.message.clone())
            .at(Some(location))
            .in_step(self.number, self.spec.name)
            .with_help(e.help.clone())
    }
}

pub struct Plan {
    pub recipe: Recipe,
    pub steps: Vec<Step>,
}

/// Parameters DataBrew exports carry that mean nothing to a local engine.
const IGNORED_PARAMS: &[&str] = &["functionStepType"];

/// Compile every step; returns the plan (if there were no errors) and all diagnostics.
pub fn compile(recipe: Recipe) -> (Option<Plan>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut steps = Vec::new();
    for raw in &recipe.steps {
        if let Some(step) = compile_step(&recipe, raw, &mut diags) {
            steps.push(step);
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    (Some(Plan { recipe, steps }), diags)
}

fn compile_step(recipe: &Recipe, raw: &RawStep, diags: &mut Vec<Diagnostic>) -> Option<Step> {
    let at = |pos: Pos| Some(recipe.location(pos));
    let Some(spec) = ops::lookup(&raw.operation) else {
        diags.push(
            Diagnostic::error(format!("unknown operation '{}'", raw.operation))
                .at(at(raw.op_pos))
                .in_step(raw.number, &raw.operation)
                .with_help(
                    ops::suggest(&raw.operation)
                        .or_else(|| Some("run `datacook ops` to list the operations".into())),
                ),
        );
        return None;
    };
    let step_diag = |d: Diagnostic| d.in_step(raw.number, spec.name);
    let refusal = match spec.status {
        ops::Status::Supported => None,
        ops::Status::Unsupported(reason) => Some((
            format!("{} cannot run in datacook: {reason}", spec.name),
            "remove the step, or do this work before the data reaches datacook",
        )),
    };
    if let Some((message, help)) = refusal {
        diags.push(step_diag(
            Diagnostic::error(message)
                .at(at(raw.op_pos))
                .with_help(Some(help.into())),
        ));
        return None;
    }
    let errors_before = diags.iter().filter(|d| d.is_error()).count();

    let mut params = Params::default();
    let mut param_locations = BTreeMap::new();
    for (key, key_pos, value) in &raw.params {
        let Some(ps) = spec.params.iter().find(|p| p.name == key) else {
            if !IGNORED_PARAMS.contains(&key.as_str()) {
                diags.push(step_diag(
                    Diagnostic::warning(format!("unknown parameter '{key}' is ignored"))
                        .at(at(*key_pos))
                        .with_help(
                            did_you_mean(key, spec.params.iter().map(|p| p.name)).or_else(|| {
                                Some(format!(
                                    "{} takes: {}",
                                    spec.name,
                                    spec.params
                                        .iter()
                                        .map(|p| p.name)
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ))
                            }),
                        ),
                ));
            }
            continue;
        };
        match parse_value(ps.kind, value) {
            Ok(v) => {
                params.insert(
                    ps.name,
                    Param {
                        value: v,
                        pos: value.pos,
                    },
                );
                param_locations.insert(ps.name, recipe.location(value.pos));
            }
            Err(msg) => diags.push(step_diag(
                Diagnostic::error(format!("parameter '{}': {msg}", ps.name))
                    .at(at(value.pos))
                    .with_help(Some(format!("'{}' is a {}", ps.name, ps.kind.describe()))),
            )),
        }
    }
    for ps in spec.params.iter().filter(|p| p.required) {
        if !raw.params.iter().any(|(k, _, _)| k == ps.name) {
            diags.push(step_diag(
                Diagnostic::error(format!("missing required parameter '{}'", ps.name))
                    .at(at(raw.op_pos))
                    .with_help(Some(format!(
                        "add `{}` ({}): {}",
                        ps.name,
                        ps.kind.describe(),
                        ps.doc
                    ))),
            ));
        }
    }

    fill_defaults(spec, &mut params, raw.op_pos);

    let mut conditions = Vec::new();
    let mut condition_locations = Vec::new();
    match (spec.conditions, raw.conditions.is_empty()) {
        (Conditions::Unsupported, false) => diags.push(step_diag(
            Diagnostic::error(format!("{} does not take ConditionExpressions", spec.name))
                .at(at(raw.conditions[0].pos))
                .with_help(Some("remove the conditions, or filter rows first with REMOVE_VALUES".into())),
        )),
        (Conditions::Required, true) => diags.push(step_diag(
            Diagnostic::error(format!("{} needs ConditionExpressions saying which rows to remove", spec.name))
                .at(at(raw.op_pos))
                .with_help(Some(
                    r#"add ConditionExpressions: [{"Condition": "IS", "Value": "x", "TargetColumn": "col"}]"#.into(),
                )),
        )),
        _ => {}
    }
    for rc in &raw.conditions {
        match condition::parse(rc) {
            Ok(c) => {
                condition_locations.push(recipe.location(c.pos));
                conditions.push(c);
            }
            Err((msg, help)) => diags.push(step_diag(
                Diagnostic::error(msg).at(at(rc.pos)).with_help(help),
            )),
        }
    }

    if diags.iter().filter(|d| d.is_error()).count() > errors_before {
        return None;
    }
    let location = recipe.location(raw.op_pos);
    match spec.build(&params) {
        Ok(op) => Some(Step {
            number: raw.number,
            spec,
            op,
            conditions,
            location,
            param_locations,
            condition_locations,
        }),
        Err(e) => {
            let loc = e
                .param
                .and_then(|p| param_locations.get(p).cloned())
                .unwrap_or(location);
            diags.push(step_diag(
                Diagnostic::error(e.message).at(Some(loc)).with_help(e.help),
            ));
            None
        }
    }
}

/// Give every parameter the recipe left out its declared default, parsed as a recipe value
/// would be, so operations read defaults from their declaration only.
fn fill_defaults(spec: &OpSpec, params: &mut Params, at: Pos) {
    for ps in spec.params {
        let Some(default) = ps.default else { continue };
        if params.has(ps.name) {
            continue;
        }
        let node = Node::new(NodeKind::Str(default.to_string()), at);
        // Every declared default parses (a unit test checks them all).
        if let Ok(value) = parse_value(ps.kind, &node) {
            params.insert(ps.name, Param { value, pos: at });
        }
    }
}

impl Plan {
    /// Check every step against the schema it will see. Returns the output schema of each
    /// step, or every problem found (a failing step passes its input schema on, so later
    /// steps are still checked).
    pub fn check(
        &self,
        input: &Schema,
        datasets: &dyn Resolver,
    ) -> Result<Vec<Schema>, Vec<Diagnostic>> {
        self.check_explained(input, datasets, &ColumnNotes::new())
    }

    /// [`Plan::check`], with the dataset's notes on why columns were read as text, so an
    /// error about a text column can point at the value that made it text.
    pub fn check_explained(
        &self,
        input: &Schema,
        datasets: &dyn Resolver,
        notes: &ColumnNotes,
    ) -> Result<Vec<Schema>, Vec<Diagnostic>> {
        let (out, diags, _) = self.check_once(input, datasets, notes);
        if diags.is_empty() {
            Ok(out)
        } else {
            Err(diags)
        }
    }

    /// [`Plan::check_explained`] for a dataset whose `untyped` columns hold no value, so
    /// nothing says what type they are: they come in as text, and one that a step needs as
    /// numbers is read as numbers (Float64) instead. Returns the input schema with those
    /// columns retyped, and each step's output schema.
    pub fn check_input(
        &self,
        input: &Schema,
        datasets: &dyn Resolver,
        notes: &ColumnNotes,
        untyped: &[String],
    ) -> Result<Checked, Vec<Diagnostic>> {
        let mut input = input.clone();
        let mut retyped = Vec::new();
        loop {
            let (schemas, diags, needs_numbers) = self.check_once(&input, datasets, notes);
            let fixable: Vec<String> = needs_numbers
                .into_iter()
                .filter(|c| untyped.contains(c) && !retyped.contains(c))
                .collect();
            if diags.is_empty() {
                return Ok(Checked {
                    input,
                    schemas,
                    retyped,
                });
            }
            if fixable.is_empty() {
                return Err(diags);
            }
            for c in fixable {
                input.with_column(c.as_str().into(), DataType::Float64);
                retyped.push(c);
            }
        }
    }

    /// One pass of the checks: each step's output schema, the problems, and the input
    /// columns a step needed as numbers but found otherwise.
    fn check_once(
        &self,
        input: &Schema,
        datasets: &dyn Resolver,
        notes: &ColumnNotes,
    ) -> (Vec<Schema>, Vec<Diagnostic>, Vec<String>) {
        let ctx = SchemaCtx { datasets };
        let mut schema = input.clone();
        let mut out = Vec::new();
        let mut diags = Vec::new();
        let mut needs_numbers = Vec::new();
        let mut removed_by: HashMap<String, Removal> = HashMap::new();
        for step in &self.steps {
            let mut ok = true;
            for (c, loc) in step.conditions.iter().zip(&step.condition_locations) {
                if let Err((msg, help)) = c.check(&schema) {
                    ok = false;
                    let removal = removed_by
                        .get(&c.target)
                        .filter(|_| !schema.contains(&c.target));
                    diags.push(
                        Diagnostic::error(msg)
                            .at(Some(loc.clone()))
                            .in_step(step.number, step.spec.name)
                            .with_help(removal.map(Removal::help).or(help)),
                    );
                }
            }
            match step.op.schema(&schema, &ctx) {
                Ok(s) if ok => {
                    removed_by.extend(Removal::by_step(step, &schema, &s));
                    schema = s;
                }
                Ok(_) => {}
                Err(e) => {
                    if let Some(ColumnIssue::NotNumeric(c)) = &e.column
                        && !removed_by.contains_key(c)
                        && input.contains(c)
                    {
                        needs_numbers.push(c.clone());
                    }
                    let e = explain_removal(e, &removed_by);
                    let e = explain_text(e, notes, &removed_by);
                    diags.push(step.diagnostic(&e));
                }
            }
            out.push(schema.clone());
        }
        (out, diags, needs_numbers)
    }
}

/// A plan checked against a dataset's schema.
pub struct Checked {
    /// The input schema, with columns that had no values retyped as a step needs them.
    pub input: Schema,
    /// Each step's output schema.
    pub schemas: Vec<Schema>,
    /// The columns retyped as numbers.
    pub retyped: Vec<String>,
}

/// A column that an earlier step removed, or renamed (a new name took its place).
struct Removal {
    step: usize,
    operation: &'static str,
    renamed_to: Option<String>,
}

impl Removal {
    /// The columns of `before` that `step` took away in `after`.
    fn by_step(step: &Step, before: &Schema, after: &Schema) -> Vec<(String, Removal)> {
        before
            .iter_names()
            .enumerate()
            .filter(|(_, n)| !after.contains(n))
            .map(|(i, gone)| {
                let successor = after.get_at_index(i).map(|(n, _)| n);
                let removal = Removal {
                    step: step.number,
                    operation: step.spec.name,
                    renamed_to: successor
                        .filter(|n| !before.contains(n))
                        .map(|n| n.to_string()),
                };
                (gone.to_string(), removal)
            })
            .collect()
    }

    /// A column an earlier step removed or renamed is not a typo: say which step did it.
    fn help(&self) -> String {
        let Removal {
            step, operation, ..
        } = self;
        match &self.renamed_to {
            Some(new) => format!(
                "step {step} ({operation}) renamed it to '{new}'; refer to it by that name, or \
                 move this step before that one"
            ),
            None => format!("step {step} ({operation}) removed it; move this step before that one"),
        }
    }
}

fn explain_removal(mut e: OpError, removed_by: &HashMap<String, Removal>) -> OpError {
    if let Some(ColumnIssue::Missing(c)) = &e.column
        && let Some(removal) = removed_by.get(c)
    {
        e.help = Some(removal.help());
    }
    e
}

/// A numeric step on a column that came in as text: show the value that made it text.
fn explain_text(
    mut e: OpError,
    notes: &ColumnNotes,
    removed_by: &HashMap<String, Removal>,
) -> OpError {
    let Some(ColumnIssue::NotNumeric(c)) = &e.column else {
        return e;
    };
    // A column removed and re-created since the input is not the one the note is about.
    if removed_by.contains_key(c) {
        return e;
    }
    if let Some(why) = notes.get(c) {
        e.help = Some(format!(
            "'{c}' was read as text because {why}; fix that value, or read the column as \
             numbers with `types: {{{c}: double}}` in the dataset file (values that are not \
             numbers become null), or convert it first with CHANGE_DATA_TYPE"
        ));
    }
    e
}
