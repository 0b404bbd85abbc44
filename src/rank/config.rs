//! Strict reader for themes.toml: every key is checked, errors name the key path.
//!
//! The file is parsed into a generic TOML value first and walked by hand, so an
//! error reads like `themes.toml: themes[3].terms[2].w: must be between 0 and 5`.

use super::RulesError;
use toml::Value;
use toml::value::Table;

pub(crate) struct Ctx<'a> {
    pub origin: &'a str,
}

impl Ctx<'_> {
    pub fn err(&self, path: &str, msg: impl Into<String>) -> RulesError {
        RulesError {
            origin: self.origin.to_string(),
            path: path.to_string(),
            message: msg.into(),
        }
    }

    pub fn table<'v>(&self, v: &'v Value, path: &str) -> Result<&'v Table, RulesError> {
        v.as_table()
            .ok_or_else(|| self.err(path, "must be a table"))
    }

    pub fn check_keys(&self, t: &Table, path: &str, allowed: &[&str]) -> Result<(), RulesError> {
        for k in t.keys() {
            if !allowed.contains(&k.as_str()) {
                return Err(self.err(
                    &join(path, k),
                    format!("unknown key (allowed here: {})", allowed.join(", ")),
                ));
            }
        }
        Ok(())
    }

    pub fn req<'v>(&self, t: &'v Table, path: &str, key: &str) -> Result<&'v Value, RulesError> {
        t.get(key)
            .ok_or_else(|| self.err(&join(path, key), "is required but missing"))
    }

    pub fn string(&self, v: &Value, path: &str) -> Result<String, RulesError> {
        v.as_str()
            .map(|s| s.to_string())
            .ok_or_else(|| self.err(path, "must be a text string"))
    }

    pub fn nonempty_string(&self, v: &Value, path: &str) -> Result<String, RulesError> {
        let s = self.string(v, path)?;
        if s.trim().is_empty() {
            return Err(self.err(path, "must not be empty"));
        }
        Ok(s)
    }

    pub fn number(&self, v: &Value, path: &str, lo: f64, hi: f64) -> Result<f32, RulesError> {
        let x = match v {
            Value::Integer(i) => *i as f64,
            Value::Float(f) => *f,
            _ => return Err(self.err(path, format!("must be a number between {lo} and {hi}"))),
        };
        if !(lo..=hi).contains(&x) || x.is_nan() {
            return Err(self.err(path, format!("must be between {lo} and {hi}")));
        }
        Ok(x as f32)
    }

    pub fn opt_number(
        &self,
        t: &Table,
        path: &str,
        key: &str,
        lo: f64,
        hi: f64,
        default: f32,
    ) -> Result<f32, RulesError> {
        match t.get(key) {
            Some(v) => self.number(v, &join(path, key), lo, hi),
            None => Ok(default),
        }
    }

    pub fn boolean(&self, v: &Value, path: &str) -> Result<bool, RulesError> {
        v.as_bool()
            .ok_or_else(|| self.err(path, "must be true or false"))
    }

    pub fn array<'v>(&self, v: &'v Value, path: &str) -> Result<&'v Vec<Value>, RulesError> {
        v.as_array()
            .ok_or_else(|| self.err(path, "must be a list [ ... ]"))
    }

    pub fn strings(&self, v: &Value, path: &str) -> Result<Vec<String>, RulesError> {
        let a = self.array(v, path)?;
        a.iter()
            .enumerate()
            .map(|(i, x)| self.nonempty_string(x, &format!("{path}[{i}]")))
            .collect()
    }
}

pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

pub fn parse(text: &str, ctx: &Ctx) -> Result<Value, RulesError> {
    toml::from_str::<Value>(text).map_err(|e| {
        let msg = e.message().to_string();
        let loc = e
            .span()
            .map(|s| {
                let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                format!(" (line {line})")
            })
            .unwrap_or_default();
        ctx.err("", format!("not valid TOML{loc}: {msg}"))
    })
}
