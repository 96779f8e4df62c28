//! The demo accounts of DESIGN.md, created on synthetic databases (bundled backend, `make
//! serve`). Each has the same temporary password, to be changed at first sign-in.

use guichet_store::{NewUser, StoreError, prelude::*};
use zeroize::Zeroizing;

use crate::Guichet;
use crate::error::{Result, ServiceError};

/// The temporary password of every demo account.
pub const DEMO_PASSWORD: &str = "Demo-Guichet-2026!";

/// (identifiant, display name, demo convention).
pub const DEMO_ACCOUNTS: [(&str, &str, &str); 4] = [
    (
        "demo.creche",
        "Directrice de crèche (démo)",
        "DEMO-PSU-ALSACE",
    ),
    (
        "demo.mairie",
        "Agent du service jeunesse (démo)",
        "DEMO-QF-BOURGOGNE",
    ),
    (
        "demo.departement",
        "Agent RSA du département (démo)",
        "DEMO-RSACG-ALSACE",
    ),
    ("demo.caf", "Travailleur social (démo)", "DEMO-CDAP-78"),
];

impl Guichet {
    /// Creates the demo accounts that do not exist yet, on a synthetic database only.
    /// Returns the identifiants created.
    pub async fn install_demo_accounts(&self) -> Result<Vec<&'static str>> {
        let store = &self.inner.store;
        if store
            .meta(guichet_store::seed::META_SYNTHETIC)
            .await?
            .as_deref()
            != Some("1")
        {
            return Err(ServiceError::InvalidInput(
                "les comptes de démonstration ne se créent que sur une base synthétique".into(),
            ));
        }
        let mut created = Vec::new();
        let now = self.now();
        for (identifiant, name, number) in DEMO_ACCOUNTS {
            if let Some(user) = store.user_by_identifiant(identifiant).await? {
                // The demo password is public and meant to be changed at first sign-in: a
                // demo database opened again after a while is not locked out by the expiry
                // of temporary passwords, which is re-armed for untouched demo accounts.
                if self.temporary_password_valid(&user, now).is_err() {
                    store
                        .set_password(user.id, &user.password_hash, true, now)
                        .await?;
                }
                continue;
            }
            let convention = store
                .convention(number)
                .await?
                .ok_or(ServiceError::NotFound("convention de démonstration"))?;
            let hash = self
                .inner
                .hasher
                .hash(Zeroizing::new(DEMO_PASSWORD.into()))
                .await?;
            let user = match store
                .create_user(
                    &NewUser {
                        partner_id: convention.partner_id,
                        identifiant: identifiant.into(),
                        display_name: name.into(),
                        email: format!("{identifiant}@demo.invalid"),
                        password_hash: hash,
                        test_account: true,
                    },
                    self.now(),
                )
                .await
            {
                Ok(u) => u,
                Err(StoreError::Conflict(_)) => continue, // created meanwhile by another instance
                Err(e) => return Err(e.into()),
            };
            store.grant(user.id, convention.id, self.now()).await?;
            created.push(identifiant);
        }
        Ok(created)
    }
}
