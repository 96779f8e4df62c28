//! What an administrator types, checked once for the three powers: names, e-mail addresses,
//! identifiants, operator names and habilitation end dates. Refused input names the field,
//! in French, and never echoes more than a few characters of it.

use chrono::{DateTime, NaiveDate, Utc};
use guichet_core::policy::hours::paris_to_utc;
use guichet_core::service_def::ServiceDef;

use crate::auth::normalize_identifiant;
use crate::error::{Result, ServiceError};

/// The longest a temporary habilitation may run (CDAP T16, seed 003: "mis temporairement à
/// disposition"): one year, after which it is granted again if still needed.
pub(crate) const TEMPORARY_MAX_DAYS: i64 = 366;

/// The furthest end date any habilitation may be given: the yearly review and the
/// six-year keeping of habilitation records assume dates within reach.
pub(crate) const END_DATE_MAX_DAYS: i64 = 5 * 366;

/// Characters that change how text around them is shown without being seen: bidirectional
/// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069, the marks U+200E,
/// U+200F and U+061C), the zero-width space (the joiners U+200C and U+200D stay: emoji
/// sequences and some scripts need them), word joiners and
/// invisible operators, the byte-order mark, interlinear annotations. A name holding one can
/// read as another name on a screen or in a trace ("Trojan Source").
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}' | '\u{200E}' | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}')
}

/// A free-text field: trimmed, 1 to `max` characters, none of them a control or an
/// invisible formatting character (issue 22: a right-to-left override in a display name).
pub(crate) fn text(field: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty()
        || v.chars().count() > max
        || v.chars().any(|c| c.is_control() || is_invisible_format(c))
    {
        return Err(ServiceError::InvalidInput(format!(
            "{field} : de 1 à {max} caractères imprimables"
        )));
    }
    Ok(v.to_owned())
}

/// what someone is told of a user's state they may not lift; `who` names
/// who set it and who alone lifts it ("la caisse : seule la caisse peut").
pub(crate) fn caisse_state_refusal(status: guichet_store::UserStatus, who: &str) -> ServiceError {
    let state = match status {
        guichet_store::UserStatus::Deactivated => "désactivé",
        _ => "suspendu",
    };
    ServiceError::OutsideConvention(format!("ce compte a été {state} par {who} le rétablir"))
}

/// An identifiant typed by the caisse, as stored (see [`normalize_identifiant`]).
pub(crate) fn identifiant_field(identifiant: &str) -> Result<String> {
    normalize_identifiant(identifiant).ok_or_else(|| {
        ServiceError::InvalidInput("identifiant : 1 à 64 caractères parmi a-z 0-9 . _ - @".into())
    })
}

/// A new account's name and e-mail address, checked and trimmed.
pub(crate) fn person_fields(display_name: &str, email: &str) -> Result<(String, String)> {
    let display_name = text("nom", display_name, 200)?;
    let email = text("courriel", email, 200)?;
    if !email.contains('@') || email.chars().any(char::is_whitespace) {
        return Err(ServiceError::InvalidInput(
            "courriel : une adresse sans espace, avec @".into(),
        ));
    }
    Ok((display_name, email))
}

/// An operator's name as traces keep it: 1 to 64 printable characters.
pub(crate) fn operator_name(name: &str) -> Result<String> {
    text("nom de l'opérateur", name, 64)
}

/// A habilitation's last day: not past; within [`END_DATE_MAX_DAYS`]; for a temporary
/// profile (CDAP T16) compulsory and within [`TEMPORARY_MAX_DAYS`].
pub(crate) fn check_end_date(
    service: &ServiceDef,
    ends_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<()> {
    let max = if service.rules.temporary {
        TEMPORARY_MAX_DAYS
    } else {
        END_DATE_MAX_DAYS
    };
    match ends_on {
        Some(day) if day < today => Err(ServiceError::InvalidInput(
            "la date de fin est passée".into(),
        )),
        Some(day) if (day - today).num_days() > max => Err(ServiceError::InvalidInput(format!(
            "la date de fin est trop lointaine (au plus {max} jours pour le service {})",
            service.code
        ))),
        None if service.rules.temporary => Err(ServiceError::EndDateRequired {
            service: service.code.clone(),
        }),
        _ => Ok(()),
    }
}

/// the départements a habilitation is narrowed to, checked against its convention's
/// (a subset of them, at least one), sorted and without repeats; `None`: all of them.
pub(crate) fn narrowed_departements(
    convention: &guichet_store::Convention,
    only: Option<&[String]>,
) -> Result<Option<Vec<String>>> {
    let Some(only) = only else {
        return Ok(None);
    };
    if only.is_empty() {
        return Err(ServiceError::InvalidInput(
            "au moins un département, ou aucun pour tous ceux de la convention".into(),
        ));
    }
    if let Some(d) = only.iter().find(|d| !convention.departements.contains(d)) {
        return Err(ServiceError::OutsideConvention(format!(
            "le département {} n'est pas couvert par la convention du service {}",
            excerpt(d),
            convention.service
        )));
    }
    let mut only = only.to_vec();
    only.sort();
    only.dedup();
    Ok(Some(only))
}

/// The head of a value echoed in an error message (a département, a service code): never
/// more than a few characters of what someone typed.
pub(crate) fn excerpt(value: &str) -> String {
    value.chars().take(12).collect()
}

/// The instant a habilitation ending on `day` (Paris) stops: the next midnight.
pub(crate) fn end_of(day: NaiveDate) -> DateTime<Utc> {
    let next = day.succ_opt().unwrap_or(day);
    paris_to_utc(next.and_hms_opt(0, 0, 0).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue22_bidi_and_invisible_characters_are_refused_in_names() {
        for bad in [
            "Alice\u{202E}gnp.exe",
            "\u{2066}Bob\u{2069}",
            "Zoé\u{200B}",
            "\u{FEFF}Nom",
            "a\u{200F}b",
            "tab\there",
        ] {
            assert!(text("nom", bad, 200).is_err(), "{bad:?}");
        }
        for good in ["Zoé N'Diaye-Léger", "李小龙", "Ægir Œuvre", "Émilie 👩‍👧"] {
            assert_eq!(text("nom", good, 200).unwrap(), good);
        }
    }
}
