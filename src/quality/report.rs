//! What a data-quality check reports: PASS/FAIL lines for people, DataBrew's validation
//! report (reference §5.3) for tools, JUnit XML for CI systems and Markdown for CI summaries.

use serde_json::json;

use super::eval::{Evaluation, MetricResult, Status, fmt_pct};
use super::ruleset::Ruleset;

/// One line per rule, metric and flag, then a summary.
pub fn terminal(ruleset: &Ruleset, ev: &Evaluation) -> String {
    let mut out = String::new();
    for r in &ev.rules {
        let threshold = r
            .threshold
            .map(|t| format!("  (needs {})", t.describe()))
            .unwrap_or_default();
        if r.status == Status::Disabled {
            out.push_str(&format!("SKIP  {}  (disabled)\n", r.name));
            continue;
        }
        out.push_str(&format!(
            "{}  {}: {}{threshold}\n",
            r.status.word(),
            r.name,
            r.measured()
        ));
    }
    for m in ev.metrics.iter().chain(&ev.flags) {
        out.push_str(&format!("{}  {}\n", m.status.word(), metric_line(m)));
    }
    let (passed, failed, skipped) = counts(ev);
    out.push_str(&format!(
        "{}: {passed} passed, {failed} failed, {skipped} disabled ({} rows, ruleset {})\n",
        if ev.passed() { "PASSED" } else { "FAILED" },
        ev.rows,
        ruleset.name
    ));
    out
}

fn metric_line(m: &MetricResult) -> String {
    let what = if m.flag_column.is_some() {
        " invalid"
    } else {
        ""
    };
    let threshold = m
        .threshold
        .map(|t| format!("  (needs {})", t.describe()))
        .unwrap_or_default();
    format!(
        "{}: {}% ({} of {} rows{what}){threshold}",
        m.name,
        m.percentage.map_or("-".into(), fmt_pct),
        m.numerator,
        m.denominator
    )
}

/// (passed, failed, disabled) over rules, metrics and flags.
pub fn counts(ev: &Evaluation) -> (usize, usize, usize) {
    let statuses: Vec<Status> = ev
        .rules
        .iter()
        .map(|r| r.status)
        .chain(ev.metrics.iter().chain(&ev.flags).map(|m| m.status))
        .collect();
    let n = |s: Status| statuses.iter().filter(|x| **x == s).count();
    (n(Status::Succeeded), n(Status::Failed), n(Status::Disabled))
}

/// DataBrew's validation report, plus a `datacook` block with the metrics and flags.
pub fn json(
    ruleset: &Ruleset,
    ev: &Evaluation,
    location: &str,
    started: &str,
    written: &str,
) -> serde_json::Value {
    let rule_results: Vec<serde_json::Value> = ev
        .rules
        .iter()
        .map(|r| {
            let mut v = json!({
                "name": r.name,
                "definition": r.definition,
                "status": r.status,
            });
            if let Some(f) = r.failed_count() {
                v["failedCount"] = json!(f);
            }
            if r.columns.iter().any(|c| c.column.is_some()) {
                v["columnResults"] = json!(
                    r.columns
                        .iter()
                        .map(|c| json!({"name": c.column, "status": c.status}))
                        .collect::<Vec<_>>()
                );
            }
            v["datacook"] =
                json!({"measured": r.measured(), "threshold": r.threshold, "columns": r.columns});
            v
        })
        .collect();
    let status = Status::from_pass(ev.passed());
    json!({
        "sampleSize": ev.rows,
        "rulesetResults": [{
            "name": ruleset.name,
            "description": ruleset.description,
            "ruleResults": rule_results,
            "status": status,
        }],
        "jobName": "datacook check",
        "location": location,
        "startedOn": started,
        "writtenOn": written,
        "version": "1.0",
        "datacook": {
            "version": env!("CARGO_PKG_VERSION"),
            "rows": ev.rows,
            "passed": ev.passed(),
            "metrics": ev.metrics,
            "flags": ev.flags,
        }
    })
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one testcase per rule, metric and flag. Failures carry the measured value, the
/// threshold and a few failing rows; disabled rules are skipped.
pub fn junit(ruleset: &Ruleset, ev: &Evaluation, seconds: f64) -> String {
    let (passed, failed, skipped) = counts(ev);
    let tests = passed + failed + skipped;
    let suite = xml_escape(&ruleset.name);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"datacook check\" tests=\"{tests}\" failures=\"{failed}\" errors=\"0\" skipped=\"{skipped}\" time=\"{seconds:.3}\">\n"
    ));
    out.push_str(&format!(
        "  <testsuite name=\"{suite}\" tests=\"{tests}\" failures=\"{failed}\" errors=\"0\" skipped=\"{skipped}\" time=\"{seconds:.3}\">\n"
    ));
    for r in &ev.rules {
        out.push_str(&format!(
            "    <testcase classname=\"{suite}.rules\" name=\"{}\" time=\"0\">\n",
            xml_escape(&r.name)
        ));
        match r.status {
            Status::Disabled => out.push_str("      <skipped message=\"rule disabled\"/>\n"),
            Status::Failed => {
                let threshold = r
                    .threshold
                    .map(|t| format!(", needs {}", t.describe()))
                    .unwrap_or_default();
                let message = format!("{}{threshold}", r.measured());
                let mut body = format!("check: {}\nmeasured: {}\n", r.check, r.measured());
                if let Some(t) = r.threshold {
                    body.push_str(&format!("threshold: {}\n", t.describe()));
                }
                for c in &r.columns {
                    if !c.failing_rows.is_empty() {
                        body.push_str("failing rows:\n");
                        for row in &c.failing_rows {
                            body.push_str(&format!("  {row}\n"));
                        }
                    }
                }
                out.push_str(&format!(
                    "      <failure message=\"{}\" type=\"DataQualityRuleFailed\">{}</failure>\n",
                    xml_escape(&message),
                    xml_escape(&body)
                ));
            }
            Status::Succeeded => {}
        }
        out.push_str("    </testcase>\n");
    }
    for m in ev.metrics.iter().chain(&ev.flags) {
        let kind = if m.flag_column.is_some() {
            "flags"
        } else {
            "metrics"
        };
        out.push_str(&format!(
            "    <testcase classname=\"{suite}.{kind}\" name=\"{}\" time=\"0\">\n",
            xml_escape(&m.name)
        ));
        if m.status == Status::Failed {
            let line = metric_line(m);
            out.push_str(&format!(
                "      <failure message=\"{}\" type=\"DataQualityMetricFailed\">{}</failure>\n",
                xml_escape(&line),
                xml_escape(&line)
            ));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// A Markdown summary for a CI job's summary page.
pub fn markdown(ruleset: &Ruleset, ev: &Evaluation) -> String {
    let (passed, failed, skipped) = counts(ev);
    let verdict = if ev.passed() {
        "✅ passed"
    } else {
        "❌ failed"
    };
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = format!(
        "## Data quality: {}: {verdict}\n\n{passed} passed, {failed} failed, {skipped} disabled, over {} rows.\n\n",
        cell(&ruleset.name),
        ev.rows
    );
    if !ev.rules.is_empty() {
        out.push_str("| | rule | measured | threshold |\n|---|---|---|---|\n");
        for r in &ev.rules {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                r.status.word(),
                cell(&r.name),
                if r.status == Status::Disabled {
                    "disabled".into()
                } else {
                    cell(&r.measured())
                },
                r.threshold
                    .map(|t| t.describe())
                    .unwrap_or_else(|| "-".into())
            ));
        }
        out.push('\n');
    }
    if !ev.metrics.is_empty() || !ev.flags.is_empty() {
        out.push_str("| | metric | value | rows | threshold |\n|---|---|---|---|---|\n");
        for m in ev.metrics.iter().chain(&ev.flags) {
            out.push_str(&format!(
                "| {} | {} | {}% | {} / {} | {} |\n",
                m.status.word(),
                cell(&m.name),
                m.percentage.map_or("-".into(), fmt_pct),
                m.numerator,
                m.denominator,
                m.threshold
                    .map(|t| t.describe())
                    .unwrap_or_else(|| "-".into())
            ));
        }
    }
    out
}
