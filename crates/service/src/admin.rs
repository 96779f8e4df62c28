//! Caisse-managed administration: partners, conventions, users,
//! temporary passwords, suspension. Reachable only through a [`CaisseOperator`], which only
//! [`Guichet::console_operator`] makes: the server's command line, run on the caisse's
//! machine by someone who holds the database's credentials (and, on a real database, the
//! trace key). No HTTP route leads here. Every action is traced under the operator's name.

use chrono::NaiveDate;
use guichet_core::policy::hours::OpeningHours;
use guichet_core::policy::scope::is_departement_code;
use guichet_core::service_def::ServiceDef;
use guichet_core::trace::TraceKind;
use guichet_store::{
    Convention, ConventionStatus, NewConvention, NewPartner, NewUser, Partner, PartnerKind,
    PartnerRole, PartnerStatus, User, UserStatus, prelude::*,
};
use zeroize::Zeroizing;

use crate::Guichet;
use crate::auth::normalize_identifiant;
use crate::error::{Result, ServiceError};
use crate::passwords::temporary_password;

/// A caisse operator's power. Obtained from [`Guichet::console_operator`] only.
#[derive(Debug)]
pub struct CaisseOperator<'a> {
    guichet: &'a Guichet,
    operator: String,
}

#[derive(Debug, Clone)]
pub struct NewUserRequest {
    pub partner_tiers: String,
    pub identifiant: String,
    pub display_name: String,
    pub email: String,
    pub services: Vec<String>,
    pub test_account: bool,
}

pub(crate) fn text(field: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(ServiceError::InvalidInput(format!(
            "{field} : de 1 à {max} caractères imprimables"
        )));
    }
    Ok(v.to_owned())
}

/// An operator's name as traces keep it: 1 to 64 printable characters.
pub(crate) fn operator_name(name: &str) -> Result<String> {
    text("nom de l'opérateur", name, 64)
}

impl Guichet {
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

    /// The administration power of a caisse operator at the server's console (the command
    /// line), named in every trace. The next step is an operator's own sign-in.
    pub fn console_operator(&self, operator: &str) -> Result<CaisseOperator<'_>> {
        Ok(CaisseOperator {
            guichet: self,
            operator: operator_name(operator)?,
        })
    }
}

impl CaisseOperator<'_> {
    async fn traced(&self, action: &str, target: &str) -> Result<()> {
        let mut t = self.guichet.trace_record(TraceKind::Admin, "ok");
        t.identifiant = Some(self.operator.clone());
        t.detail = Some(format!("{action} {target}"));
        self.guichet.trace(t).await?;
        Ok(())
    }

    fn store(&self) -> &guichet_store::Store {
        &self.guichet.inner.store
    }

    pub async fn add_partner(&self, tiers: &str, name: &str, kind: PartnerKind) -> Result<Partner> {
        let tiers = text("numéro de tiers", tiers, 32)?;
        let p = self
            .store()
            .create_partner(
                &NewPartner {
                    tiers: tiers.clone(),
                    name: text("nom", name, 200)?,
                    kind,
                    siret: None,
                },
                self.guichet.now(),
            )
            .await?;
        self.traced("partner.add", &tiers).await?;
        Ok(p)
    }

    pub async fn partners(&self) -> Result<Vec<Partner>> {
        Ok(self.store().partners().await?)
    }

    async fn partner(&self, tiers: &str) -> Result<Partner> {
        self.store()
            .partner_by_tiers(tiers)
            .await?
            .ok_or(ServiceError::NotFound("partenaire"))
    }

    /// suspends or reactivates a whole partner at once; its sessions end.
    pub async fn set_partner_status(&self, tiers: &str, status: PartnerStatus) -> Result<()> {
        let p = self.partner(tiers).await?;
        self.store().set_partner_status(p.id, status).await?;
        for u in self.store().users(Some(p.id)).await? {
            self.store()
                .revoke_user_sessions(u.id, self.guichet.now())
                .await?;
        }
        self.traced(&format!("partner.{status}"), tiers).await
    }

    /// Registers a convention: partner × caisse × service, with départements of that caisse.
    pub async fn add_convention(
        &self,
        partner_tiers: &str,
        caisse: &str,
        service: &str,
        departements: &[String],
        number: Option<&str>,
        starts_on: Option<NaiveDate>,
    ) -> Result<Convention> {
        let partner = self.partner(partner_tiers).await?;
        let caisse_def = self
            .store()
            .caisse(caisse)
            .await?
            .ok_or(ServiceError::NotFound("caisse"))?;
        self.store()
            .service(service)
            .await?
            .ok_or(ServiceError::UnknownService)?;
        if departements.is_empty() {
            return Err(ServiceError::InvalidInput("au moins un département".into()));
        }
        for d in departements {
            if !is_departement_code(d) || !caisse_def.departements.contains(d) {
                return Err(ServiceError::InvalidInput(format!(
                    "le département {d} n'est pas couvert par la caisse {caisse}"
                )));
            }
        }
        let number = match number {
            Some(n) => text("numéro de convention", n, 40)?,
            None => {
                format!(
                    "{caisse}-{}-{}",
                    service.to_uppercase(),
                    self.store().conventions_of(partner.id).await?.len() + 1
                ) + &format!("-{}", partner.tiers)
            }
        };
        let c = self
            .store()
            .create_convention(
                &NewConvention {
                    number: number.clone(),
                    partner_id: partner.id,
                    caisse: caisse.into(),
                    service: service.into(),
                    departements: departements.to_vec(),
                    starts_on: starts_on.unwrap_or_else(|| self.guichet.today()),
                },
                self.guichet.now(),
            )
            .await?;
        self.traced("convention.add", &number).await?;
        Ok(c)
    }

    /// suspension and termination end every session of the convention's users at once
    /// (and the service refuses their next call, whatever the session). Termination is
    /// final: a terminated convention can be neither reactivated nor suspended (a new
    /// convention is signed instead).
    pub async fn set_convention_status(
        &self,
        number: &str,
        status: ConventionStatus,
    ) -> Result<()> {
        let now = self.guichet.now();
        let c = self
            .store()
            .convention(number)
            .await?
            .ok_or(ServiceError::NotFound("convention"))?;
        self.store()
            .set_convention_status(number, status, now)
            .await?;
        if status != ConventionStatus::Active {
            for u in self.store().users(Some(c.partner_id)).await? {
                let holds = self
                    .store()
                    .grants(u.id, now)
                    .await?
                    .iter()
                    .any(|g| g.convention.id == c.id);
                if holds {
                    self.store().revoke_user_sessions(u.id, now).await?;
                }
            }
        }
        self.traced(&format!("convention.{status}"), number).await
    }

    /// registers a named user with habilitations on the partner's conventions for the
    /// given services. Returns the user and the temporary password, to hand over separately
    /// from the identifiant.
    pub async fn add_user(&self, request: &NewUserRequest) -> Result<(User, Zeroizing<String>)> {
        let identifiant = normalize_identifiant(&request.identifiant).ok_or_else(|| {
            ServiceError::InvalidInput(
                "identifiant : 1 à 64 caractères parmi a-z 0-9 . _ - @".into(),
            )
        })?;
        let display_name = text("nom", &request.display_name, 200)?;
        let email = text("courriel", &request.email, 200)?;
        if !email.contains('@') {
            return Err(ServiceError::InvalidInput("courriel sans @".into()));
        }
        let partner = self.partner(&request.partner_tiers).await?;
        let conventions = self.store().conventions_of(partner.id).await?;
        let mut chosen = Vec::new();
        for code in &request.services {
            let c = conventions
                .iter()
                .find(|c| &c.service == code && c.status == ConventionStatus::Active)
                .ok_or_else(|| {
                    ServiceError::InvalidInput(format!(
                        "aucune convention active du partenaire pour le service {code}"
                    ))
                })?;
            chosen.push(c.id);
        }
        if chosen.is_empty() {
            return Err(ServiceError::InvalidInput("au moins un service".into()));
        }
        let password = temporary_password(&self.guichet.inner.config.password, &identifiant);
        let hash = self.guichet.inner.hasher.hash(password.clone()).await?;
        let now = self.guichet.now();
        let user = self
            .store()
            .create_user(
                &NewUser {
                    partner_id: partner.id,
                    identifiant: identifiant.clone(),
                    display_name,
                    email,
                    password_hash: hash,
                    test_account: request.test_account,
                },
                now,
            )
            .await?;
        for id in chosen {
            self.store().grant(user.id, id, now).await?;
        }
        self.traced("user.add", &identifiant).await?;
        Ok((user, password))
    }

    async fn user(&self, identifiant: &str) -> Result<User> {
        let ident =
            normalize_identifiant(identifiant).ok_or(ServiceError::NotFound("utilisateur"))?;
        self.store()
            .user_by_identifiant(&ident)
            .await?
            .ok_or(ServiceError::NotFound("utilisateur"))
    }

    /// lost or stolen credentials: new temporary password, sessions ended, lockout
    /// cleared; the user must change it at next sign-in.
    pub async fn reset_password(&self, identifiant: &str) -> Result<Zeroizing<String>> {
        let user = self.user(identifiant).await?;
        let password = self.guichet.reset_to_temporary(&user).await?;
        self.traced("user.reset_password", &user.identifiant)
            .await?;
        Ok(password)
    }

    /// Suspension, reactivation, deactivation (departure, change of function).
    pub async fn set_user_status(&self, identifiant: &str, status: UserStatus) -> Result<()> {
        let user = self.user(identifiant).await?;
        let now = self.guichet.now();
        self.store().set_user_status(user.id, status, now).await?;
        if status != UserStatus::Active {
            self.store().revoke_user_sessions(user.id, now).await?;
        }
        self.traced(&format!("user.{status}"), &user.identifiant)
            .await
    }

    pub async fn users(&self, partner_tiers: Option<&str>) -> Result<Vec<User>> {
        let partner_id = match partner_tiers {
            Some(t) => Some(self.partner(t).await?.id),
            None => None,
        };
        Ok(self.store().users(partner_id).await?)
    }

    /// makes a convention's habilitations managed by the partner itself, within
    /// `quota` habilitations in force (`None`: no quota), or changes its quota.
    pub async fn delegate(&self, number: &str, quota: Option<u32>) -> Result<()> {
        let c = self
            .store()
            .convention(number)
            .await?
            .ok_or(ServiceError::NotFound("convention"))?;
        self.store().delegate(c.id, quota).await?;
        let quota = quota.map_or_else(|| "sans quota".to_owned(), |q| q.to_string());
        self.traced("convention.delegate", &format!("{number} quota={quota}"))
            .await
    }

    /// appoints a partner's administrator or deputy (or a manager), or removes the
    /// role (`None`). Only the caisse names administrators and deputies.
    pub async fn set_partner_role(
        &self,
        identifiant: &str,
        role: Option<PartnerRole>,
    ) -> Result<()> {
        let user = self.user(identifiant).await?;
        self.store()
            .set_role(user.id, role, &self.operator, self.guichet.now())
            .await?;
        let role = role.map_or("none", PartnerRole::code);
        self.traced(&format!("role.{role}"), &user.identifiant)
            .await
    }

    /// withdraws a partner's delegation (its managers lose their powers, the caisse
    /// manages its habilitations) or gives it back.
    pub async fn set_delegation_withdrawn(&self, tiers: &str, withdrawn: bool) -> Result<()> {
        let p = self.partner(tiers).await?;
        let at = withdrawn.then(|| self.guichet.now());
        if self.store().set_delegation_withdrawn(p.id, at).await? == 0 {
            return Err(ServiceError::NotFound("convention déléguée"));
        }
        let action = if withdrawn {
            "delegation.withdraw"
        } else {
            "delegation.restore"
        };
        self.traced(action, tiers).await
    }

    /// suspends (or restores) one habilitation of a user: it gives no access meanwhile,
    /// from the user's next call on.
    pub async fn set_habilitation_suspended(
        &self,
        identifiant: &str,
        service: &str,
        suspended: bool,
    ) -> Result<()> {
        let user = self.user(identifiant).await?;
        let convention = self
            .store()
            .conventions_of(user.partner_id)
            .await?
            .into_iter()
            .find(|c| c.service == service)
            .ok_or(ServiceError::NotFound("habilitation"))?;
        let now = self.guichet.now();
        let at = suspended.then_some(now);
        if !self
            .store()
            .set_habilitation_suspended(user.id, convention.id, at, now)
            .await?
        {
            return Err(ServiceError::NotFound("habilitation"));
        }
        let action = if suspended {
            "habilitation.suspend"
        } else {
            "habilitation.restore"
        };
        self.traced(&format!("{action} {service}"), &user.identifiant)
            .await
    }

    /// forces a password change at next sign-in, for one user (`identifiant`) or
    /// every user of a partner (`tiers`); their sessions end. Returns how many accounts.
    pub async fn force_password_change(
        &self,
        identifiant: Option<&str>,
        tiers: Option<&str>,
    ) -> Result<u64> {
        let users = match (identifiant, tiers) {
            (Some(i), None) => vec![self.user(i).await?],
            (None, Some(t)) => {
                let p = self.partner(t).await?;
                self.store().users(Some(p.id)).await?
            }
            _ => {
                return Err(ServiceError::InvalidInput(
                    "un utilisateur ou un partenaire".into(),
                ));
            }
        };
        let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
        let n = self.store().force_password_change(&ids).await?;
        let now = self.guichet.now();
        for id in ids {
            self.store().revoke_user_sessions(id, now).await?;
        }
        let target = identifiant.or(tiers).unwrap_or_default();
        self.traced("password.force_change", &format!("{target} ({n})"))
            .await?;
        Ok(n)
    }

    /// the partners whose yearly review is late, with how many habilitations.
    pub async fn late_reviews(&self) -> Result<Vec<(String, u32)>> {
        let now = self.guichet.now();
        Ok(self
            .store()
            .late_reviews(now - chrono::Duration::days(365), now)
            .await?)
    }

    /// suspends the habilitations of a partner whose review is late (they give
    /// no access from the next call on); each comes back when its administrator confirms it.
    pub async fn suspend_late(&self, tiers: &str) -> Result<u64> {
        let p = self.partner(tiers).await?;
        let now = self.guichet.now();
        let n = self
            .store()
            .suspend_unreviewed(p.id, now - chrono::Duration::days(365), now)
            .await?;
        // Sessions need not end: every call re-reads the habilitations in force.
        self.traced("review.suspend_late", &format!("{tiers} ({n})"))
            .await?;
        Ok(n)
    }

    /// a service's idle delay (never above 30 minutes).
    pub async fn set_service_idle_timeout(&self, code: &str, secs: u32) -> Result<ServiceDef> {
        let mut service = self
            .store()
            .service(code)
            .await?
            .ok_or(ServiceError::UnknownService)?;
        service.idle_timeout_secs = secs;
        service
            .validate()
            .map_err(|e| ServiceError::InvalidInput(e.to_string()))?;
        self.store().put_service(&service).await?;
        self.traced("service.idle_timeout", &format!("{code}={secs}"))
            .await?;
        Ok(service)
    }

    /// a caisse's opening hours.
    pub async fn set_caisse_hours(&self, code: &str, hours: OpeningHours) -> Result<()> {
        self.store().set_caisse_hours(code, hours).await?;
        self.traced("caisse.hours", &format!("{code}={hours}"))
            .await
    }
}
