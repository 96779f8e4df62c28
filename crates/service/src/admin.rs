//! Caisse-managed administration: partners, conventions, users,
//! temporary passwords, suspension. Reachable only through a [`CaisseOperator`], which only
//! [`Guichet::console_operator`] makes: the server's command line, run on the caisse's
//! machine by someone who holds the database's credentials (and, on a real database, the
//! trace key). No HTTP route leads here. Every action is traced under the operator's name.

use chrono::{DateTime, NaiveDate, Utc};
use guichet_core::policy::hours::{OpeningHours, paris_to_utc};
use guichet_core::policy::scope::is_departement_code;
use guichet_core::policy::term::{NoticeRule, notice_end};
use guichet_core::psu::{Bareme, BaremeEntry, CareType, national_bareme};
use guichet_core::service_def::ServiceDef;
use guichet_core::trace::{TraceKind, TraceRecord};
use guichet_store::{
    Branch, Convention, ConventionStatus, NewConvention, NewPartner, NewUser, Partner, PartnerKind,
    PartnerRole, PartnerStatus, TraceFilter, User, UserStatus, prelude::*,
};
use zeroize::Zeroizing;

use crate::Guichet;
use crate::auth::{ReadySession, normalize_identifiant};
use crate::delegation::ManagedUser;
use crate::error::{Result, ServiceError};
use crate::passwords::temporary_password;

/// A caisse operator's power. Obtained from [`Guichet::console_operator`] (the server's
/// command line: every caisse) or [`Guichet::caisse_operator`] (a signed-in operator: the
/// partners that hold a convention with their caisse, and no console-only action).
#[derive(Debug)]
pub struct CaisseOperator<'a> {
    guichet: &'a Guichet,
    operator: String,
    /// `Some`: a signed-in operator of this caisse; `None`: the console.
    caisse: Option<String>,
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

/// CDAP T16: a temporary profile is granted until an end date; no end date may be past.
pub(crate) fn check_end_date(
    service: &ServiceDef,
    ends_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<()> {
    match ends_on {
        Some(day) if day < today => Err(ServiceError::InvalidInput(
            "la date de fin est passée".into(),
        )),
        None if service.rules.temporary => Err(ServiceError::EndDateRequired {
            service: service.code.clone(),
        }),
        _ => Ok(()),
    }
}

/// The instant a habilitation ending on `day` (Paris) stops: the next midnight.
pub(crate) fn end_of(day: NaiveDate) -> DateTime<Utc> {
    let next = day.succ_opt().unwrap_or(day);
    paris_to_utc(next.and_hms_opt(0, 0, 0).unwrap_or_default())
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
    if !email.contains('@') {
        return Err(ServiceError::InvalidInput("courriel sans @".into()));
    }
    Ok((display_name, email))
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

    /// The administration power of a caisse operator at the server's console (the command
    /// line), named in every trace. The next step is an operator's own sign-in.
    pub fn console_operator(&self, operator: &str) -> Result<CaisseOperator<'_>> {
        Ok(CaisseOperator {
            guichet: self,
            operator: operator_name(operator)?,
            caisse: None,
        })
    }

    /// The power of a signed-in caisse operator, bound to their caisse; anyone else gets
    /// `not_an_operator`.
    pub async fn caisse_operator(&self, session: &ReadySession) -> Result<CaisseOperator<'_>> {
        let caisse = session
            .operator_of
            .clone()
            .ok_or(ServiceError::NotAnOperator)?;
        Ok(CaisseOperator {
            guichet: self,
            operator: session.user.identifiant.clone(),
            caisse: Some(caisse),
        })
    }
}

impl CaisseOperator<'_> {
    async fn traced(&self, action: &str, target: &str) -> Result<()> {
        let mut t = self.guichet.trace_record(TraceKind::Admin, "ok");
        t.identifiant = Some(self.operator.clone());
        // A signed-in operator's traces carry their caisse (their account's numéro de tiers).
        t.partner.clone_from(&self.caisse);
        t.detail = Some(format!("{action} {target}"));
        self.guichet.trace(t).await?;
        Ok(())
    }

    fn store(&self) -> &guichet_store::Store {
        &self.guichet.inner.store
    }

    /// Today in Paris, by the service's clock.
    pub fn today(&self) -> NaiveDate {
        self.guichet.today()
    }

    /// The caisse of a signed-in operator; `None` at the console.
    pub fn caisse(&self) -> Option<&str> {
        self.caisse.as_deref()
    }

    /// Refuses what only the console may do (the catalogue, hours, new partners).
    fn console_only(&self) -> Result<()> {
        match self.caisse {
            None => Ok(()),
            Some(_) => Err(ServiceError::OutsideConvention(
                "réservé à la console d'administration de la caisse".into(),
            )),
        }
    }

    /// Whether a signed-in operator's caisse holds a convention with this partner (the
    /// console reaches every partner).
    async fn in_scope(&self, partner_id: i64) -> Result<bool> {
        let Some(caisse) = &self.caisse else {
            return Ok(true);
        };
        Ok(self
            .store()
            .conventions_of(partner_id)
            .await?
            .iter()
            .any(|c| &c.caisse == caisse))
    }

    fn outside_caisse() -> ServiceError {
        ServiceError::OutsideConvention(
            "ce partenaire n'a pas de convention avec votre caisse".into(),
        )
    }

    async fn convention(&self, number: &str) -> Result<Convention> {
        let c = self
            .store()
            .convention(number)
            .await?
            .ok_or(ServiceError::NotFound("convention"))?;
        match &self.caisse {
            Some(caisse) if &c.caisse != caisse => Err(Self::outside_caisse()),
            _ => Ok(c),
        }
    }

    /// A partner; `care` sets its PSU effort rates.
    pub async fn add_partner(
        &self,
        tiers: &str,
        name: &str,
        kind: PartnerKind,
        care: CareType,
    ) -> Result<Partner> {
        self.console_only()?;
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
                self.guichet.now(),
            )
            .await?;
        self.traced("partner.add", &tiers).await?;
        Ok(p)
    }

    /// The partners (a signed-in operator's: those with a convention of their caisse).
    pub async fn partners(&self) -> Result<Vec<Partner>> {
        let mut out = Vec::new();
        for p in self.store().partners().await? {
            if self.in_scope(p.id).await? {
                out.push(p);
            }
        }
        Ok(out)
    }

    async fn partner(&self, tiers: &str) -> Result<Partner> {
        let p = self
            .store()
            .partner_by_tiers(tiers)
            .await?
            .ok_or(ServiceError::NotFound("partenaire"))?;
        if !self.in_scope(p.id).await? {
            return Err(Self::outside_caisse());
        }
        Ok(p)
    }

    /// the partner's type of care; its next lookups use that type's rates.
    pub async fn set_partner_care(&self, tiers: &str, care: CareType) -> Result<()> {
        self.console_only()?;
        let p = self.partner(tiers).await?;
        self.store().set_partner_care(p.id, care).await?;
        self.traced(&format!("partner.care.{care}"), tiers).await
    }

    /// the PSU barème as stored.
    pub async fn psu_bareme(&self) -> Result<Bareme> {
        self.console_only()?;
        Ok(self.store().psu_bareme().await?)
    }

    /// publishes a value of the barème (see [`Bareme::with_entry`]); refused, with
    /// nothing written, when the barème would not hold.
    pub async fn publish_bareme_entry(&self, entry: BaremeEntry) -> Result<Bareme> {
        self.console_only()?;
        let what = format!("{} {}", entry.item.kind(), entry.period.start);
        let bareme = self
            .store()
            .update_psu_bareme(move |b| b.with_entry(entry))
            .await?;
        self.guichet.forget_bareme();
        self.traced("bareme.set", &what).await?;
        Ok(bareme)
    }

    /// The national barème's values the database lacks (a caisse's own are kept); how many
    /// were added.
    pub async fn install_national_bareme(&self) -> Result<usize> {
        self.console_only()?;
        let mut before = 0;
        let after = self
            .store()
            .update_psu_bareme(|b| {
                before = b.entries().len();
                b.with_missing(national_bareme())
            })
            .await?;
        self.guichet.forget_bareme();
        let added = after.entries().len().saturating_sub(before);
        self.traced("bareme.national", &added.to_string()).await?;
        Ok(added)
    }

    /// suspends or reactivates a whole partner at once; its sessions end.
    pub async fn set_partner_status(&self, tiers: &str, status: PartnerStatus) -> Result<()> {
        self.console_only()?;
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
        if self.caisse.as_deref().is_some_and(|own| own != caisse) {
            return Err(Self::outside_caisse());
        }
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
        self.store()
            .service(service)
            .await?
            .ok_or(ServiceError::UnknownService)?;
        if departements.is_empty() {
            return Err(ServiceError::InvalidInput("au moins un département".into()));
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
        self.console_only()?;
        let now = self.guichet.now();
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
        let now = self.guichet.now();
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
        self.console_only()?;
        let c = self.convention(number).await?;
        if c.ends_on.is_some_and(|end| end < self.guichet.today()) {
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
        let received_on = received_on.unwrap_or_else(|| self.guichet.today());
        let ends_on = notice_end(rule, c.starts_on, received_on, asked)
            .map_err(|e| ServiceError::InvalidInput(e.to_string()))?;
        self.store()
            .set_convention_notice(number, Some(received_on), Some(ends_on))
            .await?;
        if ends_on < self.guichet.today() {
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
        self.console_only()?;
        let c = self.convention(number).await?;
        if c.ends_on.is_some_and(|end| end < self.guichet.today()) {
            return Err(ServiceError::InvalidInput(
                "la convention a pris fin : le préavis ne peut plus être retiré".into(),
            ));
        }
        self.store()
            .set_convention_notice(number, None, None)
            .await?;
        self.traced("convention.notice_withdrawn", number).await
    }

    /// A partner's conventions, with their terms.
    pub async fn conventions(&self, partner_tiers: &str) -> Result<Vec<Convention>> {
        let partner = self.partner(partner_tiers).await?;
        let mut out = self.store().conventions_of(partner.id).await?;
        if let Some(caisse) = &self.caisse {
            out.retain(|c| &c.caisse == caisse);
        }
        Ok(out)
    }

    /// registers a named user with habilitations on the partner's conventions for the
    /// given services. Returns the user and the temporary password, to hand over separately
    /// from the identifiant.
    pub async fn add_user(&self, request: &NewUserRequest) -> Result<(User, Zeroizing<String>)> {
        self.console_only()?;
        let identifiant = identifiant_field(&request.identifiant)?;
        let (display_name, email) = person_fields(&request.display_name, &request.email)?;
        let partner = self.partner(&request.partner_tiers).await?;
        let conventions = self.store().conventions_of(partner.id).await?;
        let today = self.guichet.today();
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
        if self.caisse.as_deref().is_some_and(|own| own != caisse) {
            return Err(Self::outside_caisse());
        }
        let caisse_def = self
            .store()
            .caisse(caisse)
            .await?
            .ok_or(ServiceError::NotFound("caisse"))?;
        let identifiant = identifiant_field(identifiant)?;
        let (display_name, email) = person_fields(display_name, email)?;
        let password = temporary_password(&self.guichet.inner.config.password, &identifiant);
        let hash = self.guichet.inner.hasher.hash(password.clone()).await?;
        let user = self
            .guichet
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
                &self.operator,
            )
            .await?;
        self.traced("operator.add", &format!("{identifiant} {caisse}"))
            .await?;
        Ok((user, password))
    }

    async fn user(&self, identifiant: &str) -> Result<User> {
        let ident =
            normalize_identifiant(identifiant).ok_or(ServiceError::NotFound("utilisateur"))?;
        let user = self
            .store()
            .user_by_identifiant(&ident)
            .await?
            .ok_or(ServiceError::NotFound("utilisateur"))?;
        if !self.in_scope(user.partner_id).await? {
            return Err(Self::outside_caisse());
        }
        Ok(user)
    }

    /// lost or stolen credentials: new temporary password, sessions ended, lockout
    /// cleared; the user must change it at next sign-in.
    pub async fn reset_password(&self, identifiant: &str) -> Result<Zeroizing<String>> {
        self.console_only()?;
        let user = self.user(identifiant).await?;
        let password = self.guichet.reset_to_temporary(&user).await?;
        self.traced("user.reset_password", &user.identifiant)
            .await?;
        Ok(password)
    }

    /// Suspension, reactivation, deactivation (departure, change of function).
    pub async fn set_user_status(&self, identifiant: &str, status: UserStatus) -> Result<()> {
        self.console_only()?;
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
            None if self.caisse.is_some() => {
                return Err(ServiceError::InvalidInput("un partenaire".into()));
            }
            None => None,
        };
        Ok(self.store().users(partner_id).await?)
    }

    /// makes a convention's habilitations managed by the partner itself, within
    /// `quota` habilitations in force (`None`: no quota), or changes its quota.
    pub async fn delegate(&self, number: &str, quota: Option<u32>) -> Result<()> {
        self.console_only()?;
        let c = self.convention(number).await?;
        self.store().delegate(c.id, quota).await?;
        let quota = quota.map_or_else(|| "sans quota".to_owned(), |q| q.to_string());
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
            self.delegate(number, Some(*max)).await?;
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
        self.console_only()?;
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
        if self
            .store()
            .set_delegation_withdrawn(p.id, self.caisse.as_deref(), at)
            .await?
            == 0
        {
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
        let now = self.guichet.now();
        let at = suspended.then_some(now);
        // The user's habilitation on a convention of that service (of the operator's caisse
        // for a signed-in operator), whichever convention holds it.
        let mut done = false;
        for c in self.store().conventions_of(user.partner_id).await? {
            let mine = self.caisse.as_deref().is_none_or(|own| own == c.caisse);
            if c.service == service
                && mine
                && self
                    .store()
                    .set_habilitation_suspended(user.id, c.id, at, now)
                    .await?
            {
                done = true;
            }
        }
        if !done {
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
        let late = self
            .store()
            .late_reviews(now - chrono::Duration::days(365), now)
            .await?;
        if self.caisse.is_none() {
            return Ok(late);
        }
        let mut out = Vec::new();
        for (tiers, n) in late {
            if self.partner(&tiers).await.is_ok() {
                out.push((tiers, n));
            }
        }
        Ok(out)
    }

    /// suspends the habilitations of a partner whose review is late (they give
    /// no access from the next call on); each comes back when its administrator confirms it.
    pub async fn suspend_late(&self, tiers: &str) -> Result<u64> {
        let p = self.partner(tiers).await?;
        let now = self.guichet.now();
        let n = self
            .store()
            .suspend_unreviewed(
                p.id,
                self.caisse.as_deref(),
                now - chrono::Duration::days(365),
                now,
            )
            .await?;
        // Sessions need not end: every call re-reads the habilitations in force.
        self.traced("review.suspend_late", &format!("{tiers} ({n})"))
            .await?;
        Ok(n)
    }

    /// a partner's users, roles and habilitations (with their départements), as the
    /// caisse supervises them.
    pub async fn supervised_users(&self, tiers: &str) -> Result<Vec<ManagedUser>> {
        let p = self.partner(tiers).await?;
        self.guichet.managed_users(&p).await
    }

    /// a partner's groups of users, as the caisse supervises them.
    pub async fn supervised_groups(&self, tiers: &str) -> Result<Vec<guichet_store::UserGroup>> {
        let p = self.partner(tiers).await?;
        Ok(self.store().groups(p.id).await?)
    }

    /// Whether the partner has delegated conventions, and whether the delegation is
    /// withdrawn.
    pub async fn delegation_state(&self, tiers: &str) -> Result<(bool, bool)> {
        let p = self.partner(tiers).await?;
        let d = self.store().delegations(p.id, self.guichet.now()).await?;
        let withdrawn = d.iter().any(|d| d.withdrawn_at.is_some());
        Ok((!d.is_empty(), withdrawn))
    }

    /// the traces of the caisse's partners and operators (the console: every trace),
    /// newest last, at most `limit`, without NIR digests.
    pub async fn traces(&self, limit: usize) -> Result<Vec<TraceRecord>> {
        let mut partners: Vec<Option<String>> = match &self.caisse {
            None => vec![None],
            Some(caisse) => {
                let mut v: Vec<_> = self
                    .partners()
                    .await?
                    .into_iter()
                    .map(|p| Some(p.tiers))
                    .collect();
                v.push(Some(caisse.clone()));
                v
            }
        };
        partners.dedup();
        let mut out: Vec<(i64, TraceRecord)> = Vec::new();
        for partner in partners {
            let filter = TraceFilter {
                partner,
                ..TraceFilter::default()
            };
            // Only each partner's last `limit` are kept while reading.
            let mut last = std::collections::VecDeque::with_capacity(limit.min(10_000));
            self.guichet
                .each_trace(&filter, |t| {
                    if last.len() == limit {
                        last.pop_front();
                    }
                    let mut record = t.record.clone();
                    record.nir_digest = None;
                    last.push_back((t.seq, record));
                    Ok(())
                })
                .await?;
            out.extend(last);
        }
        out.sort_by_key(|(seq, _)| *seq);
        let skip = out.len().saturating_sub(limit);
        Ok(out.into_iter().skip(skip).map(|(_, r)| r).collect())
    }

    /// adds a service or CDAP profile, or replaces its definition: a new profile is a
    /// row, not code. Returns whether it was new. Sessions pick the change up at their next
    /// call (they re-read their habilitations' services).
    pub async fn put_service(&self, def: &ServiceDef) -> Result<bool> {
        self.console_only()?;
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
        self.console_only()?;
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
        self.console_only()?;
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
        self.console_only()?;
        self.store().set_caisse_hours(code, hours).await?;
        self.traced("caisse.hours", &format!("{code}={hours}"))
            .await
    }
}
