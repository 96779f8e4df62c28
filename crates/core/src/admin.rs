//! Who may administer whom, as pure rules: the states of partners,
//! conventions, users and roles, who put a user or a habilitation in its state, and the
//! decisions the three administration powers share (a convention in force, a manager's reach
//! over a colleague, the yearly review's due date). The service holds the powers themselves
//! (`ConsoleAdmin`, `CaisseOperator`, `PartnerManager`); the store keeps the codes.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A stored code that names no variant: the data is corrupt or newer than this program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("code inconnu : {0}")]
pub struct UnknownCode(pub &'static str);

/// Declares a string-coded enum with stable codes stored in the database.
macro_rules! coded_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_code(s).ok_or(UnknownCode(stringify!($name)))
            }
        }
    };
}

coded_enum!(
    /// The kind of partner organisation (tiers).
    PartnerKind { Eaje = "eaje", Commune = "commune", Departement = "departement", Ccas = "ccas", Other = "other" }
);
coded_enum!(PartnerStatus { Active = "active", Suspended = "suspended" });
coded_enum!(
    /// a caisse's branch. Only a CAF convention may reach beyond its caisse.
    Branch { Caf = "caf", Msa = "msa" }
);
coded_enum!(
    /// a convention's lifecycle.
    ConventionStatus { Active = "active", Suspended = "suspended", Terminated = "terminated" }
);
coded_enum!(UserStatus { Active = "active", Suspended = "suspended", Deactivated = "deactivated" });
coded_enum!(
    /// a partner's own habilitation managers. The administrator and the deputy are
    /// appointed by the caisse; delegated managers by the administrator or the deputy.
    PartnerRole { Administrator = "administrator", Deputy = "deputy", Manager = "manager" }
);
coded_enum!(
    /// Who put a user in their state (suspended, deactivated): a caisse's state is lifted by
    /// the caisse only; the partner's managers lift their own.
    Authority { Caisse = "caisse", Partner = "partner" }
);
coded_enum!(
    /// Why a habilitation is suspended. The caisse's own suspension is lifted by that
    /// caisse only; a suspension for a late yearly review by the review's confirmation.
    Suspension { Caisse = "caisse", LateReview = "late_review" }
);

impl Branch {
    /// The branch a caisse code names: `CAF-…` a CAF, `MSA-…` an MSA (the same rule as
    /// migration 0006's for the caisses recorded before branches were).
    pub fn of_caisse_code(code: &str) -> Option<Branch> {
        match code.get(..4) {
            Some("CAF-") => Some(Branch::Caf),
            Some("MSA-") => Some(Branch::Msa),
            _ => None,
        }
    }
}

impl PartnerRole {
    /// The administrator and the deputy: appointed, reviewed and acted on by the caisse
    /// only.
    pub fn is_caisse_appointed(self) -> bool {
        matches!(self, PartnerRole::Administrator | PartnerRole::Deputy)
    }
}

/// a convention in force on `day`: active, started, and not past the end its notice
/// set. Its users sign in and look files up.
pub fn convention_in_force(
    status: ConventionStatus,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    day: NaiveDate,
) -> bool {
    status == ConventionStatus::Active && starts_on <= day && ends_on.is_none_or(|end| day <= end)
}

/// a convention that still binds its caisse to the partner on `day`:
/// neither terminated nor past the end its notice set. A suspended convention, or one not
/// yet started, still does (the caisse prepares or supervises it); a terminated one gives
/// its caisse's operators no reach over the partner any more.
pub fn convention_binds(
    status: ConventionStatus,
    ends_on: Option<NaiveDate>,
    day: NaiveDate,
) -> bool {
    status != ConventionStatus::Terminated && ends_on.is_none_or(|end| day <= end)
}

/// a habilitation is due for review a year after its grant or its last review.
pub fn review_due(granted_at: DateTime<Utc>, reviewed_at: Option<DateTime<Utc>>) -> DateTime<Utc> {
    reviewed_at.unwrap_or(granted_at) + chrono::Duration::days(365)
}

/// Why an administration power may not act on an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Nobody administers or reviews their own account or habilitations.
    OwnAccount,
    /// The account's rights are the caisse's (administrator, deputy) or the
    /// administrator's (a delegated manager, for another delegated manager).
    AboveActor,
}

/// whether a partner's manager holding `actor` may act on a colleague holding
/// `target` (`None`: a plain user). The administrator and the deputy are acted on by the
/// caisse only; delegated managers by the administrator and the deputy; plain users by any
/// manager. `same_account` refuses everything.
pub fn manager_may_act(
    actor: PartnerRole,
    target: Option<PartnerRole>,
    same_account: bool,
) -> Result<(), Refusal> {
    if same_account {
        return Err(Refusal::OwnAccount);
    }
    match (actor, target) {
        (_, None) => Ok(()),
        (a, Some(PartnerRole::Manager)) if a.is_caisse_appointed() => Ok(()),
        _ => Err(Refusal::AboveActor),
    }
}

/// whether a manager may change a user's status: a state the caisse set
/// (suspension, deactivation) is the caisse's to lift, whatever the manager asks.
pub fn manager_may_set_status(current: UserStatus, set_by: Option<Authority>) -> bool {
    current == UserStatus::Active || set_by != Some(Authority::Caisse)
}

/// whether confirming a habilitation in the yearly review lifts its suspension: only a
/// suspension for lateness; the caisse's own stays until the caisse lifts it.
pub fn review_lifts(suspension: Option<Suspension>) -> bool {
    suspension == Some(Suspension::LateReview)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn codes_round_trip() {
        for r in PartnerRole::ALL {
            assert_eq!(r.code().parse::<PartnerRole>(), Ok(*r));
        }
        for s in Suspension::ALL {
            assert_eq!(Suspension::from_code(s.code()), Some(*s));
        }
        assert_eq!(
            "chef".parse::<PartnerRole>(),
            Err(UnknownCode("PartnerRole"))
        );
    }

    #[test]
    fn r25_nobody_acts_on_themself_or_above_their_power() {
        use PartnerRole::*;
        for actor in PartnerRole::ALL {
            for target in [None, Some(Administrator), Some(Deputy), Some(Manager)] {
                assert_eq!(
                    manager_may_act(*actor, target, true),
                    Err(Refusal::OwnAccount)
                );
            }
            assert_eq!(
                manager_may_act(*actor, Some(Administrator), false),
                Err(Refusal::AboveActor),
                "issue 22 (2): the administrator is the caisse's"
            );
            assert_eq!(
                manager_may_act(*actor, Some(Deputy), false),
                Err(Refusal::AboveActor)
            );
            assert_eq!(manager_may_act(*actor, None, false), Ok(()));
        }
        assert_eq!(manager_may_act(Deputy, Some(Manager), false), Ok(()));
        assert_eq!(
            manager_may_act(Manager, Some(Manager), false),
            Err(Refusal::AboveActor)
        );
    }

    #[test]
    fn r26_a_caisse_state_is_the_caisse_s_to_lift() {
        assert!(manager_may_set_status(UserStatus::Active, None));
        assert!(manager_may_set_status(
            UserStatus::Suspended,
            Some(Authority::Partner)
        ));
        assert!(!manager_may_set_status(
            UserStatus::Suspended,
            Some(Authority::Caisse)
        ));
        assert!(!manager_may_set_status(
            UserStatus::Deactivated,
            Some(Authority::Caisse)
        ));
        assert!(review_lifts(Some(Suspension::LateReview)));
        assert!(!review_lifts(Some(Suspension::Caisse)));
        assert!(!review_lifts(None));
    }

    #[test]
    fn r28_in_force_and_binding() {
        let start = day("2026-01-01");
        let today = day("2026-06-01");
        assert!(convention_in_force(
            ConventionStatus::Active,
            start,
            None,
            today
        ));
        assert!(!convention_in_force(
            ConventionStatus::Suspended,
            start,
            None,
            today
        ));
        assert!(convention_binds(ConventionStatus::Suspended, None, today));
        assert!(!convention_binds(ConventionStatus::Terminated, None, today));
        assert!(!convention_binds(
            ConventionStatus::Active,
            Some(day("2026-05-31")),
            today
        ));
        assert!(convention_binds(
            ConventionStatus::Active,
            Some(today),
            today
        ));
    }
}
