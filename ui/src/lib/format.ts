// Pure presentation helpers (French formats). Unit-tested in format.test.ts.
import { ErrorCode } from "./ipc";
import type {
  AccountStatus,
  CareType,
  Environment,
  NoParticipation,
  QfBracket,
  ErrorBody,
  LookupOutcome,
  Period,
  RsaState,
  WipeReason,
} from "./ipc";

const euroFormat = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });

/** 123456 → "1 234,56 €" (French spacing). */
export function euros(cents: number): string {
  return euroFormat.format(cents / 100);
}

/** "2026-11-23" → "23/11/2026"; no time zone involved. */
export function dateFr(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** "2026-11" (a month as a date "2026-11-01") → "novembre 2026". */
export function monthFr(iso: string): string {
  const m = /^(\d{4})-(\d{2})/.exec(iso);
  if (!m) return iso;
  const months = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
  ];
  return `${months[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
}

export function periodFr(p: Period): string {
  return p.end ? `du ${dateFr(p.start)} au ${dateFr(p.end)}` : `depuis le ${dateFr(p.start)}`;
}

/** A NIR as typed → its 15 characters grouped "1 85 05 78 006 084 91" (display only). */
export function groupNir(text: string): string {
  const raw = text.replace(/[\s.\u00a0\u202f]/g, "").toUpperCase();
  const sizes = [1, 2, 2, 2, 3, 3, 2];
  const parts: string[] = [];
  let i = 0;
  for (const n of sizes) {
    if (i >= raw.length) break;
    parts.push(raw.slice(i, i + n));
    i += n;
  }
  if (i < raw.length) parts.push(raw.slice(i));
  return parts.join(" ");
}

/** The instant a closed service reopens, in Paris time: "mardi 24 novembre à 05:00"
 * ("1er" for the first of the month, as French writes it). */
export function reopensFr(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = new Intl.DateTimeFormat("fr-FR", {
    timeZone: "Europe/Paris",
    weekday: "long",
    day: "numeric",
    month: "long",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(d);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  const day = part("day") === "1" ? "1er" : part("day");
  return `${part("weekday")} ${day} ${part("month")} à ${part("hour")}:${part("minute")}`;
}

/** How the screen words an error: the backend's message, with what its code adds. */
type Wording = (e: ErrorBody) => string;

/** The backend's message as it is: it is already French and specific. */
const asSent: Wording = (e) => e.message;

/** A delay the backend may already state ("Réessayez dans 15 minutes."): not repeated. */
const withDelay: Wording = (e) => {
  if (e.retry_after_s == null || /réessayez/i.test(e.message)) return e.message;
  return `${e.message} Réessayez dans ${durationFr(e.retry_after_s)}.`;
};

/** The reopening day and time, which the backend's message may give without the day. */
const withReopening: Wording = (e) =>
  e.reopens_at ? `Service fermé : réouverture ${reopensFr(e.reopens_at)} (heure de Paris).` : e.message;

/** The one message table, keyed by every code the Rust side has: a code added there fails the
 * type check here until it is worded. `unknown` (a newer server's code) shows the server's
 * own message. */
export const errorWording: Record<ErrorCode, Wording> = {
  [ErrorCode.InvalidCredentials]: asSent,
  [ErrorCode.AccountLocked]: withDelay,
  [ErrorCode.AccountDisabled]: asSent,
  [ErrorCode.TemporaryPasswordExpired]: asSent,
  [ErrorCode.SessionExpired]: asSent,
  [ErrorCode.PasswordChangeRequired]: asSent,
  [ErrorCode.PasswordPolicy]: asSent,
  [ErrorCode.ServiceNotGranted]: asSent,
  [ErrorCode.UnknownService]: asSent,
  [ErrorCode.ServiceClosed]: withReopening,
  [ErrorCode.NirMalformed]: asSent,
  [ErrorCode.NirKeyMismatch]: asSent,
  [ErrorCode.NameMalformed]: asSent,
  [ErrorCode.RateLimited]: withDelay,
  [ErrorCode.NumeroInstructeurRequired]: asSent,
  [ErrorCode.InvalidInput]: asSent,
  [ErrorCode.NotFound]: asSent,
  [ErrorCode.Conflict]: asSent,
  [ErrorCode.QuotaReached]: asSent,
  [ErrorCode.NotAManager]: asSent,
  [ErrorCode.NotAnOperator]: asSent,
  [ErrorCode.OutsideConvention]: asSent,
  [ErrorCode.DelegationWithdrawn]: asSent,
  [ErrorCode.ConsoleOnly]: asSent,
  [ErrorCode.OwnAccount]: asSent,
  [ErrorCode.IdentifiantTaken]: asSent,
  [ErrorCode.EndDateRequired]: asSent,
  [ErrorCode.InvalidBody]: asSent,
  [ErrorCode.PayloadTooLarge]: asSent,
  [ErrorCode.UnsupportedMediaType]: asSent,
  [ErrorCode.MethodNotAllowed]: asSent,
  [ErrorCode.Busy]: withDelay,
  [ErrorCode.Timeout]: asSent,
  [ErrorCode.Unavailable]: asSent,
  [ErrorCode.Internal]: asSent,
  [ErrorCode.TraceKeyRequired]: asSent,
  [ErrorCode.InvalidUrl]: asSent,
  [ErrorCode.InvalidCa]: asSent,
  [ErrorCode.ServerUnreachable]: asSent,
  [ErrorCode.TlsError]: asSent,
  [ErrorCode.BadResponse]: asSent,
  [ErrorCode.UnknownProfile]: asSent,
  [ErrorCode.InvalidProfile]: asSent,
  [ErrorCode.ProfilesPinned]: asSent,
  [ErrorCode.LastProfile]: asSent,
  [ErrorCode.BundledForbidden]: asSent,
  [ErrorCode.BundledUnavailable]: asSent,
  [ErrorCode.SettingsUnwritable]: asSent,
  [ErrorCode.KeychainUnavailable]: asSent,
  [ErrorCode.ClipboardUnavailable]: asSent,
  [ErrorCode.PolicyRefused]: asSent,
  [ErrorCode.Unknown]: asSent,
};

/** The message of an error as the screen shows it (see `errorWording`). */
export function errorText(e: ErrorBody): string {
  return (errorWording[e.code] ?? asSent)(e);
}

export function durationFr(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.ceil(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")}`;
}

export const outcomeTitle: Record<LookupOutcome, string> = {
  found: "Dossier trouvé",
  not_found: "Aucun dossier",
  out_of_scope: "Hors de votre territoire",
  opposition: "Consultation refusée",
  not_eligible: "Dossier non éligible",
};

export const rsaStateLabel: Record<RsaState, string> = {
  open: "Ouvert",
  suspended: "Suspendu",
  closed: "Clos",
};

export const environmentLabel: Record<Environment, string> = {
  production: "Production",
  recette: "Recette",
  demo: "Démonstration",
};

export function wipeMessage(reason: WipeReason): string {
  switch (reason) {
    case "sign_out":
      return "Vous êtes déconnecté. Les données consultées ont été effacées.";
    case "idle":
      return "Session fermée après une période d'inactivité. Les données consultées ont été effacées.";
    case "screen_locked":
      return "Session fermée au verrouillage du poste. Les données consultées ont été effacées.";
    case "sleep":
      return "Session fermée à la mise en veille du poste. Les données consultées ont été effacées.";
    case "session_expired":
      return "Votre session a expiré. Reconnectez-vous.";
  }
}

/** Today in Paris as "YYYY-MM-DD" (the max of the date field). Built from the parts: the
 * "en-CA" pattern is not the same in every ICU the webviews ship. */
export function todayParis(now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(now);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/** A date as typed in French, whatever the workstation's locale: "23/11/2026", "3/1/2026",
 * "23.11.2026", "23-11-2026" or "23112026" → "2026-11-23"; null when it is not a calendar
 * date (31/02, month 13, a year before 1900). */
export function parseDateFr(text: string): string | null {
  const t = text.trim();
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t) ?? /^(\d{2})(\d{2})(\d{4})$/.exec(t);
  if (!m) return null;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1900 || month < 1 || month > 12 || day < 1) return null;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > last) return null;
  const two = (n: number) => String(n).padStart(2, "0");
  return `${year}-${two(month)}-${two(day)}`;
}

/** What a date field holds: nothing, a date, or why it is refused (in French). */
export type DateRead = { iso: string | null; error: null } | { iso: null; error: string };

/** Reads an optional date field (`max`, `min`: the latest and earliest dates allowed,
 * "YYYY-MM-DD"). */
export function readDateFr(text: string, max?: string, min?: string): DateRead {
  if (!text.trim()) return { iso: null, error: null };
  const iso = parseDateFr(text);
  if (!iso) return { iso: null, error: "Date invalide : saisissez-la sous la forme jj/mm/aaaa." };
  if (max && iso > max) return { iso: null, error: `La date ne peut pas dépasser le ${dateFr(max)}.` };
  if (min && iso < min) return { iso: null, error: `La date ne peut pas précéder le ${dateFr(min)}.` };
  return { iso, error: null };
}

/** The `count` months up to `iso`'s (included), newest first: "2026-11", "2026-10", … */
export function monthsUpTo(iso: string, count: number): string[] {
  const m = /^(\d{4})-(\d{2})/.exec(iso);
  if (!m) return [];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1 - i, 1));
    out.push(d.toISOString().slice(0, 7));
  }
  return out;
}

/** An effort rate in parts per million → "0,0619 %" (as the CNAF writes it). */
export function rateFr(ppm: number): string {
  return `${Math.floor(ppm / 10_000)},${String(ppm % 10_000).padStart(4, "0")} %`;
}

/** Cents → "1,86": the figure alone, as billing software takes it (no symbol, no spaces). */
export function amountPlain(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const c = Math.abs(Math.trunc(cents));
  return `${sign}${Math.floor(c / 100)},${String(c % 100).padStart(2, "0")}`;
}

/** Hours as typed ("120", "120,5", "87.25") → hundredths of an hour; null when not a number
 * of hours a month can hold (at most 744, two decimals). */
export function parseHours(text: string): number | null {
  const m = /^(\d{1,3})(?:[,.](\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  const hundredths = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  return hundredths <= 744 * 100 ? hundredths : null;
}

/** The monthly estimate: hourly × hours, rounded half up to the cent (integers only). */
export function monthlyCents(hourlyCents: number, hoursHundredths: number): number {
  return Math.floor((hourlyCents * hoursHundredths + 50) / 100);
}

export const careLabel: Record<CareType, string> = {
  collective: "accueil collectif",
  familial: "accueil familial",
  parental: "accueil parental",
};

export const noParticipationMessage: Record<NoParticipation, string> = {
  no_resources: "aucune ressource en vigueur à cette date.",
  no_bareme: "aucun barème PSU en vigueur à cette date.",
  no_dependent_child: "aucun enfant à charge à cette date.",
};

/** the bracket of the grid a QF falls in (bounds inclusive), or null. */
export function qfBracketOf(grid: readonly QfBracket[], qf: number): QfBracket | null {
  return grid.find((b) => qf >= b.from && (b.to == null || qf <= b.to)) ?? null;
}

/** a grid as typed in the profile form, one bracket per line "label ; from ; to ;
 * price" (`to` and `price` may be empty) → brackets, or the line at fault in French. The
 * backend checks the grid as a whole (order, overlaps, lengths). */
export function parseQfGrid(text: string): { brackets: QfBracket[] } | { error: string } {
  const brackets: QfBracket[] = [];
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  for (const [i, line] of lines.entries()) {
    const fields = line.split(";").map((f) => f.trim());
    const [label = "", from = "", to = "", price = ""] = fields;
    const bad = (what: string) => ({ error: `Grille QF, ligne ${i + 1} : ${what}.` });
    if (fields.length < 2 || fields.length > 4 || !label) return bad("« libellé ; QF de ; QF à ; prix » attendu");
    if (!/^\d{1,6}$/.test(from)) return bad("QF de départ invalide");
    if (to && !/^\d{1,6}$/.test(to)) return bad("QF de fin invalide");
    const cents = price ? /^(\d{1,5})(?:[,.](\d{1,2}))?$/.exec(price.replace(/\s*€$/, "")) : null;
    if (price && !cents) return bad("prix invalide (en euros, par exemple 1,50)");
    brackets.push({
      label,
      from: Number(from),
      to: to ? Number(to) : null,
      price_cents: cents ? Number(cents[1]) * 100 + Number((cents[2] ?? "").padEnd(2, "0")) : null,
    });
  }
  return { brackets };
}

/** The text form of a grid (the inverse of `parseQfGrid`). */
export function qfGridText(grid: readonly QfBracket[]): string {
  return grid
    .map((b) => [b.label, b.from, b.to ?? "", b.price_cents != null ? amountPlain(b.price_cents) : ""].join(" ; "))
    .join("\n");
}

/** An instant in Paris time, for trace listings: "23/11/2026 10:00". */
export function dateTimeParis(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(d);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("day")}/${part("month")}/${part("year")} ${part("hour")}:${part("minute")}`;
}

/** "2026-11-23" minus `days` days → "2026-10-24" (calendar arithmetic, no time zone). */
export function daysBefore(iso: string, days: number): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) - days));
  return d.toISOString().slice(0, 10);
}

/** "1 membre", "2 membres" (French: 0 and 1 take the singular). */
export function countFr(n: number, singular: string, plural: string): string {
  return `${n} ${n <= 1 ? singular : plural}`;
}

/** What a trace records (`TraceKind` codes); another code is shown as it is. */
const traceKindLabels: Record<string, string> = {
  sign_in: "Connexion",
  sign_out: "Déconnexion",
  password_change: "Changement de mot de passe",
  lookup: "Consultation",
  timeout: "Fin de session",
  admin: "Administration",
};

export function traceKindFr(kind: string): string {
  return traceKindLabels[kind] ?? kind;
}

/** A trace's outcome: `ok`, a lookup's outcome, an error code, or why a session ended. */
const traceOutcomeLabels: Record<string, string> = {
  ok: "Réussi",
  ...outcomeTitle,
  invalid_credentials: "Identifiants refusés",
  invalid_credentials_locked: "Identifiants refusés, compte verrouillé",
  account_locked: "Compte verrouillé",
  account_disabled: "Compte désactivé",
  temporary_password_expired: "Mot de passe provisoire expiré",
  password_policy: "Mot de passe refusé",
  rate_limited: "Trop de consultations",
  service_closed: "Service fermé",
  service_not_granted: "Service non attribué",
  nir_malformed: "NIR invalide",
  nir_key_mismatch: "Clé du NIR erronée",
  name_malformed: "Nom invalide",
  idle: "Inactivité",
  absolute: "Durée maximale atteinte",
  screen_locked: "Poste verrouillé",
  sleep: "Mise en veille",
};

export function traceOutcomeFr(outcome: string): string {
  return traceOutcomeLabels[outcome] ?? outcome;
}

export const accountStatusLabel: Record<AccountStatus, string> = {
  active: "Actif",
  suspended: "Suspendu",
  deactivated: "Désactivé",
};

/** a partner's roles (`ManagedUserInfo.role`, `SessionView.partner_role`). */
export function partnerRoleFr(role: string | null): string {
  switch (role) {
    case "administrator":
      return "Administrateur";
    case "deputy":
      return "Suppléant";
    case "manager":
      return "Gestionnaire délégué";
    case null:
      return "Utilisateur";
    default:
      return role;
  }
}
