// Accessibility run: every screen of the app (axe.html, the IPC mocked by src/mock.ts) in
// Chromium, checked by axe-core against WCAG 2 A/AA and best practices.
//
//   npx vite build --mode axe && node tests/a11y.mjs [scenario…]
//
// Serves dist-axe on 127.0.0.1 (random port) with the app's CSP, drives each scenario with
// Playwright (by the accessible labels the end-to-end tests use), runs axe, and saves a PNG
// of each screen into test-results/. Exit status 1 if any scenario has a violation, a console
// error (a CSP violation included) or does not render.
import { createServer } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const ui = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(ui, "dist-axe");
const results = join(ui, "test-results");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const VIEWPORT = { width: 1120, height: 780 };
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];
// The CSP of src-tauri/tauri.conf.json (the IPC needs no network here).
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'";

if (!existsSync(join(dist, "axe.html"))) {
  console.error("dist-axe/axe.html manquant : lancez d'abord « npx vite build --mode axe ».");
  process.exit(2);
}
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

// ---------------------------------------------------------------------------------------
// The scenarios. `run` drives the screen to the state to check and calls `check(label)`
// once per state (found files: once per tab). What it types (identifiants, NIRs, names) is
// what the Rust code was recorded answering (src/recorded.ts), read from the page: see
// `samples` in src/mock.ts.

/** @typedef {import("playwright-core").Page} Page */

async function expectFocus(page, selector, what) {
  const ok = await page.waitForFunction((s) => document.activeElement?.matches(s), selector, { timeout: 3_000 }).then(
    () => true,
    () => false,
  );
  if (!ok) {
    const at = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 80) ?? "rien");
    throw new Error(`le focus n'est pas sur ${what} (il est sur ${at})`);
  }
}

const heading = (page, name, level) => page.getByRole("heading", { name, level, exact: true });

/** The recorded requests the mock can answer (src/mock.ts `samples`). */
async function samples(page) {
  await page.waitForFunction(() => !!window.guichetMock);
  return page.evaluate(() => window.guichetMock.samples);
}

async function signIn(page, identifiant, password) {
  await heading(page, "Guichet", 1).waitFor();
  await page.getByLabel("Identifiant", { exact: true }).fill(identifiant);
  await page.getByLabel("Mot de passe", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
}

async function search(page, { service, nir, name }) {
  await heading(page, "Consulter un dossier", 1).waitFor();
  if (service) await page.getByLabel("Service").selectOption(service);
  await page.getByLabel("NIR").fill(nir);
  await page.getByText("NIR valide").waitFor();
  await page.getByLabel("Nom de famille").fill(name);
  await page.getByRole("button", { name: "Rechercher" }).click();
}

/** Every tab of a found file, checked one by one. */
async function eachTab(page, check) {
  await heading(page, "Dossier trouvé", 2).waitFor();
  const tabs = page.getByRole("tab");
  const n = await tabs.count();
  if (n === 0) throw new Error("aucun onglet dans le dossier");
  for (let i = 0; i < n; i++) {
    const tab = tabs.nth(i);
    const label = (await tab.innerText()).trim();
    await tab.click();
    await page.getByRole("tabpanel", { name: label }).waitFor();
    await check(i === 0 ? "" : slug(label));
  }
  // The keyboard moves between tabs too (arrow keys, roving tabindex).
  await tabs.nth(n - 1).focus();
  await page.keyboard.press("Home");
  if ((await tabs.nth(0).getAttribute("aria-selected")) !== "true") {
    throw new Error("la touche Début ne sélectionne pas le premier onglet");
  }
}

const slug = (s) =>
  s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** From the lookup screen to "Administration", by the keyboard. */
async function toAdministration(page) {
  await heading(page, "Consulter un dossier", 1).waitFor();
  const admin = page.getByRole("button", { name: "Administration" });
  await admin.focus();
  await page.keyboard.press("Enter");
  await heading(page, "Administration des habilitations", 1).waitFor();
  await page.locator("td.quota").first().waitFor();
}

const outcome = (which, title) => async (page, check) => {
  const s = await samples(page);
  await search(page, s.outcomes[which]);
  await heading(page, title, 2).waitFor();
  await check();
};

/** @type {{ name: string, run: (page: Page, check: (suffix?: string) => Promise<void>) => Promise<void> }[]} */
const SCENARIOS = [
  {
    name: "signin",
    async run(page, check) {
      await heading(page, "Guichet", 1).waitFor();
      await page.getByText("Session fermée après une période d'inactivité").waitFor();
      await check();
    },
  },
  {
    name: "signin-error",
    async run(page, check) {
      const s = await samples(page);
      await signIn(page, s.identifiant.creche, "Mauvais-mot-de-passe-1");
      await page.getByRole("alert").filter({ hasText: "compte est verrouillé" }).waitFor();
      await expectFocus(page, "#password", "le champ « Mot de passe » après l'échec");
      await check();
    },
  },
  {
    name: "signin-demo",
    async run(page, check) {
      await heading(page, "Guichet", 1).waitFor();
      await page.getByText("Comptes de démonstration").click();
      await page.getByText("demo.departement").waitFor();
      await page.getByLabel("Mémoriser le mot de passe").waitFor();
      await check();
    },
  },
  {
    name: "change",
    async run(page, check) {
      const s = await samples(page);
      await signIn(page, s.identifiant.creche, s.demoPassword);
      await heading(page, "Choisissez votre mot de passe", 1).waitFor();
      await page.getByLabel("Mot de passe actuel").fill(s.demoPassword);
      await page.getByLabel("Nouveau mot de passe").fill(s.weakPassword);
      await page.getByText("au moins une majuscule").waitFor();
      await page.getByLabel("Confirmer le mot de passe").fill("guichet2025");
      await page.getByText("Les deux saisies diffèrent.").waitFor();
      await check();
      await page.getByLabel("Nouveau mot de passe").fill("Tilleul-Vosges-1987");
      await page.getByLabel("Confirmer le mot de passe").fill("Tilleul-Vosges-1987");
      await page.getByText("Le mot de passe respecte les règles.").waitFor();
      await check("valid");
      await page.getByRole("button", { name: "Changer le mot de passe" }).click();
      await heading(page, "Consulter un dossier", 1).waitFor();
    },
  },
  {
    name: "lookup",
    async run(page, check) {
      await heading(page, "Consulter un dossier", 1).waitFor();
      await page.getByText("Votre mot de passe a plus d'un an").waitFor();
      const s = await samples(page);
      const services = s.services.departement;
      if (services.length > 1) await page.getByLabel("Service").selectOption(services[services.length - 1]);
      await page.getByLabel("NIR").fill(s.wrongKey);
      await page.getByText("La clé du NIR ne correspond pas").waitFor();
      await page.getByLabel("Nom de famille").fill("Muller");
      await check();
    },
  },
  {
    name: "found-psu",
    async run(page, check) {
      const s = await samples(page);
      await search(page, s.found.creche);
      await eachTab(page, check);
      // "Recherche" asks again for another date.
      await page.getByRole("tab", { name: "Recherche par date" }).click();
      // A date the US way is refused in French; jj/mm/aaaa is read whatever the locale.
      await page.getByLabel("Situation à la date du").fill("06/15/2025");
      await page.getByRole("button", { name: "Afficher" }).click();
      await page.getByText("Date invalide : saisissez-la sous la forme jj/mm/aaaa.").waitFor();
      await check("date-invalide");
      await page.getByLabel("Situation à la date du").fill("15/06/2025");
      await page.getByRole("button", { name: "Afficher" }).click();
      await page.getByText("Situation à la date du 15/06/2025").waitFor();
      // The answer for the new date opens on the same tab, with the PSU participation.
      await page.getByRole("tabpanel", { name: "Recherche par date" }).waitFor();
      await page.getByRole("heading", { name: "Participation horaire PSU au 15/06/2025" }).waitFor();
      await page.getByRole("button", { name: "Copier le tarif" }).click();
      await page.getByText("Tarif copié").waitFor();
      await page.getByLabel("Heures réservées par mois").fill("120");
      await page.getByText("Estimation mensuelle").waitFor();
      await page.getByRole("button", { name: "Copier le NIR" }).click();
      await page.getByText("NIR copié").waitFor();
      await check("date");
    },
  },
  {
    name: "found-rsacg",
    async run(page, check) {
      const s = await samples(page);
      // Typed without spaces: check_nir and the lookup accept it as the recording's grouped one.
      await search(page, { ...s.found.departement, nir: s.found.departement.nir.replaceAll(" ", "") });
      await eachTab(page, check);
    },
  },
  {
    name: "found-qf",
    async run(page, check) {
      const s = await samples(page);
      await search(page, { ...s.found.mairie, nir: s.found.mairie.nir.replaceAll(" ", ".") });
      await eachTab(page, check);
      // the bracket of the profile's grid the QF in force falls in.
      await page.getByRole("tab", { name: "Recherche par date" }).click();
      await page.locator("#qf-bracket").getByText(/Tranche [AB]/).waitFor();
    },
  },
  { name: "not_found", run: outcome("not_found", "Aucun dossier") },
  { name: "opposition", run: outcome("opposition", "Consultation refusée") },
  { name: "out_of_scope", run: outcome("out_of_scope", "Hors de votre territoire") },
  { name: "not_eligible", run: outcome("not_eligible", "Dossier non éligible") },
  {
    name: "closed",
    async run(page, check) {
      await heading(page, "Consulter un dossier", 1).waitFor();
      await page.getByText("Service fermé : les consultations reprennent").waitFor();
      const s = await samples(page);
      await page.getByLabel("NIR").fill(s.found.creche.nir);
      await page.getByText("NIR valide").waitFor();
      await page.getByLabel("Nom de famille").fill(s.found.creche.name);
      await page.getByRole("button", { name: "Rechercher" }).click();
      await page.getByRole("alert").filter({ hasText: "réouverture" }).waitFor();
      await check();
    },
  },
  {
    name: "countdown",
    async run(page, check) {
      await heading(page, "Consulter un dossier", 1).waitFor();
      await page.getByRole("alertdialog", { name: "Session inactive" }).waitFor();
      await page.locator(".countdown").filter({ hasText: /^42$/ }).waitFor();
      const stay = "[role=alertdialog] button";
      await expectFocus(page, stay, "« Rester connecté »");
      // The page behind is inert: Tab cannot leave the dialog.
      await page.keyboard.press("Shift+Tab");
      const inside = await page.evaluate(() => !!document.activeElement?.closest("[role=alertdialog]") || document.activeElement === document.body);
      if (!inside) throw new Error("Tab sort de la fenêtre de compte à rebours");
      await page.locator(stay).focus();
      await check();
    },
  },
  {
    name: "managed-policy",
    async run(page, check) {
      await heading(page, "Guichet", 1).waitFor();
      await page.getByText("Le trousseau du système est verrouillé").waitFor();
      if (await page.getByRole("button", { name: "Gérer les profils de connexion" }).count()) {
        throw new Error("profils figés par la politique, mais le bouton de gestion est affiché");
      }
      await check();
    },
  },
  {
    name: "policy-error",
    async run(page, check) {
      await heading(page, "Guichet", 1).waitFor();
      await page.getByText("La politique du poste est invalide").waitFor();
      await page.getByText("Aucun profil de connexion n'est autorisé").waitFor();
      await check();
    },
  },
  {
    name: "profiles",
    async run(page, check) {
      await heading(page, "Guichet", 1).waitFor();
      await page.getByRole("button", { name: "Gérer les profils de connexion" }).click();
      await heading(page, "Profils de connexion", 2).waitFor();
      await page.getByLabel("Nom du profil").fill("MSA de Picardie");
      await page.getByLabel("Adresse du serveur").fill("https://guichet.picardie.msa.fr");
      await page.getByLabel("Caisse").fill("MSA-PICARDIE");
      // a grid line that cannot be read is said before anything is saved.
      await page.getByLabel("Grille de quotient familial (facultatif)").fill("Tranche A ; 0 ; sept cents");
      await page.getByRole("button", { name: "Enregistrer le profil" }).click();
      await page.getByText("Grille QF, ligne 1 : QF de fin invalide.").waitFor();
      await check("grille-invalide");
      await page.getByLabel("Grille de quotient familial (facultatif)").fill("Tranche A ; 0 ; 700 ; 1,50\nTranche B ; 701 ; ; 4,20");
      await page.getByRole("button", { name: "Enregistrer le profil" }).click();
      await page.getByRole("button", { name: "Supprimer le profil MSA de Picardie" }).waitFor();
      await page.getByText("(Production, grille QF de 2 tranches)").waitFor();
      await check();
    },
  },
  {
    name: "startup-error",
    async run(page, check) {
      await heading(page, "Guichet n'a pas pu démarrer", 1).waitFor();
      await check();
    },
  },
  {
    name: "admin",
    async run(page, check) {
      await heading(page, "Consulter un dossier", 1).waitFor();
      // Keyboard only: to the "Administration" view, create a user, meet the quota.
      const admin = page.getByRole("button", { name: "Administration" });
      await admin.focus();
      await page.keyboard.press("Enter");
      await heading(page, "Administration des habilitations", 1).waitFor();
      await page.locator("td.quota").filter({ hasText: /^2 \/ 20$/ }).waitFor();
      await page.getByRole("button", { name: /^Confirmer / }).first().waitFor();
      await check();
      await page.getByLabel("Prénom et nom").fill("Agent d'accueil");
      await page.getByLabel("Courriel").fill("agent.accueil@ccas.example");
      await page.getByLabel("Courriel").press("Enter");
      await page.getByRole("status").filter({ hasText: "Mot de passe provisoire" }).waitFor();
      await check("created");
      await page.getByLabel("Prénom et nom").fill("Agent");
      await page.getByLabel("Courriel").fill("agent@ccas.example");
      await page.getByRole("button", { name: "Créer l'utilisateur" }).click();
      await page.getByRole("alert").filter({ hasText: "Quota atteint" }).waitFor();
      await check("quota");
    },
  },
  {
    name: "caisse",
    async run(page, check) {
      await heading(page, "Supervision des partenaires — CAF-78", 1).waitFor();
      const withdraw = page.getByRole("button", { name: /^Retirer la délégation de / });
      await withdraw.focus();
      await check();
      await page.keyboard.press("Enter");
      await page.getByRole("status").filter({ hasText: "Délégation retirée" }).waitFor();
      await page.getByRole("button", { name: /^Rendre la délégation de / }).waitFor();
      await check("withdrawn");
    },
  },
  {
    name: "admin-users",
    async run(page, check) {
      await toAdministration(page);
      const status = (text) => page.getByRole("status").filter({ hasText: text }).waitFor();
      await page.getByRole("button", { name: "Suspendre demo.caf", exact: true }).click();
      await status("Compte de demo.caf suspendu.");
      await check();
      await page.getByRole("button", { name: "Réinitialiser le mot de passe de demo.caf" }).click();
      await status("Mot de passe provisoire");
      await check("reinitialise");
      await page.getByRole("button", { name: "J'ai transmis le mot de passe" }).click();
      // Deactivation asks first; the keyboard lands on the confirmation.
      await page.getByRole("button", { name: "Désactiver demo.caf" }).click();
      await expectFocus(page, "[aria-label='Confirmer la désactivation de demo.caf']", "« Confirmer la désactivation »");
      await check("desactivation");
      await page.keyboard.press("Enter");
      await status("Compte de demo.caf désactivé.");
      await page.getByRole("button", { name: "Attribuer une habilitation à demo.caf" }).click();
      const form = page.getByRole("form", { name: "Attribuer une habilitation à demo.caf" });
      await form.getByLabel("Dernier jour (facultatif)").fill("31/12/2027");
      await check("attribution");
      await form.getByRole("button", { name: "Attribuer l'habilitation" }).click();
      await status("Habilitation cdap-t2 attribuée à demo.caf.");
      await page.getByRole("button", { name: "Retirer l'habilitation cdap-t2 à demo.caf" }).click();
      await status("Habilitation cdap-t2 retirée à demo.caf.");
      await page.getByRole("button", { name: "Nommer gestionnaire demo.caf" }).click();
      await status("demo.caf est gestionnaire délégué.");
      await check("gestionnaire");
    },
  },
  {
    name: "admin-groups",
    async run(page, check) {
      await toAdministration(page);
      await page.getByRole("tab", { name: "Groupes" }).click();
      await heading(page, "Groupe Accueil", 3).waitFor();
      await check();
      const status = (text) => page.getByRole("status").filter({ hasText: text }).waitFor();
      await page.getByLabel("Nom du groupe").fill("Accueil");
      await page.getByRole("button", { name: "Créer le groupe" }).click();
      await status("Groupe Accueil créé.");
      await page.getByLabel("Ajouter un membre au groupe Accueil").selectOption("demo.admin");
      await page.getByRole("button", { name: "Ajouter au groupe Accueil" }).click();
      await status("demo.admin ajouté au groupe Accueil.");
      await page.getByRole("button", { name: "Attribuer une habilitation au groupe Accueil" }).click();
      const form = page.getByRole("form", { name: "Attribuer une habilitation aux membres du groupe Accueil" });
      await check("attribution");
      await form.getByRole("button", { name: "Attribuer à tous les membres" }).click();
      await status("Habilitation cdap-t2 attribuée à 1 membre du groupe Accueil.");
      await page.getByRole("button", { name: "Retirer cdap-t2 aux membres du groupe Accueil" }).click();
      await status("Habilitation cdap-t2 retirée à 1 membre du groupe Accueil.");
      await page.getByRole("button", { name: "Retirer demo.caf du groupe Accueil" }).click();
      await status("demo.caf retiré du groupe Accueil.");
      await check("membres");
    },
  },
  {
    name: "admin-traces",
    async run(page, check) {
      await toAdministration(page);
      // The arrow keys move between the tabs.
      await page.getByRole("tab", { name: "Habilitations" }).focus();
      await page.keyboard.press("End");
      await heading(page, "Traces du partenaire", 2).waitFor();
      await page.getByRole("cell", { name: "Connexion" }).first().waitFor();
      await check();
      await page.getByRole("button", { name: "Page suivante" }).click();
      await page.getByText("Page 2 :").waitFor();
      await page.getByRole("button", { name: "Première page" }).click();
      await page.getByText("Page 1 :").waitFor();
      await page.getByLabel("Identifiant", { exact: true }).fill("demo.caf");
      await page.getByLabel("Service", { exact: true }).selectOption("cdap-t2");
      await page.getByLabel("Du", { exact: true }).fill("01/11/2026");
      await page.getByRole("button", { name: "Filtrer" }).click();
      await page.getByText("Page 1 :").waitFor();
      await check("filtres");
    },
  },
  {
    name: "admin-review",
    async run(page, check) {
      await toAdministration(page);
      await heading(page, "Revue annuelle", 2).waitFor();
      await page.getByRole("button", { name: "Exporter en CSV" }).click();
      await page.getByLabel("Contenu du fichier revue-habilitations.csv").waitFor();
      await check("csv");
      await page.getByRole("button", { name: "Version imprimable" }).click();
      await expectFocus(page, "#printable-title", "le titre de la version imprimable");
      const frame = page.frameLocator("iframe[title='Revue annuelle des habilitations, version imprimable']");
      await frame.getByRole("heading", { name: "Revue annuelle des habilitations" }).waitFor();
      await check("imprimable");
      await page.getByRole("button", { name: "Fermer la version imprimable" }).click();
      await page.getByRole("button", { name: "Confirmer cdap-t2 pour demo.caf" }).click();
      await page.getByRole("status").filter({ hasText: "confirmée pour un an" }).waitFor();
      await check("confirmee");
    },
  },
  {
    name: "my-traces",
    async run(page, check) {
      await heading(page, "Consulter un dossier", 1).waitFor();
      await page.getByRole("button", { name: "Mes traces" }).click();
      await heading(page, "Mes traces", 1).waitFor();
      await page.getByRole("cell", { name: "Consultation" }).first().waitFor();
      if (await page.getByLabel("Identifiant").count()) throw new Error("« Mes traces » propose un filtre par identifiant");
      await check();
    },
  },
  {
    name: "caisse-partner",
    async run(page, check) {
      await heading(page, "Supervision des partenaires — CAF-78", 1).waitFor();
      await page.getByRole("button", { name: /^Ouvrir la fiche de / }).click();
      await page.getByRole("cell", { name: "DEMO-CDAP-78" }).waitFor();
      await page.getByRole("cell", { name: "Déléguée", exact: true }).waitFor();
      await check();
      const status = (text) => page.getByRole("status").filter({ hasText: text }).waitFor();
      await page.getByLabel("Prénom et nom").fill("Agent d'accueil");
      await page.getByLabel("Courriel").fill("agent.accueil@ccas.example");
      await page.getByRole("button", { name: "Enregistrer l'utilisateur" }).click();
      await status("Mot de passe provisoire");
      await check("enregistre");
      await page.getByRole("button", { name: "J'ai transmis le mot de passe" }).click();
      await page.getByRole("button", { name: "Suspendre l'habilitation cdap-t2 de demo.caf" }).click();
      await status("Habilitation cdap-t2 de demo.caf suspendue.");
      await page.getByRole("button", { name: "Forcer le changement de mot de passe de demo.caf" }).click();
      await status("demo.caf devra changer son mot de passe");
      await page.getByRole("button", { name: /^Imposer un changement de mot de passe à tous les utilisateurs de / }).click();
      await check("confirmation");
      await page.getByRole("button", { name: /^Confirmer le changement de mot de passe de tous les utilisateurs de / }).click();
      await status("Changement de mot de passe imposé");
      await page.getByRole("button", { name: /^Suspendre les habilitations en retard de revue de / }).click();
      await status("Revues en retard");
      await check("mesures");
    },
  },
  {
    name: "caisse-traces",
    async run(page, check) {
      await heading(page, "Supervision des partenaires — CAF-78", 1).waitFor();
      await page.getByRole("tab", { name: "Traces" }).click();
      await heading(page, "Traces", 2).waitFor();
      await page.getByRole("cell", { name: "Connexion" }).first().waitFor();
      await check();
      await page.getByRole("button", { name: "Page suivante" }).click();
      await page.getByRole("button", { name: "Première page" }).waitFor();
      await page.getByLabel("Service", { exact: true }).fill("cdap-t2");
      await page.getByLabel("Au", { exact: true }).fill("23/11/2026");
      await page.getByRole("button", { name: "Filtrer" }).click();
      await page.getByText("Page 1 :").waitFor();
      await check("filtres");
    },
  },
  {
    name: "caisse-stats",
    async run(page, check) {
      await heading(page, "Supervision des partenaires — CAF-78", 1).waitFor();
      await page.getByRole("tab", { name: "Statistiques mensuelles" }).click();
      await heading(page, "Statistiques mensuelles", 2).waitFor();
      await page.getByRole("cell", { name: "DEMO-CCAS-78" }).first().waitFor();
      await check();
    },
  },
  {
    name: "caisse-flags",
    async run(page, check) {
      await heading(page, "Supervision des partenaires — CAF-78", 1).waitFor();
      await page.getByRole("tab", { name: "Signaux d'abus" }).click();
      await heading(page, "Signaux d'abus", 2).waitFor();
      await page.getByLabel("Depuis le").fill("01/11/2026");
      await page.getByRole("button", { name: "Afficher" }).click();
      await page.getByText("Aucun signal depuis le 01/11/2026.").waitFor();
      await check();
    },
  },
  {
    name: "demo-files",
    async run(page, check) {
      await heading(page, "Consulter un dossier", 1).waitFor();
      await heading(page, "Dossiers d'exemple (base de démonstration)", 2).waitFor();
      await check();
      const s = await samples(page);
      const file = s.demoFiles[0];
      await page.getByRole("button", { name: `Utiliser le dossier ${file.name}` }).click();
      await page.getByText("NIR valide").waitFor();
      if ((await page.getByLabel("Nom de famille").inputValue()) !== file.name) throw new Error("le nom n'est pas repris");
      await page.getByRole("button", { name: "Rechercher" }).click();
      await heading(page, "Dossier trouvé", 2).waitFor();
      await check("utilise");
    },
  },
];

// ---------------------------------------------------------------------------------------
// A tiny static server for dist-axe.

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".json": "application/json",
};

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (url.pathname === "/favicon.ico") {
    res.writeHead(204).end();
    return;
  }
  const file = normalize(join(dist, decodeURIComponent(url.pathname)));
  if (!file.startsWith(dist + sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { "content-type": "text/plain" }).end("introuvable");
    return;
  }
  res.writeHead(200, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "content-security-policy": CSP,
    "cache-control": "no-store",
  });
  res.end(readFileSync(file));
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const address = server.address();
const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/axe.html`;

// ---------------------------------------------------------------------------------------
// The run.

const only = process.argv.slice(2);
const selected = only.length ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS;
if (only.length && selected.length !== only.length) {
  console.error(`scénario inconnu ; connus : ${SCENARIOS.map((s) => s.name).join(", ")}`);
  process.exit(2);
}

mkdirSync(results, { recursive: true });
// No stale screenshot: all of them for a full run, the failure ones of the scenarios run.
for (const f of readdirSync(results)) {
  if (!f.endsWith(".png")) continue;
  if (!only.length || selected.some((s) => f === `${s.name}-echec.png`)) rmSync(join(results, f));
}
const profile = mkdtempSync(join(tmpdir(), "guichet-a11y-"));
let context;
let passed = 0;
let failed = 0;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    // Chromium on Linux takes the language of its date fields (jj/mm/aaaa) from the
    // environment, and only if its French locale is installed (Debian: chromium-l10n).
    env: { ...process.env, LANG: "fr_FR.UTF-8", LANGUAGE: "fr" },
    viewport: VIEWPORT,
    locale: "fr-FR",
    timezoneId: "Europe/Paris",
    reducedMotion: "reduce",
  });
  context.setDefaultTimeout(10_000);

  for (const scenario of selected) {
    const page = await context.newPage();
    const problems = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()} : ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`erreur JS : ${e.message}`));
    const checks = [];
    const check = async (suffix = "") => {
      const name = suffix ? `${scenario.name}-${suffix}` : scenario.name;
      await page.evaluate(async () => {
        await document.fonts.ready;
        return true;
      });
      if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
      const result = await page.evaluate(
        (tags) =>
          // @ts-ignore: injected above
          window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
        TAGS,
      );
      await page.screenshot({ path: join(results, `${name}.png`), fullPage: true });
      checks.push({ name, violations: result.violations });
    };
    let error = null;
    try {
      await page.goto(`${base}#${scenario.name}`, { waitUntil: "load" });
      await scenario.run(page, check);
      if (checks.length === 0) throw new Error("aucune vérification faite");
    } catch (e) {
      error = e instanceof Error ? e.message.split("\n")[0] : String(e);
      await page
        .screenshot({ path: join(results, `${scenario.name}-echec.png`), fullPage: true })
        .catch(() => {});
    }
    const violations = checks.flatMap((c) => c.violations.map((v) => ({ ...v, state: c.name })));
    const ok = !error && violations.length === 0 && problems.length === 0;
    if (ok) passed++;
    else failed++;
    const states = checks.length > 1 ? ` (${checks.length} états)` : "";
    console.log(
      `${ok ? "ok  " : "ÉCHEC"} ${scenario.name}: ${violations.length} violation${violations.length > 1 ? "s" : ""}${states}` +
        (error ? ` — scénario en échec : ${error}` : ""),
    );
    for (const v of violations) {
      console.log(`      [${v.state}] ${v.id} (${v.impact}) : ${v.help}`);
      console.log(`        ${v.helpUrl}`);
      for (const n of v.nodes.slice(0, 5)) {
        console.log(`        → ${n.target.join(" ")}`);
        const summary = (n.failureSummary ?? "").split("\n").slice(1, 3).map((l) => l.trim()).join(" ; ");
        if (summary) console.log(`          ${summary}`);
      }
      if (v.nodes.length > 5) console.log(`        … et ${v.nodes.length - 5} autres éléments`);
    }
    for (const p of problems) console.log(`      ${p}`);
    await page.close();
  }
} catch (e) {
  console.error(`Chromium n'a pas pu être lancé : ${e instanceof Error ? e.message : e}`);
  failed += selected.length - passed - failed;
} finally {
  await context?.close().catch(() => {});
  server.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
