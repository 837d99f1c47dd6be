//! The self-contained HTML profile report: no network, no external assets. Charts are inline
//! SVG: per-column value histograms and z-score distributions, top values, missing-value bars,
//! and the correlation matrix as a heatmap. A few lines of script only mark the page rendered
//! (and record any error), so a headless browser can check it.

use serde_json::Value as Json;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn show(v: &Json) -> String {
    esc(&crate::display::value(v, 4, "–"))
}

/// Vertical bars for `[{bucket: [lo, hi], count}]`.
fn histogram(buckets: &[Json], title: &str) -> String {
    let counts: Vec<f64> = buckets
        .iter()
        .map(|b| b["count"].as_f64().unwrap_or(0.0))
        .collect();
    let max = counts.iter().cloned().fold(0.0, f64::max).max(1.0);
    let (w, h) = (320.0, 110.0);
    let bw = w / counts.len().max(1) as f64;
    let mut bars = String::new();
    for (i, (b, c)) in buckets.iter().zip(&counts).enumerate() {
        let bh = c / max * (h - 10.0);
        let lo = show(&b["bucket"][0]);
        let hi = show(&b["bucket"][1]);
        bars.push_str(&format!(
            "<rect class=\"bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"><title>[{lo}, {hi}): {c}</title></rect>",
            i as f64 * bw + 1.0,
            h - bh,
            (bw - 2.0).max(1.0),
            bh
        ));
    }
    format!(
        "<figure><svg class=\"chart histogram\" role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\">{bars}<line x1=\"0\" y1=\"{h}\" x2=\"{w}\" y2=\"{h}\" class=\"axis\"/></svg><figcaption>{t}</figcaption></figure>",
        t = esc(title)
    )
}

/// Horizontal bars for `[{value, count}]`.
fn top_values(values: &[Json], rows: f64) -> String {
    let shown: Vec<&Json> = values.iter().take(10).collect();
    if shown.is_empty() {
        return String::new();
    }
    let max = shown
        .iter()
        .filter_map(|v| v["count"].as_f64())
        .fold(0.0, f64::max)
        .max(1.0);
    let row_h = 18.0;
    let h = row_h * shown.len() as f64;
    let mut body = String::new();
    for (i, v) in shown.iter().enumerate() {
        let c = v["count"].as_f64().unwrap_or(0.0);
        let y = i as f64 * row_h;
        let pct = if rows > 0.0 { c * 100.0 / rows } else { 0.0 };
        body.push_str(&format!(
            "<text x=\"0\" y=\"{:.1}\" class=\"label\">{}</text><rect class=\"bar\" x=\"120\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"><title>{c} rows ({pct:.1}%)</title></rect><text x=\"{:.1}\" y=\"{:.1}\" class=\"label\">{c}</text>",
            y + 13.0,
            truncate(&show(&v["value"]), 16),
            y + 3.0,
            c / max * 160.0,
            row_h - 6.0,
            126.0 + c / max * 160.0,
            y + 13.0
        ));
    }
    format!(
        "<figure><svg class=\"chart top-values\" role=\"img\" aria-label=\"top values\" viewBox=\"0 0 330 {h}\" width=\"330\" height=\"{h}\">{body}</svg><figcaption>Top values</figcaption></figure>"
    )
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// A one-line bar: the share of missing values.
fn missing_bar(missing: f64, rows: f64) -> String {
    let pct = if rows > 0.0 {
        missing * 100.0 / rows
    } else {
        0.0
    };
    format!(
        "<svg class=\"chart missing\" role=\"img\" aria-label=\"missing values\" viewBox=\"0 0 100 8\" width=\"100\" height=\"8\"><rect class=\"present\" x=\"0\" y=\"0\" width=\"100\" height=\"8\"/><rect class=\"absent\" x=\"0\" y=\"0\" width=\"{pct:.2}\" height=\"8\"><title>{missing} missing ({pct:.2}%)</title></rect></svg> {pct:.2}%"
    )
}

/// The correlation matrix as a heatmap: blue positive, red negative.
fn heatmap(columns: &[Json]) -> String {
    let with: Vec<&Json> = columns
        .iter()
        .filter(|c| c["correlations"].is_object())
        .collect();
    if with.len() < 2 {
        return String::new();
    }
    let names: Vec<String> = with
        .iter()
        .map(|c| c["name"].as_str().unwrap_or("").to_string())
        .collect();
    let cell = 34.0;
    let left = 120.0;
    let top = 100.0;
    let size = names.len() as f64 * cell;
    let mut body = String::new();
    for (i, c) in with.iter().enumerate() {
        body.push_str(&format!(
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left - 4.0,
            top + i as f64 * cell + cell / 2.0 + 4.0,
            esc(&truncate(&names[i], 16))
        ));
        body.push_str(&format!(
            "<text class=\"label\" transform=\"translate({:.1},{:.1}) rotate(-45)\">{}</text>",
            left + i as f64 * cell + cell / 2.0,
            top - 6.0,
            esc(&truncate(&names[i], 16))
        ));
        for (j, other) in names.iter().enumerate() {
            let r = c["correlations"][other].as_f64();
            let fill = match r {
                Some(r) if r >= 0.0 => format!("rgb({0},{0},255)", (255.0 * (1.0 - r)).round()),
                Some(r) => format!("rgb(255,{0},{0})", (255.0 * (1.0 + r)).round()),
                None => "#ddd".into(),
            };
            body.push_str(&format!(
                "<rect class=\"cell\" x=\"{:.1}\" y=\"{:.1}\" width=\"{cell}\" height=\"{cell}\" fill=\"{fill}\"><title>{} × {}: {}</title></rect>",
                left + j as f64 * cell,
                top + i as f64 * cell,
                esc(&names[i]),
                esc(other),
                r.map_or("–".into(), |r| format!("{r:.3}"))
            ));
        }
    }
    let (w, h) = (left + size + 10.0, top + size + 10.0);
    format!(
        "<section id=\"correlations\"><h2>Correlations</h2><svg class=\"chart heatmap\" role=\"img\" aria-label=\"correlation matrix\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\">{body}</svg></section>"
    )
}

const STATS: &[(&str, &str)] = &[
    ("distinctValuesCount", "distinct"),
    ("uniqueValuesCount", "unique"),
    ("missingValuesCount", "missing"),
    ("entropy", "entropy"),
    ("min", "min"),
    ("max", "max"),
    ("mean", "mean"),
    ("median", "median"),
    ("mode", "mode"),
    ("standardDeviation", "standard deviation"),
    ("variance", "variance"),
    ("sum", "sum"),
    ("range", "range"),
    ("percentile5", "5th percentile"),
    ("percentile25", "25th percentile"),
    ("percentile75", "75th percentile"),
    ("percentile95", "95th percentile"),
    ("interquartileRange", "interquartile range"),
    ("medianAbsoluteDeviation", "median absolute deviation"),
    ("skewness", "skewness"),
    ("kurtosis", "kurtosis (excess)"),
    ("zerosCount", "zeros"),
    ("zScoreOutliersCount", "z-score outliers"),
];

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}\
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left;border-bottom:1px solid #eee}\
td.num{text-align:right;font-variant-numeric:tabular-nums}.cols{display:flex;flex-wrap:wrap;gap:2em}\
.bar{fill:#4a78c2}.axis{stroke:#888}.present{fill:#cfe0f7}.absent{fill:#d9534f}.label{font-size:11px;fill:#333}\
figure{margin:0}figcaption{font-size:12px;color:#555}code{background:#f4f4f4;padding:0 3px}";

/// The whole report for a profile (as [`super::profile`] produces it).
pub fn report(profile: &Json, title: &str) -> String {
    let rows = profile["sampleSize"].as_f64().unwrap_or(0.0);
    let columns: Vec<Json> = profile["columns"].as_array().cloned().unwrap_or_default();
    let mut overview = String::from(
        "<table id=\"overview\"><tr><th>column</th><th>type</th><th>missing</th><th>distinct</th><th>min</th><th>mean</th><th>max</th><th>outliers</th></tr>",
    );
    let mut sections = String::new();
    for (i, c) in columns.iter().enumerate() {
        let name = c["name"].as_str().unwrap_or("");
        overview.push_str(&format!(
            "<tr><td><a href=\"#col{i}\">{}</a></td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(name),
            show(&c["type"]),
            missing_bar(c["missingValuesCount"].as_f64().unwrap_or(0.0), rows),
            show(&c["distinctValuesCount"]),
            show(&c["min"]),
            show(&c["mean"]),
            show(&c["max"]),
            show(&c["zScoreOutliersCount"]),
        ));
        let mut table = String::from("<table class=\"stats\">");
        for (k, label) in STATS {
            if c.get(*k).is_some() {
                table.push_str(&format!(
                    "<tr><th>{label}</th><td class=\"num\">{}</td></tr>",
                    show(&c[*k])
                ));
            }
        }
        table.push_str("</table>");
        let measured_on = if c["type"] == "string" {
            " (lengths)"
        } else {
            ""
        };
        let mut charts = String::new();
        if let Some(b) = c["valueDistribution"].as_array() {
            charts.push_str(&histogram(b, &format!("Value distribution{measured_on}")));
        }
        if let Some(b) = c["zScoreDistribution"].as_array() {
            charts.push_str(&histogram(b, "Z-score distribution"));
        }
        if let Some(v) = c["mostCommonValues"].as_array() {
            charts.push_str(&top_values(v, rows));
        }
        sections.push_str(&format!(
            "<section class=\"column\" id=\"col{i}\"><h2>{} <small>{}</small></h2><p>Missing: {}</p><div class=\"cols\">{table}<div>{charts}</div></div></section>",
            esc(name),
            show(&c["type"]),
            missing_bar(c["missingValuesCount"].as_f64().unwrap_or(0.0), rows)
        ));
    }
    overview.push_str("</table>");
    let duplicates = show(&profile["duplicateRowsCount"]);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{t}</title><style>{STYLE}</style>\
<script>window.addEventListener('error',function(e){{document.documentElement.setAttribute('data-errors',String(e.message));}});</script></head>\
<body><h1>{t}</h1><p>{rows} rows · {n} columns profiled · {duplicates} duplicate rows · datacook {v}</p>\
<h2>Overview</h2>{overview}{heat}{sections}\
<script>document.body.setAttribute('data-charts',String(document.querySelectorAll('svg.chart').length));document.body.setAttribute('data-rendered','ok');</script>\
</body></html>\n",
        t = esc(title),
        n = columns.len(),
        v = env!("CARGO_PKG_VERSION"),
        heat = heatmap(&columns),
    )
}
