//! The demo accounts of DESIGN.md, created on synthetic databases (bundled backend, `make
//! serve`). Each has the same temporary password, to be changed at first sign-in.

use guichet_store::{NewUser, PartnerRole, StoreError, prelude::*};
use zeroize::Zeroizing;

use crate::Guichet;
use crate::error::{Result, ServiceError};

/// The temporary password of every demo account.
pub const DEMO_PASSWORD: &str = "Demo-Guichet-2026!";

/// (identifiant, display name, demo convention).
pub const DEMO_ACCOUNTS: [(&str, &str, &str); 5] = [
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
    (
        DEMO_ADMINISTRATOR,
        "Administratrice des habilitations du CCAS (démo)",
        DEMO_DELEGATED_CONVENTION,
    ),
];

/// A caisse operator of CAF-78, who supervises the demo's delegated partner:
/// (identifiant, display name, caisse).
pub const DEMO_OPERATOR: (&str, &str, &str) = (
    "demo.operateur",
    "Agent de supervision de la CAF des Yvelines (démo)",
    "CAF-78",
);

/// A caisse operator of MSA d'Alsace (issue 23), for MSA's caisse-managed model:
/// registers the users of the demo crèche and département, resets their passwords,
/// deactivates leavers. (identifiant, display name, caisse).
pub const DEMO_MSA_OPERATOR: (&str, &str, &str) = (
    "demo.operateur.msa",
    "Agent des partenariats de la MSA d'Alsace (démo)",
    "MSA-ALSACE",
);

/// the administrator of the demo's delegated CAF partner (the CCAS of `demo.caf`).
pub const DEMO_ADMINISTRATOR: &str = "demo.admin";
/// The demo convention delegated to its partner, and its quota: small enough to be reached
/// in a demo.
const DEMO_DELEGATED_CONVENTION: &str = "DEMO-CDAP-78";
const DEMO_QUOTA: u32 = 20;

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
            store
                .grant(user.id, convention.id, None, self.now())
                .await?;
            created.push(identifiant);
        }
        self.install_demo_delegation().await?;
        for operator in [DEMO_OPERATOR, DEMO_MSA_OPERATOR] {
            if self.install_demo_operator(operator).await? {
                created.push(operator.0);
            }
        }
        Ok(created)
    }

    /// A demo operator, once (its password re-armed like the others'). True if created.
    async fn install_demo_operator(&self, operator: (&str, &str, &str)) -> Result<bool> {
        let store = &self.inner.store;
        let (identifiant, name, caisse) = operator;
        let now = self.now();
        if let Some(user) = store.user_by_identifiant(identifiant).await? {
            if self.temporary_password_valid(&user, now).is_err() {
                store
                    .set_password(user.id, &user.password_hash, true, now)
                    .await?;
            }
            return Ok(false);
        }
        let caisse = store
            .caisse(caisse)
            .await?
            .ok_or(ServiceError::NotFound("caisse"))?;
        let hash = self
            .inner
            .hasher
            .hash(Zeroizing::new(DEMO_PASSWORD.into()))
            .await?;
        let user = NewUser {
            partner_id: 0,
            identifiant: identifiant.into(),
            display_name: name.into(),
            email: format!("{identifiant}@demo.invalid"),
            password_hash: hash,
            test_account: true,
        };
        match self.create_operator(&caisse, user, "démo").await {
            Ok(_) => Ok(true),
            Err(ServiceError::IdentifiantTaken) => Ok(false), // another instance made it
            Err(e) => Err(e),
        }
    }

    /// The demo's delegated partner: its convention delegated within a quota, its
    /// administrator appointed (once; what a demo user changed since is kept).
    async fn install_demo_delegation(&self) -> Result<()> {
        let store = &self.inner.store;
        let convention = store
            .convention(DEMO_DELEGATED_CONVENTION)
            .await?
            .ok_or(ServiceError::NotFound("convention de démonstration"))?;
        if store
            .delegations(convention.partner_id, self.now())
            .await?
            .is_empty()
        {
            store.delegate(convention.id, Some(DEMO_QUOTA)).await?;
        }
        if let Some(admin) = store.user_by_identifiant(DEMO_ADMINISTRATOR).await?
            && store.role(admin.id).await?.is_none()
        {
            store
                .set_role(
                    admin.id,
                    Some(PartnerRole::Administrator),
                    "démo",
                    self.now(),
                )
                .await?;
        }
        Ok(())
    }
}
