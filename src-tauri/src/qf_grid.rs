//! R-32: a municipality's own tariff grid of quotient familial brackets, set in the machine
//! policy (IT) or in a connection profile (the user). The grid stays on the workstation: the
//! UI names the bracket the family's QF falls in; nothing of it is sent to a server.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::DesktopError;

/// One bracket: QF from `from` to `to` euros (both included; `to` absent: no upper bound),
/// its label and, optionally, the price the municipality charges in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct QfBracket {
    pub label: String,
    pub from: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "number | null", optional = nullable)]
    pub price_cents: Option<i64>,
}

/// The most brackets a grid may have.
pub const MAX_BRACKETS: usize = 40;

/// Checks a grid: 1 to 60 printable characters per label, bounds in order, brackets sorted
/// and not overlapping, prices from 0 to 10,000 €. French message on failure.
pub fn validate(grid: &[QfBracket]) -> Result<(), DesktopError> {
    let refuse = |why: String| Err(DesktopError::QfGridInvalid(why));
    if grid.len() > MAX_BRACKETS {
        return refuse(format!("{MAX_BRACKETS} tranches au plus"));
    }
    for (i, b) in grid.iter().enumerate() {
        let n = i + 1;
        let label = b.label.trim();
        if label.is_empty() || label.chars().count() > 60 || label.chars().any(char::is_control) {
            return refuse(format!("libellé de la tranche {n} : 1 à 60 caractères"));
        }
        if b.to.is_some_and(|to| to < b.from) {
            return refuse(format!(
                "tranche {n} : la borne haute précède la borne basse"
            ));
        }
        if b.price_cents.is_some_and(|p| !(0..=1_000_000).contains(&p)) {
            return refuse(format!("tranche {n} : prix de 0 à 10 000 €"));
        }
        let previous = i.checked_sub(1).and_then(|p| grid.get(p));
        if previous.is_some_and(|prev| prev.to.is_none_or(|to| to >= b.from)) {
            return refuse(format!(
                "tranche {n} : elle chevauche la précédente ou n'est pas dans l'ordre"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn grid() -> Vec<QfBracket> {
        toml::from_str::<std::collections::BTreeMap<String, Vec<QfBracket>>>(
            r#"
            [[qf_grid]]
            label = "Tranche A"
            from = 0
            to = 450
            price_cents = 120
            [[qf_grid]]
            label = "Tranche B"
            from = 451
            to = 900
            [[qf_grid]]
            label = "Tranche C"
            from = 901
            "#,
        )
        .unwrap()
        .remove("qf_grid")
        .unwrap()
    }

    #[test]
    fn r32_a_grid_reads_from_toml() {
        let g = grid();
        assert_eq!(validate(&g).map_err(|e| e.to_string()), Ok(()));
        assert_eq!((g[0].to, g[0].price_cents), (Some(450), Some(120)));
        assert_eq!((g[2].to, g[2].price_cents), (None, None));
        let mut gap = g;
        gap[1].from = 600;
        assert!(
            validate(&gap).is_ok(),
            "a gap is allowed: it names no bracket"
        );
    }

    #[test]
    fn r32_a_grid_that_does_not_hold_is_refused() {
        let mut overlap = grid();
        overlap[1].from = 450;
        assert!(validate(&overlap).is_err());
        let mut unsorted = grid();
        unsorted.swap(0, 2);
        assert!(validate(&unsorted).is_err());
        let mut open_then_more = grid();
        open_then_more[0].to = None;
        assert!(validate(&open_then_more).is_err());
        let mut label = grid();
        label[0].label = "é".repeat(61);
        assert!(validate(&label).is_err());
        label[0].label = "A\u{7}".into();
        assert!(validate(&label).is_err());
        let mut price = grid();
        price[0].price_cents = Some(-1);
        assert!(validate(&price).is_err());
        let many: Vec<_> = (0..41)
            .map(|i| QfBracket {
                label: format!("T{i}"),
                from: i * 10,
                to: Some(i * 10 + 9),
                price_cents: None,
            })
            .collect();
        assert!(validate(&many).is_err());
        assert!(validate(&many[..40]).is_ok());
        let unknown = toml::from_str::<QfBracket>("label = \"A\"\nfrom = 0\nprix = 3");
        assert!(unknown.is_err(), "unknown keys are refused");
    }
}
