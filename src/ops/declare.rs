//! Declaring an operation's parameters once.
//!
//! [`params!`] turns one list of `field: Type = ParamSpec` lines into the typed struct the
//! operation reads and the `SPECS` slice that drives parsing, validation, defaults, `datacook
//! ops` and the recipe JSON Schema. A default is written once, in its `ParamSpec::def`, as
//! DataBrew would write it; the planner fills it in (parsed like a value from a recipe) before
//! the operation is built, so the struct never repeats it.

use crate::recipe::params::{Params, Value};

/// Reads one typed parameter from a step's [`Params`]. Required parameters and parameters with
/// a default are always present when an operation is built (the planner checks the first and
/// fills in the second), so reading them cannot fail; optional ones read as `Option`.
pub trait FromParam: Sized {
    fn from_param(p: &Params, name: &str) -> Self;
}

impl FromParam for String {
    fn from_param(p: &Params, name: &str) -> Self {
        p.text(name).unwrap_or_default()
    }
}

impl FromParam for bool {
    fn from_param(p: &Params, name: &str) -> Self {
        p.bool_or(name, false)
    }
}

impl FromParam for f64 {
    fn from_param(p: &Params, name: &str) -> Self {
        p.number(name).unwrap_or_default()
    }
}

impl FromParam for i64 {
    fn from_param(p: &Params, name: &str) -> Self {
        p.integer(name).unwrap_or_default()
    }
}

impl FromParam for Vec<String> {
    fn from_param(p: &Params, name: &str) -> Self {
        p.list(name).unwrap_or_default()
    }
}

impl FromParam for Vec<(String, String)> {
    fn from_param(p: &Params, name: &str) -> Self {
        p.map(name).unwrap_or_default()
    }
}

impl FromParam for serde_json::Value {
    fn from_param(p: &Params, name: &str) -> Self {
        p.json(name).cloned().unwrap_or_default()
    }
}

/// An optional parameter; a JSON `null` reads as not given.
impl<T: FromParam> FromParam for Option<T> {
    fn from_param(p: &Params, name: &str) -> Self {
        match p.get(name) {
            None | Some(Value::Json(serde_json::Value::Null)) => None,
            Some(_) => Some(T::from_param(p, name)),
        }
    }
}

/// Declare an operation's parameters: a struct with one public field per parameter, and
/// `SPECS`, the declarations in order.
///
/// ```ignore
/// params! {
///     pub struct Log {
///         source: String = p::SOURCE_COLUMN,
///         base: f64 = ParamSpec::def("base", ParamKind::Number, "10", "Logarithm base."),
///     }
/// }
/// ```
macro_rules! params {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $field:ident : $ty:ty = $spec:expr ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        // A shape may read a declared parameter itself (the target column, an operand).
        #[allow(dead_code)]
        $vis struct $name {
            $( pub $field: $ty, )*
        }

        impl $name {
            pub const SPECS: &'static [$crate::recipe::params::ParamSpec] = &[ $( $spec ),* ];

            // Some declarations only state what a step accepts; a shared struct reads it.
            #[allow(dead_code)]
            pub fn read(p: &$crate::recipe::params::Params) -> Self {
                $name {
                    $( $field: {
                        const SPEC: $crate::recipe::params::ParamSpec = $spec;
                        $crate::ops::declare::FromParam::from_param(p, SPEC.name)
                    }, )*
                }
            }
        }
    };
}

pub(crate) use params;
