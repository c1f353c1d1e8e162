//! The metric names a Grafana dashboard queries, to measure how many of them
//! Prometheus really has (`coverage`).
//!
//! A query is PromQL with Grafana's template variables in it (`$__rate_interval`,
//! `$instance`, `${var}`, `[[var]]`…): they are first replaced by sample values
//! (a duration inside `[…]` and after `offset`, a number elsewhere; strings
//! are left alone), then the text is parsed by `promql-parser` and the names
//! of its selectors are collected from the tree. A query that still does not
//! parse (a function newer than the parser, an operator Prometheus would
//! refuse) is read with the same crate's lexer: every identifier outside label
//! matchers and label lists that does not call a function.
//! Templating queries (`label_values(…)`, `query_result(…)`) keep only their
//! series.

use std::collections::BTreeSet;

use lrpar::{Lexeme, Lexer, NonStreamingLexer};
use promql_parser::parser::token::{
    T_BY, T_GROUP_LEFT, T_GROUP_RIGHT, T_IDENTIFIER, T_IGNORING, T_LEFT_BRACE, T_LEFT_PAREN,
    T_METRIC_IDENTIFIER, T_ON, T_RIGHT_BRACE, T_RIGHT_PAREN, T_WITHOUT, TokenId,
};
use promql_parser::parser::{Expr, VectorSelector};
use serde_json::Value;

/// The sample duration put in place of a variable inside `[…]` or after
/// `offset` (`$__rate_interval`, `$__interval`, `$__range`…).
const SAMPLE_DURATION: &str = "5m";

/// The sample value put in place of any other variable (`topk($n, …)`,
/// `/ $__range_s`).
const SAMPLE_NUMBER: &str = "1";

/// The metric names a PromQL expression reads: functions, keywords, label
/// names and matchers, strings, durations, numbers and Grafana variables
/// (`$x`, `${x}`) are not metric names.
pub fn promql_metric_names(expr: &str) -> BTreeSet<String> {
    let expr = substitute_variables(expr);
    let mut out = BTreeSet::new();
    match promql_parser::parser::parse(&expr) {
        Ok(tree) => collect_selectors(&tree, &mut out),
        Err(_) => collect_lexed(&expr, &mut out),
    }
    out
}

/// Metric names of a Grafana query string: PromQL, or a templating query
/// (`label_values(metric, label)`, `query_result(promql)`, `metrics(re)`…).
pub fn query_metric_names(q: &str) -> BTreeSet<String> {
    let t = q.trim();
    let inner = |prefix: &str| -> Option<&str> {
        t.strip_prefix(prefix)
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix('('))
            .and_then(|r| r.strip_suffix(')'))
    };
    if let Some(args) = inner("label_values") {
        // label_values(label) or label_values(series, label): only a series names metrics.
        return match last_top_level_comma(args) {
            Some(split) => promql_metric_names(&args[..split]),
            None => BTreeSet::new(),
        };
    }
    if let Some(args) = inner("query_result") {
        return promql_metric_names(args);
    }
    if inner("metrics").is_some() || inner("label_names").is_some() {
        return BTreeSet::new();
    }
    promql_metric_names(t)
}

/// Every metric name the dashboard queries (panels, targets, templating).
pub fn dashboard_metric_names(dash: &Value) -> BTreeSet<String> {
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("expr" | "query", Value::String(s)) => out.extend(query_metric_names(s)),
                        _ => walk(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(dash, &mut out);
    out
}

// ---------------------------------------------------------------- Grafana variables

/// `expr` with every Grafana variable outside strings and comments replaced
/// by a sample value: [`SAMPLE_DURATION`] inside `[…]` and after `offset`,
/// [`SAMPLE_NUMBER`] elsewhere.
pub fn substitute_variables(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut rest = expr;
    let mut brackets = 0usize;
    while let Some(c) = rest.chars().next() {
        if let Some(len) = variable_len(rest) {
            let duration = brackets > 0 || last_word(&out) == "offset";
            out.push_str(if duration {
                SAMPLE_DURATION
            } else {
                SAMPLE_NUMBER
            });
            rest = &rest[len..];
            continue;
        }
        let len = match c {
            '"' | '\'' | '`' => string_len(rest),
            '#' => rest.find('\n').unwrap_or(rest.len()),
            '[' => {
                brackets += 1;
                1
            }
            ']' => {
                brackets = brackets.saturating_sub(1);
                1
            }
            _ => c.len_utf8(),
        };
        out.push_str(&rest[..len]);
        rest = &rest[len..];
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The length of the Grafana variable `s` starts with: `$name`, `${…}` or
/// `[[name]]` / `[[name:format]]`.
fn variable_len(s: &str) -> Option<usize> {
    if let Some(r) = s.strip_prefix("${") {
        return r.find('}').filter(|&end| end > 0).map(|end| end + 3);
    }
    if let Some(r) = s.strip_prefix('$') {
        let name = r.find(|c| !is_word(c)).unwrap_or(r.len());
        return (name > 0).then_some(name + 1);
    }
    let r = s.strip_prefix("[[")?;
    let end = r.find("]]")?;
    let (name, format) = r[..end].split_once(':').unwrap_or((&r[..end], "x"));
    let valid = |w: &str| !w.is_empty() && w.chars().all(is_word);
    (valid(name) && valid(format)).then_some(end + 4)
}

/// The length of the quoted string `s` starts with (to its end when unclosed).
fn string_len(s: &str) -> usize {
    let quote = s.chars().next().unwrap_or('"');
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        if escaped {
            escaped = false;
        } else if c == '\\' && quote != '`' {
            escaped = true;
        } else if c == quote {
            return i + 1;
        }
    }
    s.len()
}

/// The last word of `text`, e.g. `offset` in `x offset `.
fn last_word(text: &str) -> &str {
    let t = text.trim_end();
    let start = t.rfind(|c| !is_word(c)).map_or(0, |i| i + 1);
    &t[start..]
}

/// The byte index of the last comma outside strings and brackets.
fn last_top_level_comma(args: &str) -> Option<usize> {
    let mut depth = 0i32;
    let mut split = None;
    let mut i = 0;
    while let Some(c) = args[i..].chars().next() {
        match c {
            '"' | '\'' | '`' => {
                i += string_len(&args[i..]);
                continue;
            }
            '{' | '(' | '[' => depth += 1,
            '}' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => split = Some(i),
            _ => {}
        }
        i += c.len_utf8();
    }
    split
}

// ---------------------------------------------------------------- names

/// Adds the metric names of every selector in `expr`.
fn collect_selectors(expr: &Expr, out: &mut BTreeSet<String>) {
    let mut selector = |vs: &VectorSelector| {
        if let Some(name) = &vs.name {
            out.insert(name.clone());
        }
    };
    match expr {
        Expr::VectorSelector(vs) => selector(vs),
        Expr::MatrixSelector(m) => selector(&m.vs),
        Expr::Aggregate(a) => {
            collect_selectors(&a.expr, out);
            if let Some(p) = &a.param {
                collect_selectors(p, out);
            }
        }
        Expr::Unary(u) => collect_selectors(&u.expr, out),
        Expr::Binary(b) => {
            collect_selectors(&b.lhs, out);
            collect_selectors(&b.rhs, out);
        }
        Expr::Paren(p) => collect_selectors(&p.expr, out),
        Expr::Subquery(s) => collect_selectors(&s.expr, out),
        Expr::Call(c) => c.args.args.iter().for_each(|a| collect_selectors(a, out)),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
    }
}

/// For text the parser refuses: every identifier of the lexer's tokens that
/// is not a function call, a label of a matcher (`{…}`) or of a label list
/// (`by (…)`, `on (…)`…).
fn collect_lexed(expr: &str, out: &mut BTreeSet<String>) {
    const LABEL_LISTS: [TokenId; 6] = [
        T_BY,
        T_WITHOUT,
        T_ON,
        T_IGNORING,
        T_GROUP_LEFT,
        T_GROUP_RIGHT,
    ];
    let Ok(lexer) = promql_parser::parser::lexer(expr) else {
        return;
    };
    let tokens: Vec<(TokenId, &str)> = lexer
        .iter()
        .filter_map(Result::ok)
        .map(|t| (t.tok_id(), lexer.span_str(t.span())))
        .collect();
    let mut braces = 0usize;
    let mut i = 0;
    while let Some(&(tok, text)) = tokens.get(i) {
        let next = tokens.get(i + 1).map(|t| t.0);
        match tok {
            T_LEFT_BRACE => braces += 1,
            T_RIGHT_BRACE => braces = braces.saturating_sub(1),
            t if LABEL_LISTS.contains(&t) && next == Some(T_LEFT_PAREN) => {
                // Skip to the closing parenthesis of the label list.
                while tokens.get(i).is_some_and(|t| t.0 != T_RIGHT_PAREN) {
                    i += 1;
                }
            }
            T_IDENTIFIER | T_METRIC_IDENTIFIER if braces == 0 && next != Some(T_LEFT_PAREN) => {
                out.insert(text.to_string());
            }
            _ => {}
        }
        i += 1;
    }
}

/// Known and missing names among `wanted`, and the known share in percent.
pub fn coverage(wanted: &BTreeSet<String>, known: &[String]) -> (Vec<String>, Vec<String>, f64) {
    let known: BTreeSet<&str> = known.iter().map(String::as_str).collect();
    let (have, miss): (Vec<String>, Vec<String>) = wanted
        .iter()
        .cloned()
        .partition(|n| known.contains(n.as_str()));
    let pct = if wanted.is_empty() {
        0.0
    } else {
        have.len() as f64 * 100.0 / wanted.len() as f64
    };
    (have, miss, pct)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(expr: &str) -> Vec<String> {
        promql_metric_names(expr).into_iter().collect()
    }

    #[test]
    fn extracts_metric_names_from_promql() {
        assert_eq!(
            names(
                r#"sum by (name) (rate(container_cpu_usage_seconds_total{name!="",image=~"a.*"}[1m])) * 100"#
            ),
            vec!["container_cpu_usage_seconds_total"]
        );
        assert_eq!(
            names(
                r#"sum(rate(container_cpu_usage_seconds_total{instance=~"$host",name=~"$container",name=~".+"}[5m])) by (name) *100"#
            ),
            vec!["container_cpu_usage_seconds_total"]
        );
        assert_eq!(
            names("(time() - container_start_time_seconds{name=~\"$container\"})/86400"),
            vec!["container_start_time_seconds"]
        );
        assert_eq!(
            names("sum(flyte:admin:admin:database:executions:get_ms) by (quantile)"),
            vec!["flyte:admin:admin:database:executions:get_ms"]
        );
        assert_eq!(
            names("a / on(instance) group_left(job) b offset 5m and bool c > 1e3"),
            vec!["a", "b", "c"]
        );
        assert_eq!(
            names("histogram_quantile(0.9, sum by(le) (rate(x_bucket[$__rate_interval])))"),
            vec!["x_bucket"]
        );
        assert_eq!(
            names(r#"label_replace(up, "dst", "$1", "src", "(.*)")"#),
            vec!["up"]
        );
    }

    #[test]
    fn templating_queries_keep_only_series() {
        let n = |q: &str| query_metric_names(q).into_iter().collect::<Vec<_>>();
        assert!(n(r#"label_values({__name__=~"container.*"},instance)"#).is_empty());
        assert_eq!(
            n("label_values(container_last_seen, name)"),
            vec!["container_last_seen"]
        );
        assert!(n("label_values(job)").is_empty());
        assert_eq!(n("query_result(topk(5, up))"), vec!["up"]);
    }

    #[test]
    fn grafana_variables_get_sample_values_outside_strings() {
        assert_eq!(
            substitute_variables(
                r#"rate(x{a=~"$host"}[$__rate_interval]) offset $shift / $__range_s"#
            ),
            r#"rate(x{a=~"$host"}[5m]) offset 5m / 1"#
        );
        assert_eq!(
            substitute_variables("x[${interval:text}:[[step]]] * topk([[n]], y)"),
            "x[5m:5m] * topk(1, y)"
        );
        assert_eq!(
            names("sum(increase(a_total[$__range])) / $__range_s + topk($n, b{c=\"$d\"})"),
            vec!["a_total", "b"]
        );
        assert_eq!(names("rate(x[[[interval]]])"), vec!["x"]);
    }

    #[test]
    fn what_the_parser_refuses_is_read_from_the_tokens() {
        // A function the parser does not know, and a variable as a metric name.
        assert_eq!(
            names("not_a_function(a{job=\"x\"}) + sum by (le) (b)"),
            vec!["a", "b"]
        );
        assert_eq!(names("$metric{job=\"x\"} + c"), vec!["c"]);
        assert!(names("# rien").is_empty());
        assert!(names("").is_empty());
    }
}
