//! The caisse's administration console: the national data (services,
//! barème, caisses), partners, conventions and their terms, delegations and quotas, named
//! users and operators. Reachable only through a [`ConsoleAdmin`], which only
//! [`Guichet::console`] makes: the server's command line, run on the caisse's machine by
//! someone who holds the database's credentials (and, on a real database, the trace key).
//! No HTTP route leads here. The console also supervises every caisse's partners (its
//! [`Supervisor`] reaches them all). Every action is traced under the operator's name.

use std::ops::Deref;

use chrono::NaiveDate;
use guichet_core::policy::hours::OpeningHours;
use guichet_core::policy::scope::is_departement_code;
use guichet_core::policy::term::{NoticeRule, notice_end};
use guichet_core::psu::{Bareme, BaremeEntry, CareType, national_bareme};
use guichet_core::service_def::ServiceDef;
use guichet_store::{
    Branch, Convention, ConventionStatus, NewConvention, NewPartner, NewUser, Partner, PartnerKind,
    PartnerRole, PartnerStatus, User, prelude::*,
};
use zeroize::Zeroizing;

use super::fields::{check_end_date, end_of, identifiant_field, person_fields, text};
use super::{CaisseScope, Supervisor};
use crate::Guichet;
use crate::error::{Result, ServiceError};
use crate::passwords::temporary_password;

/// The administration console's power. Obtained from [`Guichet::console`] only.
#[derive(Debug)]
pub struct ConsoleAdmin<'a> {
    supervisor: Supervisor<'a>,
}

impl<'a> Deref for ConsoleAdmin<'a> {
    type Target = Supervisor<'a>;
    fn deref(&self) -> &Supervisor<'a> {
        &self.supervisor
    }
}

/// A convention to register: partner × caisse × service, over some départements.
#[derive(Debug, Clone, Copy)]
pub struct ConventionRequest<'a> {
    pub partner_tiers: &'a str,
    pub caisse: &'a str,
    pub service: &'a str,
    pub departements: &'a [String],
    /// Generated from the caisse, service and partner when absent.
    pub number: Option<&'a str>,
    /// Today when absent.
    pub starts_on: Option<NaiveDate>,
    /// R-06 (CAF only): the départements may lie outside the caisse's own.
    pub beyond_caisse: bool,
}

#[derive(Debug, Clone)]
pub struct NewUserRequest {
    pub partner_tiers: String,
    pub identifiant: String,
    pub display_name: String,
    pub email: String,
    pub services: Vec<String>,
    /// The habilitations' last day (CDAP T16 requires one); `None`: until revoked.
    pub ends_on: Option<NaiveDate>,
    pub test_account: bool,
}

impl<'a> ConsoleAdmin<'a> {
    pub(super) fn new(guichet: &'a Guichet, operator: String) -> Result<Self> {
        Ok(ConsoleAdmin {
            supervisor: Supervisor::new(guichet, operator, CaisseScope::AllCaisses),
        })
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.guichet().now()
    }

    /// A partner; `care` sets its PSU effort rates.
    pub async fn add_partner(
        &self,
        tiers: &str,
        name: &str,
        kind: PartnerKind,
        care: CareType,
    ) -> Result<Partner> {
        let tiers = text("numéro de tiers", tiers, 32)?;
        let p = self
            .store()
            .create_partner(
                &NewPartner {
                    tiers: tiers.clone(),
                    name: text("nom", name, 200)?,
                    kind,
                    siret: None,
                    care,
                },
                self.now(),
            )
            .await?;
        self.traced("partner.add", &tiers).await?;
        Ok(p)
    }

    /// the partner's type of care; its next lookups use that type's rates.
    pub async fn set_partner_care(&self, tiers: &str, care: CareType) -> Result<()> {
        let p = self.partner(tiers).await?;
        self.store().set_partner_care(p.id, care).await?;
        self.traced(&format!("partner.care.{care}"), tiers).await
    }

    /// the PSU barème as stored.
    pub async fn psu_bareme(&self) -> Result<Bareme> {
        Ok(self.store().psu_bareme().await?)
    }

    /// publishes a value of the barème (see [`Bareme::with_entry`]); refused, with
    /// nothing written, when the barème would not hold.
    pub async fn publish_bareme_entry(&self, entry: BaremeEntry) -> Result<Bareme> {
        let what = format!("{} {}", entry.item.kind(), entry.period.start);
        let bareme = self
            .store()
            .update_psu_bareme(move |b| b.with_entry(entry))
            .await?;
        self.guichet().forget_bareme();
        self.traced("bareme.set", &what).await?;
        Ok(bareme)
    }

    /// The national barème's values the database lacks (a caisse's own are kept); how many
    /// were added.
    pub async fn install_national_bareme(&self) -> Result<usize> {
        let mut before = 0;
        let after = self
            .store()
            .update_psu_bareme(|b| {
                before = b.entries().len();
                b.with_missing(national_bareme())
            })
            .await?;
        self.guichet().forget_bareme();
        let added = after.entries().len().saturating_sub(before);
        self.traced("bareme.national", &added.to_string()).await?;
        Ok(added)
    }

    /// suspends or reactivates a whole partner at once; its sessions end.
    pub async fn set_partner_status(&self, tiers: &str, status: PartnerStatus) -> Result<()> {
        let p = self.partner(tiers).await?;
        self.store().set_partner_status(p.id, status).await?;
        for u in self.store().users(Some(p.id)).await? {
            self.store().revoke_user_sessions(u.id, self.now()).await?;
        }
        self.traced(&format!("partner.{status}"), tiers).await
    }

    /// Registers a convention: partner × caisse × service, with départements of that caisse.
    pub async fn add_convention(&self, request: &ConventionRequest<'_>) -> Result<Convention> {
        let ConventionRequest {
            partner_tiers,
            caisse,
            service,
            departements,
            number,
            starts_on,
            beyond_caisse,
        } = *request;
        let partner = self
            .store()
            .partner_by_tiers(partner_tiers)
            .await?
            .ok_or(ServiceError::NotFound("partenaire"))?;
        let caisse_def = self
            .store()
            .caisse(caisse)
            .await?
            .ok_or(ServiceError::NotFound("caisse"))?;
        let service_def = self
            .store()
            .service(service)
            .await?
            .ok_or(ServiceError::UnknownService)?;
        if departements.is_empty() {
            return Err(ServiceError::InvalidInput("au moins un département".into()));
        }
        // R-06, seed 001: a département council's convention covers its one département.
        if service_def.rules.single_departement && departements.len() != 1 {
            return Err(ServiceError::InvalidInput(format!(
                "une convention du service {service} couvre un seul département"
            )));
        }
        // an MSA convention stays within its caisse; a CAF one may go beyond when the
        // caisse says so.
        if beyond_caisse && caisse_def.branch != Branch::Caf {
            return Err(ServiceError::InvalidInput(
                "seule une convention CAF peut couvrir des départements hors de la caisse".into(),
            ));
        }
        for d in departements {
            if !is_departement_code(d) {
                return Err(ServiceError::InvalidInput(format!(
                    "département inconnu : {}",
                    d.chars().take(8).collect::<String>()
                )));
            }
            if !beyond_caisse && !caisse_def.departements.contains(d) {
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
                    beyond_caisse,
                    starts_on: starts_on.unwrap_or_else(|| self.today()),
                },
                self.now(),
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
        let now = self.now();
        let c = self.convention(number).await?;
        self.store()
            .set_convention_status(number, status, now)
            .await?;
        if status != ConventionStatus::Active {
            self.end_sessions_of_holders(&c).await?;
        }
        self.traced(&format!("convention.{status}"), number).await
    }

    /// ends at once the sessions of the users holding a habilitation on `c`.
    async fn end_sessions_of_holders(&self, c: &Convention) -> Result<()> {
        let now = self.now();
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
        Ok(())
    }

    /// records the notice a party gave, received on `received_on` (today by default),
    /// and returns the convention's last day: the end of the yearly period three months or
    /// more away for an MSA convention, the date asked (three months at least) for a CAF
    /// one. The convention keeps its effect until then; sessions end when it passes.
    pub async fn give_notice(
        &self,
        number: &str,
        received_on: Option<NaiveDate>,
        asked: Option<NaiveDate>,
    ) -> Result<NaiveDate> {
        let c = self.convention(number).await?;
        if c.ends_on.is_some_and(|end| end < self.today()) {
            return Err(ServiceError::InvalidInput(
                "la convention a pris fin : un préavis ne la concerne plus".into(),
            ));
        }
        let caisse = self
            .store()
            .caisse(&c.caisse)
            .await?
            .ok_or(ServiceError::NotFound("caisse"))?;
        let rule = match caisse.branch {
            Branch::Msa => NoticeRule::AtTermEnd,
            Branch::Caf => NoticeRule::OnDateAsked,
        };
        let received_on = received_on.unwrap_or_else(|| self.today());
        let ends_on = notice_end(rule, c.starts_on, received_on, asked)
            .map_err(|e| ServiceError::InvalidInput(e.to_string()))?;
        self.store()
            .set_convention_notice(number, Some(received_on), Some(ends_on))
            .await?;
        if ends_on < self.today() {
            self.end_sessions_of_holders(&c).await?;
        }
        self.traced(
            "convention.notice",
            &format!("{number} reçu={received_on} fin={ends_on}"),
        )
        .await?;
        Ok(ends_on)
    }

    /// the parties withdraw the notice; the convention renews tacitly again.
    pub async fn withdraw_notice(&self, number: &str) -> Result<()> {
        let c = self.convention(number).await?;
        if c.ends_on.is_some_and(|end| end < self.today()) {
            return Err(ServiceError::InvalidInput(
                "la convention a pris fin : le préavis ne peut plus être retiré".into(),
            ));
        }
        self.store()
            .set_convention_notice(number, None, None)
            .await?;
        self.traced("convention.notice_withdrawn", number).await
    }

    /// registers a named user with habilitations on the partner's conventions for the
    /// given services. Returns the user and the temporary password, to hand over separately
    /// from the identifiant.
    pub async fn add_user(&self, request: &NewUserRequest) -> Result<(User, Zeroizing<String>)> {
        let identifiant = identifiant_field(&request.identifiant)?;
        let (display_name, email) = person_fields(&request.display_name, &request.email)?;
        let partner = self.partner(&request.partner_tiers).await?;
        let conventions = self.store().conventions_of(partner.id).await?;
        let today = self.today();
        let mut chosen = Vec::new();
        for code in &request.services {
            let service = self
                .store()
                .service(code)
                .await?
                .ok_or(ServiceError::UnknownService)?;
            check_end_date(&service, request.ends_on, today)?;
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
        let password = temporary_password(&self.guichet().inner.config.password, &identifiant);
        let hash = self.guichet().inner.hasher.hash(password.clone()).await?;
        let now = self.now();
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
        let ends_at = request.ends_on.map(end_of);
        for id in chosen {
            self.store().grant(user.id, id, ends_at, now).await?;
        }
        self.traced("user.add", &identifiant).await?;
        Ok((user, password))
    }

    /// Issue 11: a caisse operator's account (same sign-in, password and lockout rules as
    /// partners' users), bound to `caisse`; `admin operator add` bootstraps the first. The
    /// account belongs to the caisse's own partner record (numéro de tiers = the caisse's
    /// code), created with the first operator. A signed-in operator adds colleagues of
    /// their own caisse only. Returns the account and its temporary password.
    pub async fn add_operator(
        &self,
        caisse: &str,
        identifiant: &str,
        display_name: &str,
        email: &str,
    ) -> Result<(User, Zeroizing<String>)> {
        let caisse_def = self
            .store()
            .caisse(caisse)
            .await?
            .ok_or(ServiceError::NotFound("caisse"))?;
        let identifiant = identifiant_field(identifiant)?;
        let (display_name, email) = person_fields(display_name, email)?;
        let password = temporary_password(&self.guichet().inner.config.password, &identifiant);
        let hash = self.guichet().inner.hasher.hash(password.clone()).await?;
        let user = self
            .guichet()
            .create_operator(
                &caisse_def,
                NewUser {
                    partner_id: 0,
                    identifiant: identifiant.clone(),
                    display_name,
                    email,
                    password_hash: hash,
                    test_account: false,
                },
                self.actor(),
            )
            .await?;
        self.traced("operator.add", &format!("{identifiant} {caisse}"))
            .await?;
        Ok((user, password))
    }

    /// makes a convention's habilitations managed by the partner itself, within
    /// `quota` habilitations in force, or changes its quota. Seed 003: the caisse always sets
    /// the quota ("détermine obligatoirement … le nombre maximal d'habilitations"); a
    /// delegation without one does not exist.
    pub async fn delegate(&self, number: &str, quota: u32) -> Result<()> {
        let c = self.convention(number).await?;
        if c.status == ConventionStatus::Terminated {
            return Err(ServiceError::InvalidInput(
                "la convention est résiliée : elle ne peut plus être déléguée".into(),
            ));
        }
        self.store().delegate(c.id, Some(quota)).await?;
        self.traced("convention.delegate", &format!("{number} quota={quota}"))
            .await
    }

    /// the caisse sets, per service (profile), the most habilitations the partner
    /// grants itself: each of its conventions of that service (of this operator's caisse) is
    /// delegated with that quota. Every service is checked before anything changes. Returns
    /// (convention, service, quota) for each convention touched.
    pub async fn set_quotas(
        &self,
        tiers: &str,
        quotas: &[(String, u32)],
    ) -> Result<Vec<(String, String, u32)>> {
        let conventions = self.conventions(tiers).await?;
        let mut plan = Vec::new();
        for (service, max) in quotas {
            let of_service: Vec<_> = conventions
                .iter()
                .filter(|c| &c.service == service && c.status != ConventionStatus::Terminated)
                .collect();
            if of_service.is_empty() {
                return Err(ServiceError::InvalidInput(format!(
                    "le partenaire n'a pas de convention pour le service {}",
                    service.chars().take(32).collect::<String>()
                )));
            }
            plan.extend(
                of_service
                    .into_iter()
                    .map(|c| (c.number.clone(), service.clone(), *max)),
            );
        }
        for (number, _, max) in &plan {
            self.delegate(number, *max).await?;
        }
        Ok(plan)
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
            .set_role(user.id, role, self.actor(), self.now())
            .await?;
        let role = role.map_or("none", PartnerRole::code);
        self.traced(&format!("role.{role}"), &user.identifiant)
            .await
    }

    /// adds a service or CDAP profile, or replaces its definition: a new profile is a
    /// row, not code. Returns whether it was new. Sessions pick the change up at their next
    /// call (they re-read their habilitations' services).
    pub async fn put_service(&self, def: &ServiceDef) -> Result<bool> {
        def.validate()
            .map_err(|e| ServiceError::InvalidInput(e.to_string()))?;
        text("libellé", &def.label, 200)?;
        let new = self.store().service(&def.code).await?.is_none();
        self.store().put_service(def).await?;
        let action = if new { "service.add" } else { "service.update" };
        self.traced(action, &def.code).await?;
        Ok(new)
    }

    pub async fn services(&self) -> Result<Vec<ServiceDef>> {
        Ok(self.store().services().await?)
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
    /// Records the caisse of a new installation, or corrects one: its code (`CAF-…` for a
    /// CAF, `MSA-…` for an MSA: the branch follows, R-06, R-28), name, départements and
    /// opening hours.
    pub async fn put_caisse(
        &self,
        code: &str,
        name: &str,
        departements: &[String],
        hours: OpeningHours,
    ) -> Result<()> {
        let code = code.trim();
        let well_formed = (5..=20).contains(&code.len())
            && code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        let branch = Branch::of_caisse_code(code)
            .filter(|_| well_formed)
            .ok_or_else(|| {
                ServiceError::InvalidInput(
                    "code de caisse : CAF-… ou MSA-…, 5 à 20 caractères A-Z 0-9 -".into(),
                )
            })?;
        let name = text("nom", name, 120)?;
        if departements.is_empty() {
            return Err(ServiceError::InvalidInput("au moins un département".into()));
        }
        if let Some(d) = departements.iter().find(|d| !is_departement_code(d)) {
            return Err(ServiceError::InvalidInput(format!(
                "département inconnu : {}",
                d.chars().take(8).collect::<String>()
            )));
        }
        self.store()
            .put_caisse(&guichet_store::Caisse {
                code: code.to_owned(),
                name,
                branch,
                departements: departements.to_vec(),
                hours,
            })
            .await?;
        self.traced("caisse.put", code).await
    }

    pub async fn set_caisse_hours(&self, code: &str, hours: OpeningHours) -> Result<()> {
        self.store().set_caisse_hours(code, hours).await?;
        self.traced("caisse.hours", &format!("{code}={hours}"))
            .await
    }
}
