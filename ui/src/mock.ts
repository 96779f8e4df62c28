// A stand-in for the Rust side, for the accessibility run (axe.html, tests/a11y.mjs). It
// holds no rule of its own: every answer is one the Rust code gave, recorded by
// tests/ui_fixtures.rs into recorded.ts (sessions, lookups of every outcome, NIR and password
// checks, errors), replayed by request. An input that was not recorded is refused loudly, so
// a scenario that drifts from the recording fails instead of showing made-up data. What is
// left here is the scenario's setting: which profiles and policy the sign-in screen shows.
// The scenario is chosen by `location.hash`; see SCENARIOS.
import { AppEvent, Command, ErrorCode } from "./lib/ipc";
import type { ErrorBody, ManageCall, ManageReply, Profile, ProfileView, SessionView, StartupView } from "./lib/ipc";
import { recorded, type Account, type LookupCase } from "./recorded";

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
  "admin",
  "admin-users",
  "admin-groups",
  "admin-traces",
  "admin-review",
  "my-traces",
  "caisse",
  "caisse-partner",
  "caisse-traces",
  "caisse-stats",
  "caisse-flags",
  "demo-files",
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export function scenarioFromHash(hash: string): Scenario {
  const name = hash.replace(/^#/, "");
  return (SCENARIOS as readonly string[]).includes(name) ? (name as Scenario) : "signin";
}

// ---------------------------------------------------------------------------------------
// The recording, by kind of partner.

type Kind = "creche" | "mairie" | "departement";

const IDENTIFIANT: Record<Kind, string> = {
  creche: "demo.creche",
  mairie: "demo.mairie",
  departement: "demo.departement",
};

function account(identifiant: string): Account | undefined {
  return recorded.accounts.find((a) => a.identifiant === identifiant);
}

function accountOf(kind: Kind): Account {
  const a = account(IDENTIFIANT[kind]);
  if (!a) throw new Error(`compte ${IDENTIFIANT[kind]} absent de l'enregistrement`);
  return a;
}

/** What the accessibility run types: the recorded requests, by what they answer. */
export function samples() {
  const pick = (kind: Kind, outcome: LookupCase["outcome"]) => {
    const c = accountOf(kind).lookups.find((l) => l.outcome === outcome && l.as_of === null);
    return c ? { service: c.service, nir: c.nir, name: c.name } : null;
  };
  const wrongKey = recorded.nir_checks.find((c) => c.check.code === ErrorCode.NirKeyMismatch)?.input ?? null;
  return {
    identifiant: IDENTIFIANT,
    demoPassword: recorded.demo_password,
    weakPassword: recorded.weak_password,
    services: {
      creche: accountOf("creche").ready.services.map((s) => s.code),
      mairie: accountOf("mairie").ready.services.map((s) => s.code),
      departement: accountOf("departement").ready.services.map((s) => s.code),
    },
    found: { creche: pick("creche", "found"), mairie: pick("mairie", "found"), departement: pick("departement", "found") },
    outcomes: {
      not_found: pick("creche", "not_found"),
      opposition: pick("creche", "opposition"),
      out_of_scope: pick("creche", "out_of_scope"),
      not_eligible: pick("creche", "not_eligible"),
    },
    wrongKey,
    demoFiles: recorded.demo_files,
  };
}

// ---------------------------------------------------------------------------------------
// The scenario's setting: profiles and machine policy.

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

function view(profile: Profile, remembered_identifiant: string | null = null, remembered_password = false): ProfileView {
  return { profile, bundled: false, remembered_identifiant, remembered_password };
}

function demo(remembered_identifiant: string | null = null, remembered_password = false): ProfileView {
  return { ...recorded.demo_profile, remembered_identifiant, remembered_password };
}

/** A recorded session, as signed in through `profile` (the profile only names the server). */
function session(kind: Kind, which: "ready" | "aged" = "ready", profile: Profile | null = null): SessionView {
  const s = accountOf(kind)[which];
  return profile ? { ...s, profile: profile.name, environment: profile.environment } : s;
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
    profiles: [view(PROFILE_PROD, IDENTIFIANT.creche), view(PROFILE_RECETTE), demo(IDENTIFIANT.creche)],
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
      return { ...base, profiles: [view(PROFILE_PROD), view(PROFILE_RECETTE), demo()] };
    case "signin-demo":
      return { ...base, profiles: [demo(IDENTIFIANT.creche, true), view(PROFILE_PROD, IDENTIFIANT.creche)] };
    case "profiles":
      return { ...base, last_wipe: "sign_out" };
    case "managed-policy":
      return {
        ...base,
        profiles: [view(PROFILE_PROD, IDENTIFIANT.creche), view(PROFILE_BOURGOGNE)],
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
      return { ...base, session: session("departement", "aged", PROFILE_RECETTE) };
    case "found-psu":
    case "not_found":
    case "opposition":
    case "out_of_scope":
    case "not_eligible":
    case "closed":
    case "countdown":
      return { ...base, session: session("creche", "ready", PROFILE_PROD) };
    case "found-qf":
      return { ...base, session: session("mairie", "ready", PROFILE_BOURGOGNE) };
    case "found-rsacg":
      return { ...base, session: session("departement", "ready", PROFILE_RECETTE) };
    case "admin":
    case "admin-users":
    case "admin-groups":
    case "admin-traces":
    case "admin-review":
    case "my-traces":
      return { ...base, session: recorded.admin.ready };
    case "caisse":
    case "caisse-partner":
    case "caisse-traces":
    case "caisse-stats":
    case "caisse-flags":
      return { ...base, session: recorded.caisse.ready };
    case "demo-files":
      return { ...base, session: session("creche", "ready", recorded.demo_profile.profile) };
    case "startup-error":
      throw new Error("unreachable");
  }
}

// ---------------------------------------------------------------------------------------
// The handler.

type Args = Record<string, unknown> | undefined;

function fail(message: string): ErrorBody {
  return { code: ErrorCode.Internal, message: `${message} (maquette : réponse non enregistrée)` };
}

function need<T>(args: Args, name: string): T {
  if (!args || !(name in args)) throw fail(`argument « ${name} » manquant`);
  return args[name] as T;
}

const stripped = (nir: string) => nir.replace(/[\s.]/g, "").toUpperCase();

export interface Mock {
  handle: (cmd: string, args: Args) => unknown;
  /** Emits a backend event to the listeners the UI registered. */
  emit: (event: string, payload: unknown) => void;
}

export function createMock(scenario: Scenario, runCallback: (id: number, data: unknown) => void): Mock {
  const listeners = new Map<string, number[]>();
  let current: SessionView | null = null;
  let profiles: ProfileView[] = [];
  // The administration scenarios: one creation is recorded, the next one meets the quota;
  // the caisse's partners before and after the withdrawal.
  let createdOnce = false;
  let withdrawn = false;

  /** A management call: the recorded answer to its op (see `recorded.manage`). */
  function manage(call: ManageCall): ManageReply {
    let key: string = call.op;
    if (call.op === "create_user") {
      if (createdOnce) key = "create_user_quota";
      createdOnce = true;
    }
    if (call.op === "caisse_delegation") withdrawn = call.withdrawn;
    if (call.op === "caisse_partners" && withdrawn) key = "caisse_partners_withdrawn";
    const answer = recorded.manage[key];
    if (!answer) throw fail(`manage ${key}`);
    if ("error" in answer) throw answer.error;
    return answer.reply;
  }

  function emit(event: string, payload: unknown) {
    for (const id of listeners.get(event) ?? []) runCallback(id, { event, id, payload });
  }

  function signedIn(): SessionView {
    if (!current) throw recorded.errors.invalid_credentials;
    return current;
  }

  // One handler per command of the Rust list: the type refuses a missing or unknown one.
  const commands: Record<Command, (args: Args) => unknown> = {
    [Command.Startup]: () => {
      if (scenario === "startup-error") {
        throw fail("Le dossier de données de Guichet est illisible : vérifiez les droits du profil Windows.");
      }
      const s = startup(scenario);
      if (profiles.length === 0) profiles = s.profiles;
      current = current ?? s.session;
      return { ...s, profiles, session: current };
    },
    [Command.Prepare]: (args) => {
      need<string>(args, "profile");
      return null;
    },
    [Command.SignIn]: (args) => {
      const a = need<{ profile: string; identifiant: string; password: string }>(args, "args");
      if (scenario === "signin-error") throw recorded.errors.account_locked;
      const known = account(a.identifiant);
      if (!known || a.password !== recorded.demo_password) throw recorded.errors.invalid_credentials;
      const profile = profiles.find((p) => p.profile.name === a.profile)?.profile ?? null;
      const s = scenario === "change" ? known.first : known.ready;
      current = profile ? { ...s, profile: profile.name, environment: profile.environment } : s;
      return current;
    },
    [Command.ChangePassword]: (args) => {
      const r = need<{ current_password: string; new_password: string }>(args, "request");
      const me = account(signedIn().user.identifiant);
      if (!me) throw fail("compte inconnu");
      if (r.new_password === recorded.weak_password) throw recorded.errors.password_policy;
      current = { ...signedIn(), ...me.ready, profile: signedIn().profile, environment: signedIn().environment };
      return current;
    },
    [Command.CheckPassword]: (args) => {
      const candidate = need<string>(args, "candidate");
      const identifiant = need<string>(args, "identifiant");
      const c = recorded.password_checks.find((p) => p.candidate === candidate && p.identifiant === identifiant);
      if (!c) throw fail(`check_password(${candidate.length} caractères, ${identifiant})`);
      return c.violations;
    },
    [Command.CheckNir]: (args) => {
      const nir = need<string>(args, "nir");
      const c = recorded.nir_checks.find((n) => stripped(n.input) === stripped(nir));
      if (!c) throw fail("check_nir");
      return c.check;
    },
    [Command.Lookup]: (args) => {
      const r = need<{ service: string; nir: string; name: string; as_of?: string | null }>(args, "request");
      if (scenario === "closed") throw recorded.errors.service_closed;
      if (recorded.nir_checks.some((n) => stripped(n.input) === stripped(r.nir) && n.check.code === ErrorCode.NirKeyMismatch)) {
        throw recorded.errors.nir_key_mismatch;
      }
      const c = recorded.accounts
        .flatMap((a) => a.lookups)
        .find(
          (l) =>
            l.service === r.service &&
            stripped(l.nir) === stripped(r.nir) &&
            l.name === r.name &&
            l.as_of === (r.as_of ?? null),
        );
      if (!c) throw fail("lookup");
      return c.response;
    },
    [Command.Hours]: (args) => {
      need<string>(args, "service");
      return scenario === "closed" ? recorded.hours_closed : recorded.hours_open;
    },
    [Command.Activity]: () => null,
    [Command.SignOut]: () => {
      current = null;
      return null;
    },
    [Command.CopyText]: (args) => {
      need<string>(args, "text");
      return null;
    },
    [Command.SaveProfile]: (args) => {
      const p = need<Profile>(args, "profile");
      if (!p.name.trim()) throw recorded.errors.profile_name;
      profiles = [...profiles.filter((x) => x.profile.name !== p.name.trim()), view({ ...p, name: p.name.trim() })];
      return null;
    },
    [Command.DeleteProfile]: (args) => {
      const name = need<string>(args, "name");
      profiles = profiles.filter((x) => x.profile.name !== name);
      return null;
    },
    [Command.ForgetCredentials]: (args) => {
      need<string>(args, "profile");
      return null;
    },
    [Command.KeepAlive]: () => {
      signedIn();
      return null;
    },
    [Command.DemoFiles]: (args) => {
      const service = need<string>(args, "service");
      // Recorded on the bundled database for the crèche's first service; a real server has none.
      const bundled = profiles.find((p) => p.profile.name === signedIn().profile)?.bundled ?? false;
      if (!bundled || service !== accountOf("creche").ready.services[0]?.code) throw fail(`demo_files(${service})`);
      return recorded.demo_files;
    },
    [Command.Manage]: (args) => manage(need<ManageCall>(args, "call")),
  };

  function handle(cmd: string, args: Args): unknown {
    switch (cmd) {
      // The event plugin: `listen` registers a callback id and answers the listener id.
      case "plugin:event|listen": {
        const event = need<string>(args, "event");
        const handler = need<number>(args, "handler");
        listeners.set(event, [...(listeners.get(event) ?? []), handler]);
        if (scenario === "countdown" && event === AppEvent.Watchdog) {
          setTimeout(() => emit(AppEvent.Watchdog, { state: "warning", remaining_s: 42 }), 50);
        }
        return handler;
      }
      case "plugin:event|unlisten": {
        const event = need<string>(args, "event");
        const id = need<number>(args, "eventId");
        listeners.set(event, (listeners.get(event) ?? []).filter((h) => h !== id));
        return null;
      }
    }
    const command = (commands as Record<string, ((args: Args) => unknown) | undefined>)[cmd];
    if (!command) throw fail(`commande inconnue : ${cmd}`);
    return command(args);
  }

  return { handle, emit };
}
