//! DataBrew operations datacook lists but does not run: those that need AWS or a console
//! session, with the reason.

use super::OpSpec;

pub static SPECS: &[OpSpec] = &[
    OpSpec::unsupported(
        "ENCRYPT",
        "pii",
        "encrypts through AWS KMS (the AWS Encryption SDK with a KMS key), which a local engine cannot reach; use DETERMINISTIC_ENCRYPT with a local key",
    ),
    OpSpec::unsupported(
        "DECRYPT",
        "pii",
        "decrypts through AWS KMS, which a local engine cannot reach; use DETERMINISTIC_DECRYPT with a local key",
    ),
    OpSpec::unsupported(
        "GET_ADVANCED_DATATYPE",
        "advanced data types",
        "detects advanced data types interactively in a DataBrew project session; a batch recipe has no session",
    ),
    OpSpec::unsupported(
        "EXTRACT_ADVANCED_DATATYPE_DETAILS",
        "advanced data types",
        "needs AWS reference data (area codes, zip-code time zones, card networks) that is not public",
    ),
    OpSpec::unsupported(
        "ADVANCED_DATATYPE_FILTER",
        "filtering rows",
        "filters on advanced-type details computed from AWS reference data that is not public",
    ),
    OpSpec::unsupported(
        "ADVANCED_DATATYPE_FLAG",
        "flags",
        "flags on advanced-type details computed from AWS reference data that is not public",
    ),
    OpSpec::unsupported(
        "UNNEST_SPECIFIC_KEY",
        "nest and unnest",
        "DataBrew's console writes it but its parameters are documented nowhere; take one key with EXTRACT_VALUE (`col`.`key`) or all of them with UNNEST_STRUCT",
    ),
    OpSpec::unsupported(
        "GET_STEP_DATAFRAME",
        "other",
        "interactive only: it shows a step's data in a DataBrew project session",
    ),
    OpSpec::unsupported(
        "GET_ACTION_RESULT",
        "other",
        "interactive only: it fetches an action's result in a DataBrew project session",
    ),
];
