//! Administration, split by power (lldap's way): each power is a value that only its own
//! check hands out, and holds only the operations it may run.
//!
//! - [`ConsoleAdmin`] (`console.rs`): the caisse's administration console, the server's
//!   command line run by whoever holds the database's credentials. Every caisse; the
//!   national data (catalogue, barème, caisses), new partners and conventions.
//! - [`CaisseOperator`] (`operator.rs`): a signed-in agent of one caisse, over
//!   the partners and users whose rights come from a convention of THAT caisse that still
//!   binds it (not terminated, not past its notice).
//! - [`PartnerManager`] (`manager.rs`): a partner's administrator, deputy or delegated
//!   manager, over the users of the conventions delegated to the partner and
//!   still in its hands.
//!
//! The console and the operator supervise partners through one [`Supervisor`]
//! (`supervision.rs`), which takes the caisse scope as a value. Who put a user or a
//! habilitation in its state is recorded ([`guichet_store::Authority`],
//! [`guichet_store::Suspension`]), so that each power lifts only its own.

mod calls;
mod console;
mod fields;
mod manager;
mod operator;
mod supervision;
pub mod wire;

use chrono::{DateTime, Utc};
use guichet_core::psu::CareType;
use guichet_store::{NewPartner, NewUser, Partner, PartnerKind, StoreError, User, prelude::*};
use rand::Rng;
use zeroize::Zeroizing;

pub use console::{ConsoleAdmin, ConventionRequest, NewUserRequest};
pub(crate) use fields::operator_name;
pub use manager::{HabilitationRequest, ManagedUser, PartnerManager};
pub use operator::CaisseOperator;
pub use supervision::{CaisseScope, Supervisor};

use crate::Guichet;
use crate::auth::ReadySession;
use crate::error::{Result, ServiceError};
use crate::passwords::temporary_password;

impl Guichet {
    /// The administration console's power, named in every trace (`operator`: the agent at
    /// the server's command line). Only the command line calls this: no HTTP route and no
    /// desktop command leads here.
    pub fn console(&self, operator: &str) -> Result<ConsoleAdmin<'_>> {
        ConsoleAdmin::new(self, fields::operator_name(operator)?)
    }

    /// The power of a signed-in caisse operator, bound to their caisse; anyone else gets
    /// `not_an_operator`.
    pub async fn caisse_operator(&self, session: &ReadySession) -> Result<CaisseOperator<'_>> {
        let caisse = session
            .operator_of
            .clone()
            .ok_or(ServiceError::NotAnOperator)?;
        Ok(CaisseOperator::new(
            self,
            session.user.identifiant.clone(),
            caisse,
        ))
    }

    /// A partner's new account, under a generated identifiant (`<tiers>.<6 digits>`, lower
    /// case); an identifiant drawn twice is drawn again. Its password is unusable until the
    /// caller sets the temporary one ([`Self::reset_to_temporary`]).
    pub(crate) async fn create_named_account(
        &self,
        partner: &Partner,
        display_name: String,
        email: String,
        now: DateTime<Utc>,
    ) -> Result<User> {
        let prefix: String = partner
            .tiers
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(40)
            .collect();
        // The password is set right after, once the identifiant is known (the temporary
        // password must not contain it); until then the account holds an unusable hash.
        let unusable = guichet_store::PasswordHash("!".into());
        for _ in 0..8 {
            let number: u32 = rand::rng().random_range(0..1_000_000);
            let identifiant = format!("{prefix}.{number:06}");
            let created = self
                .inner
                .store
                .create_user(
                    &NewUser {
                        partner_id: partner.id,
                        identifiant,
                        display_name: display_name.clone(),
                        email: email.clone(),
                        password_hash: unusable.clone(),
                        test_account: false,
                    },
                    now,
                )
                .await;
            match created {
                Ok(user) => return Ok(user),
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ServiceError::IdentifiantTaken)
    }

    /// lost or stolen credentials, whoever resets them: a new temporary password
    /// (returned, to show once), every session of the user ended, the lockout cleared; the
    /// user must change it at next sign-in.
    pub(crate) async fn reset_to_temporary(&self, user: &User) -> Result<Zeroizing<String>> {
        let password = temporary_password(&self.inner.config.password, &user.identifiant);
        let hash = self.inner.hasher.hash(password.clone()).await?;
        let now = self.now();
        let store = &self.inner.store;
        store.set_password(user.id, &hash, true, now).await?;
        store.revoke_user_sessions(user.id, now).await?;
        store.clear_lockout(&user.identifiant).await?;
        Ok(password)
    }

    /// An operator's account: a user of the caisse's own partner record (created with the
    /// first operator), bound to the caisse. `user.partner_id` is set here.
    pub(crate) async fn create_operator(
        &self,
        caisse: &guichet_store::Caisse,
        mut user: NewUser,
        by: &str,
    ) -> Result<User> {
        let store = &self.inner.store;
        let now = self.now();
        let home = match store.partner_by_tiers(&caisse.code).await? {
            // The caisse's own record holds no convention; a partner that does is not it.
            Some(p) if !store.conventions_of(p.id).await?.is_empty() => {
                return Err(ServiceError::Conflict(
                    "partenaire portant le code de la caisse",
                ));
            }
            Some(p) => p,
            None => match store
                .create_partner(
                    &NewPartner {
                        tiers: caisse.code.clone(),
                        name: format!("{} (agents de la caisse)", caisse.name),
                        kind: PartnerKind::Other,
                        siret: None,
                        care: CareType::Collective,
                    },
                    now,
                )
                .await
            {
                Ok(p) => p,
                // Created meanwhile by another operator or instance.
                Err(guichet_store::StoreError::Conflict(_)) => store
                    .partner_by_tiers(&caisse.code)
                    .await?
                    .ok_or(ServiceError::NotFound("partenaire"))?,
                Err(e) => return Err(e.into()),
            },
        };
        user.partner_id = home.id;
        let created = store.create_user(&user, now).await.map_err(|e| match e {
            guichet_store::StoreError::Conflict(_) => ServiceError::IdentifiantTaken,
            e => e.into(),
        })?;
        store
            .add_operator(created.id, &caisse.code, by, now)
            .await?;
        Ok(created)
    }

    /// A partner's users, their roles and habilitations in force, each habilitation with
    /// the départements it reaches (its convention's unless narrowed): what its managers
    /// and the caisse's operators see (each power then keeps the users within its reach).
    pub(crate) async fn managed_users(&self, partner: &Partner) -> Result<Vec<ManagedUser>> {
        let store = &self.inner.store;
        let now = self.now();
        let mut habilitations = store.habilitations(partner.id, now).await?;
        let conventions = store.conventions_of(partner.id).await?;
        for h in &mut habilitations {
            if h.departements.is_none() {
                h.departements = conventions
                    .iter()
                    .find(|c| c.number == h.convention_number)
                    .map(|c| c.departements.clone());
            }
        }
        let mut out = Vec::new();
        for user in store.users(Some(partner.id)).await? {
            let role = store.role(user.id).await?;
            let habilitations = habilitations
                .iter()
                .filter(|h| h.user_id == user.id)
                .cloned()
                .collect();
            out.push(ManagedUser {
                user,
                role,
                habilitations,
            });
        }
        Ok(out)
    }
}
