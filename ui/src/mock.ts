// A stand-in for the Rust side, for the accessibility run (axe.html, tests/a11y.mjs): every
// command of lib/api.ts answered with realistic French data of the exact shapes of the Rust
// types (serde: absent `skip_serializing_if` fields are left out, other `None`s are null).
// The scenario is chosen by `location.hash`; see SCENARIOS.
import { ErrorCode } from "./lib/ipc";
import type {
  Address,
  ContactDetails,
  DossierView,
  ErrorBody,
  FamilySituation,
  HoursView,
  LookupOutcome,
  LookupResponse,
  NirCheck,
  Profile,
  ProfileView,
  QuotientFamilial,
  RsaRight,
  Benefit,
  Section,
  ServiceInfo,
  SessionView,
  StartupView,
  Violation,
  YearlyResources,
} from "./lib/ipc";
import { todayParis } from "./lib/format";

export const SCENARIOS = [
  "signin",
  "signin-error",
  "signin-demo",
  "change",
  "lookup",
  "found-psu",
  "found-rsacg",
  "found-qf",
  "not_found",
  "opposition",
  "out_of_scope",
  "not_eligible",
  "closed",
  "countdown",
  "managed-policy",
  "policy-error",
  "profiles",
  "startup-error",
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export function scenarioFromHash(hash: string): Scenario {
  const name = hash.replace(/^#/, "");
  return (SCENARIOS as readonly string[]).includes(name) ? (name as Scenario) : "signin";
}

// ---------------------------------------------------------------------------------------
// Reference data (crates/store/src/reference.rs).

const SERVICES: Record<string, { label: string; sections: Section[]; idle: number }> = {
  psu: {
    label: "Ressources PSU (crèches)",
    sections: ["coordonnees", "situation_familiale", "ressources", "recherche"],
    idle: 900,
  },
  qf: {
    label: "Quotient familial",
    sections: ["coordonnees", "quotient_familial", "recherche"],
    idle: 900,
  },
  rsacg: {
    label: "RSA pour le conseil départemental",
    sections: ["situation_familiale", "droits", "rsa", "ressources", "adresse"],
    idle: 1800,
  },
  "cdap-t19": {
    label: "CDAP T19 – Contrôle RSA",
    sections: ["coordonnees", "situation_familiale", "rsa", "droits", "ressources", "adresse"],
    idle: 900,
  },
};

function service(code: keyof typeof SERVICES, caisse: string, departements: string[], hours: string): ServiceInfo {
  const s = SERVICES[code];
  if (!s) throw new Error(`service inconnu : ${code}`);
  return { code, label: s.label, sections: s.sections, idle_timeout_s: s.idle, caisse, departements, hours };
}

const PROFILE_PROD: Profile = {
  name: "MSA d'Alsace",
  url: "https://guichet.alsace.msa.fr",
  caisse: "MSA-ALSACE",
  environment: "production",
};
const PROFILE_RECETTE: Profile = {
  name: "MSA d'Alsace (recette)",
  url: "https://recette.guichet.alsace.msa.fr",
  caisse: "MSA-ALSACE",
  environment: "recette",
};
const PROFILE_BOURGOGNE: Profile = {
  name: "MSA de Bourgogne",
  url: "https://guichet.bourgogne.msa.fr",
  caisse: "MSA-BOURGOGNE",
  environment: "production",
};
const PROFILE_DEMO: Profile = {
  name: "Démonstration (données fictives)",
  url: "bundled",
  caisse: "",
  environment: "demo",
};

function view(profile: Profile, remembered_identifiant: string | null = null, remembered_password = false): ProfileView {
  return { profile, bundled: profile.url === "bundled", remembered_identifiant, remembered_password };
}

function inHours(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The session of each kind of partner (crèche, mairie, département). */
function session(kind: "creche" | "mairie" | "departement", extra: Partial<SessionView> = {}): SessionView {
  const base = {
    must_change_password: false,
    password_age_warning: false,
    expires_at: inHours(10),
    can_remember_password: false,
    password_rules: { min_length: 12, max_length: 128, history: 5 },
  };
  switch (kind) {
    case "creche":
      return {
        ...base,
        profile: PROFILE_PROD.name,
        environment: "production",
        user: { identifiant: "c.muller", display_name: "Claire Muller", test_account: false },
        partner: { tiers: "EAJE-67-0142", name: "Crèche Les Petits Loups" },
        services: [service("psu", "MSA-ALSACE", ["67", "68"], "05:00-23:00")],
        idle_timeout_s: 900,
        ...extra,
      };
    case "mairie":
      return {
        ...base,
        profile: PROFILE_BOURGOGNE.name,
        environment: "production",
        user: { identifiant: "j.bernard", display_name: "Julien Bernard", test_account: false },
        partner: { tiers: "COMMUNE-21231", name: "Ville de Dijon, service jeunesse" },
        services: [service("qf", "MSA-BOURGOGNE", ["21"], "05:00-23:00")],
        idle_timeout_s: 900,
        ...extra,
      };
    case "departement":
      return {
        ...base,
        profile: PROFILE_RECETTE.name,
        environment: "recette",
        user: { identifiant: "s.weber", display_name: "Sophie Weber", test_account: true },
        partner: { tiers: "CD-67", name: "Conseil départemental du Bas-Rhin" },
        services: [
          service("rsacg", "MSA-ALSACE", ["67"], "05:00-23:00"),
          service("cdap-t19", "MSA-ALSACE", ["67"], "05:00-23:00"),
        ],
        idle_timeout_s: 900,
        can_remember_password: true,
        ...extra,
      };
  }
}

const POLICY_OPEN: StartupView["policy"] = {
  managed: false,
  profiles_pinned: false,
  allow_bundled: true,
  allow_remember_password: true,
  idle_timeout_secs: null,
  error: null,
};

function startup(scenario: Scenario): StartupView {
  const base: StartupView = {
    version: "0.1.0",
    profiles: [view(PROFILE_PROD, "c.muller"), view(PROFILE_RECETTE), view(PROFILE_DEMO, "demo.creche")],
    policy: POLICY_OPEN,
    keychain_error: null,
    last_wipe: null,
    session: null,
  };
  switch (scenario) {
    case "signin":
      return { ...base, last_wipe: "idle" };
    case "signin-error":
    case "change":
      return { ...base, profiles: [view(PROFILE_PROD), view(PROFILE_RECETTE), view(PROFILE_DEMO)] };
    case "signin-demo":
      return { ...base, profiles: [view(PROFILE_DEMO, "demo.creche", true), view(PROFILE_PROD, "c.muller")] };
    case "profiles":
      return { ...base, last_wipe: "sign_out" };
    case "managed-policy":
      return {
        ...base,
        profiles: [view(PROFILE_PROD, "c.muller"), view(PROFILE_BOURGOGNE)],
        policy: {
          managed: true,
          profiles_pinned: true,
          allow_bundled: false,
          allow_remember_password: false,
          idle_timeout_secs: 600,
          error: null,
        },
        keychain_error: "Le trousseau du système est verrouillé : l'identifiant ne sera pas mémorisé.",
      };
    case "policy-error":
      return {
        ...base,
        profiles: [],
        policy: {
          managed: true,
          profiles_pinned: true,
          allow_bundled: false,
          allow_remember_password: false,
          idle_timeout_secs: null,
          error:
            "La politique du poste est invalide : champ inconnu « profils », attendu « profiles » (ligne 3).",
        },
      };
    case "lookup":
      return { ...base, session: session("departement", { password_age_warning: true }) };
    case "found-psu":
    case "not_found":
    case "opposition":
    case "out_of_scope":
    case "not_eligible":
    case "closed":
      return { ...base, session: session("creche") };
    case "found-qf":
      return { ...base, session: session("mairie") };
    case "found-rsacg":
      return { ...base, session: session("departement") };
    case "countdown":
      return { ...base, session: session("creche") };
    case "startup-error":
      throw new Error("unreachable");
  }
}

// ---------------------------------------------------------------------------------------
// Files (the demo's synthetic people), projected per service as service_def.rs does.

interface FullDossier {
  contact: ContactDetails;
  address: Address;
  family: FamilySituation;
  resources: YearlyResources[];
  quotients: QuotientFamilial[];
  rsa: RsaRight | null;
  benefits: Benefit[];
}

const year = (y: number) => ({ start: `${y}-01-01`, end: `${y}-12-31` });

export const NIRS = {
  psu: "2 88 03 67 482 157 65",
  qf: "1 79 01 21 231 045 96",
  rsacg: "1 83 06 67 482 093 84",
} as const;

const DOSSIERS: Record<keyof typeof NIRS, FullDossier> = {
  psu: {
    contact: {
      allocataire_number: "6700248193",
      civility: "madame",
      first_name: "Léa",
      birth_name: "Schmitt",
      usage_name: "Muller",
      birth_date: "1988-03-14",
    },
    address: { line1: "4 rue du Marais-Vert", line2: null, postcode: "67000", city: "Strasbourg" },
    family: {
      status: "couple",
      partner: { first_name: "Thomas", last_name: "Muller", birth_date: "1986-11-02" },
      children: [
        { first_name: "Emma", birth_date: "2022-04-12", disabled: false },
        { first_name: "Lucas", birth_date: "2025-09-03", disabled: true },
      ],
    },
    resources: [
      { reference_year: 2024, validity: year(2026), allocataire_cents: 2841563, partner_cents: 3120000 },
      { reference_year: 2023, validity: year(2025), allocataire_cents: 2715020, partner_cents: 2988450 },
    ],
    quotients: [],
    rsa: null,
    benefits: [],
  },
  qf: {
    contact: {
      allocataire_number: "2100731544",
      civility: "monsieur",
      first_name: "Karim",
      birth_name: "Bernard",
      usage_name: null,
      birth_date: "1979-01-27",
    },
    address: { line1: "18 avenue Jean-Jaurès", line2: "Appartement 12", postcode: "21000", city: "Dijon" },
    family: {
      status: "single",
      partner: null,
      children: [
        { first_name: "Inès", birth_date: "2012-06-30", disabled: false },
        { first_name: "Yanis", birth_date: "2015-02-18", disabled: false },
      ],
    },
    resources: [],
    quotients: [
      { validity: { start: "2026-07-01", end: null }, amount: 742 },
      { validity: { start: "2026-01-01", end: "2026-06-30" }, amount: 688 },
      { validity: year(2025), amount: 815 },
    ],
    rsa: null,
    benefits: [],
  },
  rsacg: {
    contact: {
      allocataire_number: "6701190372",
      civility: "monsieur",
      first_name: "Jérôme",
      birth_name: "Keller",
      usage_name: null,
      birth_date: "1983-06-09",
    },
    address: {
      line1: "12 rue des Tanneurs",
      line2: "Bâtiment B, 3e étage",
      postcode: "67000",
      city: "Strasbourg",
    },
    family: {
      status: "single",
      partner: null,
      children: [{ first_name: "Nathan", birth_date: "2016-10-21", disabled: false }],
    },
    resources: [{ reference_year: 2024, validity: year(2026), allocataire_cents: 684200, partner_cents: 0 }],
    quotients: [],
    rsa: {
      state: "open",
      period: { start: "2025-03-01", end: null },
      monthly_cents: 82561,
      payments: [
        { month: "2026-10-01", amount_cents: 82561 },
        { month: "2026-09-01", amount_cents: 82561 },
        { month: "2026-08-01", amount_cents: 79014 },
        { month: "2026-07-01", amount_cents: 79014 },
        { month: "2026-06-01", amount_cents: 79014 },
        { month: "2026-05-01", amount_cents: 64530 },
      ],
    },
    benefits: [
      { code: "RSA", label: "Revenu de solidarité active", period: { start: "2025-03-01", end: null }, monthly_cents: 82561 },
      { code: "APL", label: "Aide personnalisée au logement", period: { start: "2024-09-01", end: null }, monthly_cents: 31247 },
      { code: "PPA", label: "Prime d'activité", period: { start: "2024-09-01", end: "2025-02-28" }, monthly_cents: 18930 },
    ],
  },
};

const inForce = (p: { start: string; end: string | null }, date: string) =>
  p.start <= date && (p.end === null || date <= p.end);

/** service_def.rs `project`: only the service's sections, the others left out. */
function project(code: string, d: FullDossier, asOf: string): DossierView {
  const def = SERVICES[code];
  if (!def) throw new Error(`service inconnu : ${code}`);
  const show = (s: Section) => def.sections.includes(s);
  const out: DossierView = { service: code, sections: def.sections };
  if (show("coordonnees")) out.coordonnees = d.contact;
  if (show("situation_familiale")) out.situation_familiale = d.family;
  if (show("ressources")) out.ressources = d.resources;
  if (show("quotient_familial")) out.quotient_familial = d.quotients;
  if (show("recherche")) {
    out.recherche = {
      date: asOf,
      resources: show("ressources") ? (d.resources.find((r) => inForce(r.validity, asOf)) ?? null) : null,
      quotient: show("quotient_familial") ? (d.quotients.find((q) => inForce(q.validity, asOf)) ?? null) : null,
    };
  }
  if (show("droits")) out.droits = d.benefits;
  if (show("rsa") && d.rsa) out.rsa = d.rsa;
  if (show("adresse")) out.adresse = d.address;
  return out;
}

const OUTCOME_MESSAGE: Record<LookupOutcome, string> = {
  found: "Dossier trouvé.",
  not_found: "Aucun dossier ne correspond à ce NIR et à ce nom.",
  out_of_scope:
    "Ce dossier est hors de votre périmètre : il n'est pas géré par votre caisse ou pas dans les départements de votre convention.",
  opposition: "L'allocataire s'est opposé à la consultation de son dossier.",
  not_eligible: "Ce dossier ne relève pas de ce service : l'allocataire ne remplit pas ses conditions.",
};

// ---------------------------------------------------------------------------------------
// The core's rules, as check_nir and check_password apply them (enough for the screens).

function stripNir(text: string): string {
  return text.replace(/[ .\u00a0\u202f\t]/g, "").toUpperCase();
}

export function nirKey(first13: string): string {
  const digits = first13.replace(/^(\d{5})2A/, "$119").replace(/^(\d{5})2B/, "$118");
  return String(97 - Number(BigInt(digits) % 97n)).padStart(2, "0");
}

function checkNir(text: string): NirCheck {
  const raw = stripNir(text);
  const ko = (code: ErrorCode, message: string, incomplete = false): NirCheck => ({
    valid: false,
    code,
    message,
    incomplete,
  });
  if (!raw) return ko(ErrorCode.NirMalformed, "Le NIR est vide", true);
  const bad = [...raw].findIndex((c, i) => !(/\d/.test(c) || (i === 6 && /[AB]/.test(c) && raw[5] === "2")));
  if (bad >= 0) return ko(ErrorCode.NirMalformed, `Caractère non valide en position ${bad + 1} du NIR`);
  if (raw.length !== 15) {
    return ko(
      ErrorCode.NirMalformed,
      `Le NIR doit compter 15 caractères (13 et la clé), ${raw.length} saisis`,
      raw.length < 15 && /^[1278]/.test(raw),
    );
  }
  if (!/^[1278]/.test(raw)) return ko(ErrorCode.NirMalformed, "Le premier chiffre du NIR (sexe) doit être 1, 2, 7 ou 8");
  if (nirKey(raw.slice(0, 13)) !== raw.slice(13)) {
    return ko(ErrorCode.NirKeyMismatch, "La clé du NIR ne correspond pas aux 13 premiers caractères");
  }
  return { valid: true, code: null, message: null, incomplete: false };
}

const COMMON = ["motdepasse", "azerty", "123456", "password", "soleil", "guichet"];

function checkPassword(candidate: string, identifiant: string): Violation[] {
  const v: Violation[] = [];
  const add = (code: string, message: string) => v.push({ code, message });
  if ([...candidate].length < 12) add("too_short", "au moins 12 caractères");
  if (!/\p{Lu}/u.test(candidate)) add("missing_uppercase", "au moins une majuscule");
  if (!/\p{Ll}/u.test(candidate)) add("missing_lowercase", "au moins une minuscule");
  if (!/\d/.test(candidate)) add("missing_digit", "au moins un chiffre");
  if (!/[^\p{L}\d]/u.test(candidate)) add("missing_symbol", "au moins un caractère spécial");
  if (identifiant && candidate.toLowerCase().includes(identifiant.toLowerCase())) {
    add("contains_identifiant", "ne doit pas contenir l'identifiant");
  }
  if (COMMON.some((c) => candidate.toLowerCase().includes(c))) add("common", "trop courant, facile à deviner");
  return v;
}

// ---------------------------------------------------------------------------------------
// The handler.

function error(code: ErrorCode, message: string, extra: Partial<ErrorBody> = {}): ErrorBody {
  // Only the fields the backend sends (skip_serializing_if on the optional ones).
  return { code, message, ...extra };
}

type Args = Record<string, unknown> | undefined;

function need<T>(args: Args, name: string): T {
  if (!args || !(name in args)) throw error(ErrorCode.Internal, `argument « ${name} » manquant (maquette)`);
  return args[name] as T;
}

/** Paris "05:00" tomorrow, as a UTC instant: what a closed service answers. */
function nextOpening(): { hhmm: string; at: string } {
  const tomorrow = new Date(Date.now() + 86_400_000);
  const day = todayParis(tomorrow);
  // 05:00 Paris is 04:00 UTC in winter, 03:00 UTC in summer.
  const winter = new Date(`${day}T04:00:00Z`);
  const hour = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Paris", hour: "2-digit", hourCycle: "h23" }).format(winter);
  const at = hour === "05" ? `${day}T04:00:00Z` : `${day}T03:00:00Z`;
  return { hhmm: "05:00", at };
}

export interface Mock {
  handle: (cmd: string, args: Args) => unknown;
  /** Emits a backend event to the listeners the UI registered. */
  emit: (event: string, payload: unknown) => void;
}

export function createMock(scenario: Scenario, runCallback: (id: number, data: unknown) => void): Mock {
  const listeners = new Map<string, number[]>();
  let current: SessionView | null = null;
  let profiles: ProfileView[] = [];

  function emit(event: string, payload: unknown) {
    for (const id of listeners.get(event) ?? []) runCallback(id, { event, id, payload });
  }

  function handle(cmd: string, args: Args): unknown {
    switch (cmd) {
      // The event plugin: `listen` registers a callback id and answers the listener id.
      case "plugin:event|listen": {
        const event = need<string>(args, "event");
        const handler = need<number>(args, "handler");
        listeners.set(event, [...(listeners.get(event) ?? []), handler]);
        if (scenario === "countdown" && event === "watchdog") {
          setTimeout(() => emit("watchdog", { state: "warning", remaining_s: 42 }), 50);
        }
        return handler;
      }
      case "plugin:event|unlisten": {
        const event = need<string>(args, "event");
        const id = need<number>(args, "eventId");
        listeners.set(event, (listeners.get(event) ?? []).filter((h) => h !== id));
        return null;
      }

      case "startup": {
        if (scenario === "startup-error") {
          throw error(ErrorCode.Internal, "Le dossier de données de Guichet est illisible : vérifiez les droits du profil Windows.");
        }
        const s = startup(scenario);
        if (profiles.length === 0) profiles = s.profiles;
        current = current ?? s.session;
        return { ...s, profiles, session: current };
      }
      case "prepare":
        need<string>(args, "profile");
        return null;
      case "sign_in": {
        const a = need<{ profile: string; identifiant: string; password: string }>(args, "args");
        if (scenario === "signin-error") {
          throw error(
            ErrorCode.AccountLocked,
            "Trop d'essais infructueux : le compte est verrouillé. Réessayez dans 15 minutes.",
            { retry_after_s: 900 },
          );
        }
        current = session("creche", {
          profile: a.profile,
          must_change_password: scenario === "change",
          user: { identifiant: a.identifiant, display_name: "Claire Muller", test_account: false },
        });
        return current;
      }
      case "change_password": {
        const r = need<{ current_password: string; new_password: string }>(args, "request");
        const v = checkPassword(r.new_password, current?.user.identifiant ?? "");
        if (v.length) {
          throw error(ErrorCode.PasswordPolicy, `Mot de passe refusé : ${v.map((x) => x.message).join(", ")}.`, {
            violations: v,
          });
        }
        if (!current) throw error(ErrorCode.SessionExpired, "Votre session a expiré. Reconnectez-vous avec votre identifiant et votre mot de passe.");
        current = { ...current, must_change_password: false, password_age_warning: false };
        return current;
      }
      case "check_password":
        return checkPassword(need<string>(args, "candidate"), need<string>(args, "identifiant"));
      case "check_nir":
        return checkNir(need<string>(args, "nir"));
      case "hours": {
        need<string>(args, "service");
        if (scenario === "closed") {
          const o = nextOpening();
          return { open: false, reopens_hhmm: o.hhmm, reopens_at: o.at } satisfies HoursView;
        }
        return { open: true, reopens_hhmm: null, reopens_at: null } satisfies HoursView;
      }
      case "lookup": {
        const r = need<{ service: string; nir: string; name: string; as_of?: string | null }>(args, "request");
        if (scenario === "closed") {
          const o = nextOpening();
          throw error(ErrorCode.ServiceClosed, `Service fermé, réouverture à ${o.hhmm}.`, { reopens_at: o.at });
        }
        if (!checkNir(r.nir).valid) throw error(ErrorCode.NirMalformed, "Le NIR n'est pas valide.");
        const outcome: LookupOutcome =
          scenario === "not_found" || scenario === "opposition" || scenario === "out_of_scope" || scenario === "not_eligible"
            ? scenario
            : "found";
        if (outcome !== "found") return { outcome, message: OUTCOME_MESSAGE[outcome] } satisfies LookupResponse;
        const key = (Object.keys(NIRS) as (keyof typeof NIRS)[]).find((k) => stripNir(NIRS[k]) === stripNir(r.nir));
        if (!key) return { outcome: "not_found", message: OUTCOME_MESSAGE.not_found } satisfies LookupResponse;
        return {
          outcome,
          message: OUTCOME_MESSAGE.found,
          dossier: project(r.service, DOSSIERS[key], r.as_of ?? todayParis()),
        } satisfies LookupResponse;
      }
      case "activity":
      case "forget_credentials":
        return null;
      case "copy_text":
        need<string>(args, "text");
        return null;
      case "sign_out":
        current = null;
        return null;
      case "save_profile": {
        const p = need<Profile>(args, "profile");
        if (!p.name.trim()) throw error(ErrorCode.InvalidInput, "Le nom du profil doit compter de 1 à 80 caractères.");
        profiles = [...profiles.filter((x) => x.profile.name !== p.name.trim()), view({ ...p, name: p.name.trim() })];
        return null;
      }
      case "delete_profile": {
        const name = need<string>(args, "name");
        profiles = profiles.filter((x) => x.profile.name !== name);
        return null;
      }
      default:
        throw error(ErrorCode.Internal, `commande inconnue de la maquette : ${cmd}`);
    }
  }

  return { handle, emit };
}
