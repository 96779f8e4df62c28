import { describe, expect, it } from "vitest";
import { ErrorCode, sectionLabel } from "./ipc";
import type { ErrorBody } from "./ipc";
import {
  countFr,
  dateTimeParis,
  daysBefore,
  partnerRoleFr,
  traceKindFr,
  traceOutcomeFr,
  amountPlain,
  dateFr,
  monthlyCents,
  parseDateFr,
  parseHours,
  parseQfGrid,
  qfBracketOf,
  qfGridText,
  rateFr,
  readDateFr,
  monthsUpTo,
  durationFr,
  environmentLabel,
  errorText,
  errorWording,
  euros,
  groupNir,
  monthFr,
  outcomeTitle,
  periodFr,
  reopensFr,
  rsaStateLabel,
  todayParis,
  wipeMessage,
} from "./format";

/** Intl puts U+202F (thousands) and U+00A0 (before €): compare with plain spaces. */
const spaces = (s: string) => s.replace(/[\s\u00a0\u202f]/g, " ");

function error(code: ErrorCode, message: string, extra: Partial<ErrorBody> = {}): ErrorBody {
  return { code, message, retry_after_s: null, violations: null, reopens_at: null, ...extra };
}

describe("euros", () => {
  it("formats cents the French way", () => {
    expect(spaces(euros(123456))).toBe("1 234,56 €");
    expect(spaces(euros(0))).toBe("0,00 €");
    expect(spaces(euros(5))).toBe("0,05 €");
    expect(spaces(euros(60780))).toBe("607,80 €");
    expect(spaces(euros(123456789))).toBe("1 234 567,89 €");
  });

  it("uses no-break spaces, so the amount never wraps", () => {
    expect(euros(123456)).not.toMatch(/ /);
    expect(euros(123456)).toMatch(/[\u00a0\u202f]€$/);
  });

  it("keeps the sign of negative amounts", () => {
    expect(spaces(euros(-2550))).toMatch(/^-\s?25,50 €$/);
  });
});

describe("dateFr", () => {
  it("turns an ISO date into dd/mm/yyyy without any time zone shift", () => {
    expect(dateFr("2026-11-23")).toBe("23/11/2026");
    expect(dateFr("2026-01-01")).toBe("01/01/2026");
    expect(dateFr("1985-05-31")).toBe("31/05/1985");
  });

  it("reads the date part of a date-time as written", () => {
    expect(dateFr("2026-12-31T23:30:00Z")).toBe("31/12/2026");
  });

  it("returns what it cannot read unchanged", () => {
    expect(dateFr("")).toBe("");
    expect(dateFr("23/11/2026")).toBe("23/11/2026");
    expect(dateFr("bientôt")).toBe("bientôt");
  });
});

describe("monthFr", () => {
  it("names every month in French, lower case", () => {
    const names = [
      "janvier", "février", "mars", "avril", "mai", "juin",
      "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ];
    names.forEach((name, i) => {
      const mm = String(i + 1).padStart(2, "0");
      expect(monthFr(`2026-${mm}-01`)).toBe(`${name} 2026`);
    });
  });

  it("accepts a bare year-month", () => {
    expect(monthFr("2025-08")).toBe("août 2025");
  });

  it("returns what it cannot read unchanged", () => {
    expect(monthFr("août")).toBe("août");
    expect(monthFr("")).toBe("");
  });
});

describe("periodFr", () => {
  it("gives both ends of a closed period", () => {
    expect(periodFr({ start: "2026-01-01", end: "2026-12-31" })).toBe("du 01/01/2026 au 31/12/2026");
  });

  it("says 'depuis le' for an open-ended period", () => {
    expect(periodFr({ start: "2025-09-01", end: null })).toBe("depuis le 01/09/2025");
  });
});

describe("groupNir", () => {
  it("groups a NIR as 1 2 2 2 3 3 2", () => {
    expect(groupNir("185057800608491")).toBe("1 85 05 78 006 084 91");
  });

  it("regroups a NIR typed with spaces, dots or no-break spaces", () => {
    expect(groupNir("1 85 05 78 006 084 91")).toBe("1 85 05 78 006 084 91");
    expect(groupNir("1.85.05.78.006.084.91")).toBe("1 85 05 78 006 084 91");
    expect(groupNir("1\u00a085\u202f05 78006084 91")).toBe("1 85 05 78 006 084 91");
  });

  it("upper-cases the Corsican départements", () => {
    expect(groupNir("2850 52a0 1234 5 67")).toBe("2 85 05 2A 012 345 67");
  });

  it("groups a NIR being typed as far as it goes", () => {
    expect(groupNir("")).toBe("");
    expect(groupNir("1")).toBe("1");
    expect(groupNir("18505")).toBe("1 85 05");
    expect(groupNir("18505780")).toBe("1 85 05 78 0");
  });

  it("keeps extra characters in a last group instead of dropping them", () => {
    expect(groupNir("18505780060849123")).toBe("1 85 05 78 006 084 91 23");
  });
});

describe("reopensFr", () => {
  it("gives the day and the Paris time in winter (UTC+1)", () => {
    expect(reopensFr("2026-11-24T04:00:00Z")).toBe("mardi 24 novembre à 05:00");
    expect(reopensFr("2026-03-28T04:00:00Z")).toBe("samedi 28 mars à 05:00");
  });

  it("gives the Paris time in summer (UTC+2)", () => {
    expect(reopensFr("2026-03-30T03:00:00Z")).toBe("lundi 30 mars à 05:00");
    expect(reopensFr("2026-07-15T03:00:00Z")).toBe("mercredi 15 juillet à 05:00");
  });

  it("follows both DST changes of 2026 (29 March, 25 October)", () => {
    // The clocks go forward at 01:00 UTC on 29 March, back at 01:00 UTC on 25 October.
    expect(reopensFr("2026-03-29T00:30:00Z")).toBe("dimanche 29 mars à 01:30");
    expect(reopensFr("2026-03-29T01:30:00Z")).toBe("dimanche 29 mars à 03:30");
    expect(reopensFr("2026-10-25T00:30:00Z")).toBe("dimanche 25 octobre à 02:30");
    expect(reopensFr("2026-10-25T01:30:00Z")).toBe("dimanche 25 octobre à 02:30");
    expect(reopensFr("2026-10-26T04:00:00Z")).toBe("lundi 26 octobre à 05:00");
  });

  it("moves to the next day in Paris before midnight UTC, and writes 1er", () => {
    expect(reopensFr("2026-06-30T22:30:00Z")).toBe("mercredi 1er juillet à 00:30");
    expect(reopensFr("2026-12-31T23:00:00Z")).toBe("vendredi 1er janvier à 00:00");
  });

  it("accepts an offset instead of Z", () => {
    expect(reopensFr("2026-11-24T05:00:00+01:00")).toBe("mardi 24 novembre à 05:00");
  });

  it("returns what it cannot read unchanged", () => {
    expect(reopensFr("demain")).toBe("demain");
  });
});

describe("errorText", () => {
  it("says when a closed service reopens, day included, in Paris time", () => {
    const e = error(ErrorCode.ServiceClosed, "Service fermé, réouverture à 05:00.", {
      reopens_at: "2026-11-28T04:00:00Z",
    });
    expect(errorText(e)).toBe("Service fermé : réouverture samedi 28 novembre à 05:00 (heure de Paris).");
  });

  it("says when a closed service reopens in summer time", () => {
    const e = error(ErrorCode.ServiceClosed, "Service fermé, réouverture à 05:00.", {
      reopens_at: "2026-07-04T03:00:00Z",
    });
    expect(errorText(e)).toBe("Service fermé : réouverture samedi 4 juillet à 05:00 (heure de Paris).");
  });

  it("keeps the message of a closed service that gives no reopening", () => {
    expect(errorText(error(ErrorCode.ServiceClosed, "Service fermé."))).toBe("Service fermé.");
  });

  it("adds the delay of a locked account", () => {
    const e = error(ErrorCode.AccountLocked, "Trop d'essais infructueux : le compte est verrouillé.", {
      retry_after_s: 900,
    });
    expect(errorText(e)).toBe("Trop d'essais infructueux : le compte est verrouillé. Réessayez dans 15 min.");
  });

  it("adds the delay of a rate limit", () => {
    const e = error(ErrorCode.RateLimited, "Trop de demandes en peu de temps.", { retry_after_s: 12 });
    expect(errorText(e)).toBe("Trop de demandes en peu de temps. Réessayez dans 12 s.");
  });

  it("does not repeat a delay the message already gives (the server's wording)", () => {
    const locked = error(
      ErrorCode.AccountLocked,
      "Trop d'essais infructueux : le compte est verrouillé. Réessayez dans 15 minutes.",
      { retry_after_s: 900 },
    );
    expect(errorText(locked)).toBe(locked.message);
    const limited = error(ErrorCode.RateLimited, "Trop de demandes en peu de temps. Réessayez dans 30 s.", {
      retry_after_s: 30,
    });
    expect(errorText(limited)).toBe(limited.message);
  });

  it("keeps the message when no delay is known", () => {
    const e = error(ErrorCode.AccountLocked, "Le compte est verrouillé.");
    expect(errorText(e)).toBe("Le compte est verrouillé.");
  });

  it("returns the message of any other code as is, whatever the details", () => {
    expect(errorText(error(ErrorCode.InvalidCredentials, "Identifiant ou mot de passe incorrect."))).toBe(
      "Identifiant ou mot de passe incorrect.",
    );
    const e = error(ErrorCode.PasswordPolicy, "Mot de passe refusé : au moins 12 caractères.", {
      retry_after_s: 60,
      reopens_at: "2026-11-24T04:00:00Z",
      violations: [{ code: "too_short", message: "au moins 12 caractères" }],
    });
    expect(errorText(e)).toBe("Mot de passe refusé : au moins 12 caractères.");
  });
});

describe("errorWording", () => {
  it("words every code of the Rust enum, unknown included", () => {
    expect(Object.keys(errorWording).sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it("shows a newer server's unknown code with the server's own message", () => {
    const e = error(ErrorCode.Unknown, "Quota de consultations atteint pour ce mois.", { retry_after_s: 60 });
    expect(errorText(e)).toBe("Quota de consultations atteint pour ce mois.");
  });

  it("adds the delay to a busy server's message", () => {
    expect(errorText(error(ErrorCode.Busy, "Le serveur est occupé.", { retry_after_s: 2 }))).toBe(
      "Le serveur est occupé. Réessayez dans 2 s.",
    );
  });
});

describe("durationFr", () => {
  it("counts seconds below a minute, rounded up", () => {
    expect(durationFr(0)).toBe("0 s");
    expect(durationFr(1)).toBe("1 s");
    expect(durationFr(0.2)).toBe("1 s");
    expect(durationFr(59)).toBe("59 s");
  });

  it("never goes negative", () => {
    expect(durationFr(-5)).toBe("0 s");
  });

  it("counts started minutes", () => {
    expect(durationFr(60)).toBe("1 min");
    expect(durationFr(61)).toBe("2 min");
    expect(durationFr(900)).toBe("15 min");
    expect(durationFr(3540)).toBe("59 min");
    // 59 min 59 s is a started 60th minute: shown as an hour.
    expect(durationFr(3599)).toBe("1 h 00");
  });

  it("counts hours and minutes from an hour on", () => {
    expect(durationFr(3600)).toBe("1 h 00");
    expect(durationFr(3661)).toBe("1 h 02");
    expect(durationFr(2 * 3600 + 30 * 60)).toBe("2 h 30");
  });
});

describe("wipeMessage", () => {
  it("explains every reason in French", () => {
    expect(wipeMessage("sign_out")).toBe("Vous êtes déconnecté. Les données consultées ont été effacées.");
    expect(wipeMessage("idle")).toBe(
      "Session fermée après une période d'inactivité. Les données consultées ont été effacées.",
    );
    expect(wipeMessage("screen_locked")).toBe(
      "Session fermée au verrouillage du poste. Les données consultées ont été effacées.",
    );
    expect(wipeMessage("sleep")).toBe(
      "Session fermée à la mise en veille du poste. Les données consultées ont été effacées.",
    );
    expect(wipeMessage("session_expired")).toBe("Votre session a expiré. Reconnectez-vous.");
  });

  it("gives a distinct message for each reason", () => {
    const reasons = ["sign_out", "idle", "screen_locked", "sleep", "session_expired"] as const;
    const messages = new Set(reasons.map(wipeMessage));
    expect(messages.size).toBe(reasons.length);
  });
});

describe("todayParis", () => {
  it("is already tomorrow in Paris shortly before midnight UTC (winter)", () => {
    expect(todayParis(new Date("2026-11-23T22:59:59Z"))).toBe("2026-11-23");
    expect(todayParis(new Date("2026-11-23T23:00:00Z"))).toBe("2026-11-24");
    expect(todayParis(new Date("2026-11-23T23:30:00Z"))).toBe("2026-11-24");
  });

  it("changes day at 22:00 UTC in summer", () => {
    expect(todayParis(new Date("2026-07-14T21:59:00Z"))).toBe("2026-07-14");
    expect(todayParis(new Date("2026-07-14T22:00:00Z"))).toBe("2026-07-15");
  });

  it("changes year at the Paris midnight", () => {
    expect(todayParis(new Date("2026-12-31T22:59:00Z"))).toBe("2026-12-31");
    expect(todayParis(new Date("2026-12-31T23:00:00Z"))).toBe("2027-01-01");
  });

  it("is the same Paris day just after midnight UTC", () => {
    expect(todayParis(new Date("2026-02-28T00:10:00Z"))).toBe("2026-02-28");
  });

  it("defaults to now, as YYYY-MM-DD", () => {
    expect(todayParis()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe("labels", () => {
  it("titles every lookup outcome", () => {
    expect(outcomeTitle).toEqual({
      found: "Dossier trouvé",
      not_found: "Aucun dossier",
      out_of_scope: "Hors de votre territoire",
      opposition: "Consultation refusée",
      not_eligible: "Dossier non éligible",
    });
  });

  it("names every section", () => {
    expect(Object.keys(sectionLabel).sort()).toEqual(
      [
        "adresse", "coordonnees", "droits", "quotient_familial",
        "recherche", "ressources", "rsa", "situation_familiale", "unknown",
      ],
    );
    // The headings of DOMAIN.md, generated from `Section::label` (one source).
    expect(sectionLabel.coordonnees).toBe("Coordonnées du dossier");
    expect(sectionLabel.quotient_familial).toBe("Montant du QF");
    for (const label of Object.values(sectionLabel)) expect(label).not.toBe("");
  });

  it("names every RSA state and environment", () => {
    expect(rsaStateLabel).toEqual({ open: "Ouvert", suspended: "Suspendu", closed: "Clos" });
    expect(environmentLabel).toEqual({
      production: "Production",
      recette: "Recette",
      demo: "Démonstration",
    });
  });
});

describe("French dates whatever the locale", () => {
  it("reads jj/mm/aaaa and its usual variants", () => {
    expect(parseDateFr("23/11/2026")).toBe("2026-11-23");
    expect(parseDateFr(" 3/1/2026 ")).toBe("2026-01-03");
    expect(parseDateFr("23.11.2026")).toBe("2026-11-23");
    expect(parseDateFr("23-11-2026")).toBe("2026-11-23");
    expect(parseDateFr("23112026")).toBe("2026-11-23");
    expect(parseDateFr("29/02/2024")).toBe("2024-02-29");
  });
  it("refuses what is not a calendar date, and US or ISO order", () => {
    for (const bad of ["29/02/2025", "31/04/2026", "00/01/2026", "12/13/2026", "2026-11-23",
      "11/23/2026", "1/1/26", "23/11/1850", "", "aujourd'hui", "23/11/2026 10:00"]) {
      expect(parseDateFr(bad), bad).toBeNull();
    }
  });
  it("says why a field is refused, in French", () => {
    expect(readDateFr("", "2026-11-30")).toEqual({ iso: null, error: null });
    expect(readDateFr("01/12/2026", "2026-11-30").error).toBe("La date ne peut pas dépasser le 30/11/2026.");
    // Issue 23: a habilitation's last day is not in the past.
    expect(readDateFr("22/11/2026", undefined, "2026-11-23").error).toBe("La date ne peut pas précéder le 23/11/2026.");
    expect(readDateFr("23/11/2026", undefined, "2026-11-23")).toEqual({ iso: "2026-11-23", error: null });
    expect(monthsUpTo("2026-02-10", 3)).toEqual(["2026-02", "2026-01", "2025-12"]);
    expect(readDateFr("31/02/2026").error).toMatch(/jj\/mm\/aaaa/);
    expect(readDateFr("30/11/2026", "2026-11-30")).toEqual({ iso: "2026-11-30", error: null });
  });
});

describe("PSU participation on screen", () => {
  it("writes rates and amounts as they are copied", () => {
    expect(rateFr(619)).toBe("0,0619 %");
    expect(rateFr(206)).toBe("0,0206 %");
    expect(amountPlain(186)).toBe("1,86");
    expect(amountPlain(5)).toBe("0,05");
    expect(amountPlain(123456)).toBe("1234,56");
  });
  it("estimates a month from the hours typed, rounded half up once", () => {
    expect(parseHours("120")).toBe(12000);
    expect(parseHours("120,5")).toBe(12050);
    expect(parseHours("87.25")).toBe(8725);
    for (const bad of ["", "-3", "1,234", "745", "douze", "1e3"]) expect(parseHours(bad), bad).toBeNull();
    expect(monthlyCents(186, 12000)).toBe(22320);
    // 1.86 € × 0.5 h = 0.93 €; 1.85 € × 0.5 h = 0.925 € → 0.93 €.
    expect(monthlyCents(186, 50)).toBe(93);
    expect(monthlyCents(185, 50)).toBe(93);
  });
});

describe("QF grid (R-32)", () => {
  const grid = [
    { label: "Tranche A", from: 0, to: 700, price_cents: 150 },
    { label: "Tranche B", from: 701, to: null, price_cents: null },
  ];
  it("names the bracket a QF falls in, bounds included", () => {
    expect(qfBracketOf(grid, 0)?.label).toBe("Tranche A");
    expect(qfBracketOf(grid, 700)?.label).toBe("Tranche A");
    expect(qfBracketOf(grid, 701)?.label).toBe("Tranche B");
    expect(qfBracketOf(grid, 99999)?.label).toBe("Tranche B");
    expect(qfBracketOf([{ label: "A", from: 100, to: 200, price_cents: null }], 50)).toBeNull();
    expect(qfBracketOf([], 500)).toBeNull();
  });
  it("reads and writes the profile form's text", () => {
    const text = "Tranche A ; 0 ; 700 ; 1,50\n\n  Tranche B ; 701 ;  ; \n";
    expect(parseQfGrid(text)).toEqual({ brackets: grid });
    expect(parseQfGrid(qfGridText(grid))).toEqual({ brackets: grid });
    expect(parseQfGrid("")).toEqual({ brackets: [] });
    expect(parseQfGrid("A ; 0 ; 700 ; 1,50 €")).toEqual({
      brackets: [{ label: "A", from: 0, to: 700, price_cents: 150 }],
    });
    for (const bad of ["A", " ; 0", "A ; -1", "A ; 0 ; x", "A ; 0 ; 10 ; 1,234", "A;0;1;2;3"]) {
      expect(parseQfGrid(bad), bad).toHaveProperty("error");
    }
    expect(parseQfGrid("A ; 0 ; 10\nB ; dix")).toEqual({ error: "Grille QF, ligne 2 : QF de départ invalide." });
  });
});

describe("management screens (issue 23)", () => {
  it("writes trace instants in Paris time, summer and winter", () => {
    expect(dateTimeParis("2026-11-23T09:00:00Z")).toBe("23/11/2026 10:00");
    expect(dateTimeParis("2026-07-01T22:30:00Z")).toBe("02/07/2026 00:30");
    expect(dateTimeParis("pas une date")).toBe("pas une date");
  });
  it("counts days back across months and years", () => {
    expect(daysBefore("2026-11-23", 30)).toBe("2026-10-24");
    expect(daysBefore("2026-01-05", 7)).toBe("2025-12-29");
    expect(daysBefore("2028-03-01", 1)).toBe("2028-02-29");
  });
  it("words trace kinds and outcomes, an unknown code as it is", () => {
    expect(traceKindFr("sign_in")).toBe("Connexion");
    expect(traceKindFr("nouveau")).toBe("nouveau");
    expect(traceOutcomeFr("ok")).toBe("Réussi");
    expect(traceOutcomeFr("not_found")).toBe("Aucun dossier");
    expect(traceOutcomeFr("screen_locked")).toBe("Poste verrouillé");
    expect(traceOutcomeFr("autre")).toBe("autre");
  });
  it("names roles and counts in French", () => {
    expect(partnerRoleFr("manager")).toBe("Gestionnaire délégué");
    expect(partnerRoleFr(null)).toBe("Utilisateur");
    expect(countFr(1, "membre", "membres")).toBe("1 membre");
    expect(countFr(0, "membre", "membres")).toBe("0 membre");
    expect(countFr(3, "membre", "membres")).toBe("3 membres");
  });
});
