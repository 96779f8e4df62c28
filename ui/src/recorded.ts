// Recorded from the Rust code by tests/ui_fixtures.rs: do not edit.
// `make bindings` rewrites it; a test fails when it is stale.
import type {
  DemoFile,
  ErrorBody,
  HoursView,
  ManageReply,
  LookupOutcome,
  LookupResponse,
  NirCheck,
  ProfileView,
  SessionView,
  Violation,
} from "./lib/ipc";

export type LookupCase = {
  service: string;
  outcome: LookupOutcome;
  nir: string;
  name: string;
  as_of: string | null;
  response: LookupResponse;
};

export type Account = {
  identifiant: string;
  first: SessionView;
  ready: SessionView;
  aged: SessionView;
  lookups: LookupCase[];
};

export type Recorded = {
  now: string;
  demo_password: string;
  new_password: string;
  weak_password: string;
  demo_profile: ProfileView;
  accounts: Account[];
  nir_checks: { input: string; check: NirCheck }[];
  password_checks: { candidate: string; identifiant: string; violations: Violation[] }[];
  errors: {
    invalid_credentials: ErrorBody;
    account_locked: ErrorBody;
    password_policy: ErrorBody;
    service_closed: ErrorBody;
    nir_key_mismatch: ErrorBody;
    profile_name: ErrorBody;
  };
  hours_open: HoursView;
  hours_closed: HoursView;
  admin: {
    identifiant: string;
    ready: SessionView;
  };
  caisse: {
    identifiant: string;
    ready: SessionView;
  };
  manage: Record<string, { reply: ManageReply } | { error: ErrorBody }>;
  demo_files: DemoFile[];
};

export const recorded: Recorded = {
  "now": "2026-11-23T09:00:00Z",
  "demo_password": "Demo-Guichet-2026!",
  "new_password": "Tulipe-Rouge-42-Vélo",
  "weak_password": "guichet2026",
  "demo_profile": {
    "profile": {
      "name": "Démonstration (données fictives)",
      "url": "bundled",
      "caisse": "",
      "environment": "demo",
      "qf_grid": [
        {
          "label": "Tranche A",
          "from": 0,
          "to": 700,
          "price_cents": 150
        },
        {
          "label": "Tranche B",
          "from": 701,
          "price_cents": 420
        }
      ]
    },
    "bundled": true,
    "remembered_identifiant": null,
    "remembered_password": false
  },
  "accounts": [
    {
      "identifiant": "demo.creche",
      "first": {
        "profile": "Démonstration (données fictives)",
        "environment": "demo",
        "user": {
          "identifiant": "demo.creche",
          "display_name": "Directrice de crèche (démo)",
          "test_account": true
        },
        "partner": {
          "tiers": "DEMO-EAJE-67",
          "name": "Crèche Les Petits Loups (démo)"
        },
        "services": [
          {
            "code": "psu",
            "label": "Ressources PSU (crèches)",
            "sections": [
              "coordonnees",
              "situation_familiale",
              "ressources",
              "recherche"
            ],
            "idle_timeout_s": 900,
            "caisse": "MSA-ALSACE",
            "departements": [
              "67",
              "68"
            ],
            "hours": "05:00-23:00",
            "numero_instructeur": false
          }
        ],
        "must_change_password": true,
        "password_age_warning": false,
        "idle_timeout_s": 900,
        "expires_at": "2026-11-23T17:00:00Z",
        "can_remember_password": false,
        "password_rules": {
          "min_length": 12,
          "max_length": 128,
          "history": 5
        },
        "partner_role": null,
        "operator_of": null,
        "qf_grid": [
          {
            "label": "Tranche A",
            "from": 0,
            "to": 700,
            "price_cents": 150
          },
          {
            "label": "Tranche B",
            "from": 701,
            "price_cents": 420
          }
        ]
      },
      "ready": {
        "profile": "Démonstration (données fictives)",
        "environment": "demo",
        "user": {
          "identifiant": "demo.creche",
          "display_name": "Directrice de crèche (démo)",
          "test_account": true
        },
        "partner": {
          "tiers": "DEMO-EAJE-67",
          "name": "Crèche Les Petits Loups (démo)"
        },
        "services": [
          {
            "code": "psu",
            "label": "Ressources PSU (crèches)",
            "sections": [
              "coordonnees",
              "situation_familiale",
              "ressources",
              "recherche"
            ],
            "idle_timeout_s": 900,
            "caisse": "MSA-ALSACE",
            "departements": [
              "67",
              "68"
            ],
            "hours": "05:00-23:00",
            "numero_instructeur": false
          }
        ],
        "must_change_password": false,
        "password_age_warning": false,
        "idle_timeout_s": 900,
        "expires_at": "2026-11-23T17:00:00Z",
        "can_remember_password": false,
        "password_rules": {
          "min_length": 12,
          "max_length": 128,
          "history": 5
        },
        "partner_role": null,
        "operator_of": null,
        "qf_grid": [
          {
            "label": "Tranche A",
            "from": 0,
            "to": 700,
            "price_cents": 150
          },
          {
            "label": "Tranche B",
            "from": 701,
            "price_cents": 420
          }
        ]
      },
      "aged": {
        "profile": "Démonstration (données fictives)",
        "environment": "demo",
        "user": {
          "identifiant": "demo.creche",
          "display_name": "Directrice de crèche (démo)",
          "test_account": true
        },
        "partner": {
          "tiers": "DEMO-EAJE-67",
          "name": "Crèche Les Petits Loups (démo)"
        },
        "services": [
          {
            "code": "psu",
            "label": "Ressources PSU (crèches)",
            "sections": [
              "coordonnees",
              "situation_familiale",
              "ressources",
              "recherche"
            ],
            "idle_timeout_s": 900,
            "caisse": "MSA-ALSACE",
            "departements": [
              "67",
              "68"
            ],
            "hours": "05:00-23:00",
            "numero_instructeur": false
          }
        ],
        "must_change_password": false,
        "password_age_warning": true,
        "idle_timeout_s": 900,
        "expires_at": "2027-11-24T17:00:00Z",
        "can_remember_password": false,
        "password_rules": {
          "min_length": 12,
          "max_length": 128,
          "history": 5
        },
        "partner_role": null,
        "operator_of": null,
        "qf_grid": [
          {
            "label": "Tranche A",
            "from": 0,
            "to": 700,
            "price_cents": 150
          },
          {
            "label": "Tranche B",
            "from": 701,
            "price_cents": 420
          }
        ]
      },
      "lookups": [
        {
          "service": "psu",
          "outcome": "found",
          "nir": "2 02 04 67 267 781 33",
          "name": "du Pont",
          "as_of": null,
          "response": {
            "outcome": "found",
            "message": "Dossier trouvé.",
            "dossier": {
              "service": "psu",
              "sections": [
                "coordonnees",
                "situation_familiale",
                "ressources",
                "recherche"
              ],
              "coordonnees": {
                "allocataire_number": "2778772",
                "civility": "madame",
                "first_name": "Inès",
                "birth_name": "du Pont",
                "usage_name": null,
                "birth_date": "2002-04-08"
              },
              "situation_familiale": {
                "status": "single",
                "partner": null,
                "children": [
                  {
                    "first_name": "Hugo",
                    "birth_date": "2024-10-24",
                    "disabled": false
                  }
                ]
              },
              "ressources": [
                {
                  "reference_year": 2023,
                  "validity": {
                    "start": "2025-01-01",
                    "end": "2025-12-31"
                  },
                  "allocataire_cents": 2347436,
                  "partner_cents": 0
                },
                {
                  "reference_year": 2024,
                  "validity": {
                    "start": "2026-01-01",
                    "end": "2026-12-31"
                  },
                  "allocataire_cents": 5436592,
                  "partner_cents": 0
                }
              ],
              "recherche": {
                "date": "2026-11-23",
                "resources": {
                  "reference_year": 2024,
                  "validity": {
                    "start": "2026-01-01",
                    "end": "2026-12-31"
                  },
                  "allocataire_cents": 5436592,
                  "partner_cents": 0
                },
                "quotient": null,
                "participation": {
                  "care": "collective",
                  "resources_monthly_cents": 453049,
                  "floor_cents": 80100,
                  "ceiling_cents": 850000,
                  "base_monthly_cents": 453049,
                  "children": 1,
                  "aeeh_children": 0,
                  "effort_rate_ppm": 619,
                  "hourly_cents": 280,
                  "bareme": {
                    "floor": {
                      "period": {
                        "start": "2025-01-01",
                        "end": null
                      },
                      "source": "Cnaf, plancher de ressources publié chaque année (caf.fr, partenaires, barème des participations familiales)",
                      "confirmed": false
                    },
                    "ceiling": {
                      "period": {
                        "start": "2025-09-01",
                        "end": null
                      },
                      "source": "Cnaf, plafond de ressources relevé à 8 500 € au 1er septembre 2025 (caf.fr, partenaires, barème des participations familiales)",
                      "confirmed": true
                    },
                    "rate": {
                      "period": {
                        "start": "2022-01-01",
                        "end": null
                      },
                      "source": "Cnaf, lettre circulaire 2019-005 du 5 juin 2019 (barème national des participations familiales), annexe",
                      "confirmed": true
                    }
                  }
                },
                "participation_reason": null
              }
            }
          }
        },
        {
          "service": "psu",
          "outcome": "found",
          "nir": "2 02 04 67 267 781 33",
          "name": "du Pont",
          "as_of": "2025-06-15",
          "response": {
            "outcome": "found",
            "message": "Dossier trouvé.",
            "dossier": {
              "service": "psu",
              "sections": [
                "coordonnees",
                "situation_familiale",
                "ressources",
                "recherche"
              ],
              "coordonnees": {
                "allocataire_number": "2778772",
                "civility": "madame",
                "first_name": "Inès",
                "birth_name": "du Pont",
                "usage_name": null,
                "birth_date": "2002-04-08"
              },
              "situation_familiale": {
                "status": "single",
                "partner": null,
                "children": [
                  {
                    "first_name": "Hugo",
                    "birth_date": "2024-10-24",
                    "disabled": false
                  }
                ]
              },
              "ressources": [
                {
                  "reference_year": 2023,
                  "validity": {
                    "start": "2025-01-01",
                    "end": "2025-12-31"
                  },
                  "allocataire_cents": 2347436,
                  "partner_cents": 0
                },
                {
                  "reference_year": 2024,
                  "validity": {
                    "start": "2026-01-01",
                    "end": "2026-12-31"
                  },
                  "allocataire_cents": 5436592,
                  "partner_cents": 0
                }
              ],
              "recherche": {
                "date": "2025-06-15",
                "resources": {
                  "reference_year": 2023,
                  "validity": {
                    "start": "2025-01-01",
                    "end": "2025-12-31"
                  },
                  "allocataire_cents": 2347436,
                  "partner_cents": 0
                },
                "quotient": null,
                "participation": {
                  "care": "collective",
                  "resources_monthly_cents": 195620,
                  "floor_cents": 80100,
                  "ceiling_cents": 700000,
                  "base_monthly_cents": 195620,
                  "children": 1,
                  "aeeh_children": 0,
                  "effort_rate_ppm": 619,
                  "hourly_cents": 121,
                  "bareme": {
                    "floor": {
                      "period": {
                        "start": "2025-01-01",
                        "end": null
                      },
                      "source": "Cnaf, plancher de ressources publié chaque année (caf.fr, partenaires, barème des participations familiales)",
                      "confirmed": false
                    },
                    "ceiling": {
                      "period": {
                        "start": "2024-09-01",
                        "end": "2025-08-31"
                      },
                      "source": "Cnaf, plafond de ressources relevé à 7 000 € au 1er septembre 2024 (caf45-partenaires.fr, « EAJE PSU – Évolution du montant plafond des participations au 1er septembre 2024 »)",
                      "confirmed": true
                    },
                    "rate": {
                      "period": {
                        "start": "2022-01-01",
                        "end": null
                      },
                      "source": "Cnaf, lettre circulaire 2019-005 du 5 juin 2019 (barème national des participations familiales), annexe",
                      "confirmed": true
                    }
                  }
                },
                "participation_reason": null
              }
            }
          }
        },
        {
          "service": "psu",
          "outcome": "opposition",
          "nir": "1 83 11 67 405 685 39",
          "name": "Blanc",
          "as_of": null,
          "response": {
            "outcome": "opposition",
            "message": "L'allocataire s'est opposé à la consultation de son dossier."
          }
        },
        {
          "service": "psu",
          "outcome": "not_eligible",
          "nir": "1 00 10 67 583 830 60",
          "name": "Laurent",
          "as_of": null,
          "response": {
            "outcome": "not_eligible",
            "message": "Ce dossier ne relève pas de ce service : l'allocataire ne remplit pas ses conditions."
          }
        },
        {
          "service": "psu",
          "outcome": "out_of_scope",
          "nir": "1 00 08 71 649 233 89",
          "name": "Noël",
          "as_of": null,
          "response": {
            "outcome": "out_of_scope",
            "message": "Ce dossier est hors de votre périmètre : il n'est pas géré par votre caisse ou pas dans les départements de votre convention."
          }
        },
        {
          "service": "psu",
          "outcome": "not_found",
          "nir": "1 99 01 99 999 999 79",
          "name": "Martin",
          "as_of": null,
          "response": {
            "outcome": "not_found",
            "message": "Aucun dossier ne correspond à ce NIR et à ce nom."
          }
        }
      ]
    },
    {
      "identifiant": "demo.mairie",
      "first": {
        "profile": "Démonstration (données fictives)",
        "environment": "demo",
        "user": {
          "identifiant": "demo.mairie",
          "display_name": "Agent du service jeunesse (démo)",
          "test_account": true
        },
        "partner": {
          "tiers": "DEMO-COMMUNE-21",
          "name": "Ville de Dijon, service jeunesse (démo)"
        },
        "services": [
          {
            "code": "qf",
            "label": "Quotient familial",
            "sections": [
              "coordonnees",
              "quotient_familial",
              "recherche"
            ],
            "idle_timeout_s": 900,
            "caisse": "MSA-BOURGOGNE",
            "departements": [
              "21"
            ],
            "hours": "05:00-23:00",
            "numero_instructeur": false
          }
        ],
        "must_change_password": true,
        "password_age_warning": false,
        "idle_timeout_s": 900,
        "expires_at": "2026-11-23T17:00:00Z",
        "can_remember_password": false,
        "password_rules": {
          "min_length": 12,
          "max_length": 128,
          "history": 5
        },
        "partner_role": null,
        "operator_of": null,
        "qf_grid": [
          {
            "label": "Tranche A",
            "from": 0,
            "to": 700,
            "price_cents": 150
          },
          {
            "label": "Tranche B",
            "from": 701,
            "price_cents": 420
          }
        ]
      },
      "ready": {
        "profile": "Démonstration (données fictives)",
        "environment": "demo",
        "user": {
          "identifiant": "demo.mairie",
          "display_name": "Agent du service jeunesse (démo)",
          "test_account": true
        },
        "partner": {
          "tiers": "DEMO-COMMUNE-21",
          "name": "Ville de Dijon, service jeunesse (démo)"
        },
        "services": [
          {
            "code": "qf",
            "label": "Quotient familial",
            "sections": [
              "coordonnees",
              "quotient_familial",
              "recherche"
            ],
            "idle_timeout_s": 900,
            "caisse": "MSA-BOURGOGNE",
            "departements": [
              "21"
            ],
            "hours": "05:00-23:00",
            "numero_instructeur": false
          }
        ],
        "must_change_password": false,
        "password_age_warning": false,
        "idle_timeout_s": 900,
        "expires_at": "2026-11-23T17:00:00Z",
        "can_remember_password": false,
        "password_rules": {
          "min_length": 12,
          "max_length": 128,
          "history": 5
        },
        "partner_role": null,
        "operator_of": null,
        "qf_grid": [
          {
            "label": "Tranche A",
            "from": 0,
            "to": 700,
            "price_cents": 150
          },
          {
            "label": "Tranche B",
            "from": 701,
            "price_cents": 420
          }
        ]
      },
      "aged": {
        "profile": "Démonstration (données fictives)",
        "environment": "demo",
        "user": {
          "identifiant": "demo.mairie",
          "display_name": "Agent du service jeunesse (démo)",
          "test_account": true
        },
        "partner": {
          "tiers": "DEMO-COMMUNE-21",
          "name": "Ville de Dijon, service jeunesse (démo)"
        },
        "services": [
          {
            "code": "qf",
            "label": "Quotient familial",
            "sections": [
              "coordonnees",
              "quotient_familial",
              "recherche"
            ],
            "idle_timeout_s": 900,
            "caisse": "MSA-BOURGOGNE",
            "departements": [
              "21"
            ],
            "hours": "05:00-23:00",
            "numero_instructeur": false
          }
        ],
        "must_change_password": false,
        "password_age_warning": true,
        "idle_timeout_s": 900,
        "expires_at": "2027-11-24T17:00:00Z",
        "can_remember_password": false,
        "password_rules": {
          "min_length": 12,
          "max_length": 128,
          "history": 5
        },
        "partner_role": null,
        "operator_of": null,
        "qf_grid": [
          {
            "label": "Tranche A",
            "from": 0,
            "to": 700,
            "price_cents": 150
          },
          {
            "label": "Tranche B",
            "from": 701,
            "price_cents": 420
          }
        ]
      },
      "lookups": [
        {
          "service": "qf",
          "outcome": "found",
          "nir": "1 02 10 21 513 050 10",
          "name": "Benoît",
          "as_of": null,
          "response": {
            "outcome": "found",
            "message": "Dossier trouvé.",
            "dossier": {
              "service": "qf",
              "sections": [
                "coordonnees",
                "quotient_familial",
                "recherche"
              ],
              "coordonnees": {
                "allocataire_number": "3309345",
                "civility": "monsieur",
                "first_name": "Jean-Baptiste",
                "birth_name": "Benoît",
                "usage_name": null,
                "birth_date": "2002-10-02"
              },
              "quotient_familial": [
                {
                  "validity": {
                    "start": "2025-01-01",
                    "end": "2025-12-31"
                  },
                  "amount": 2271
                },
                {
                  "validity": {
                    "start": "2026-01-01",
                    "end": null
                  },
                  "amount": 2695
                }
              ],
              "recherche": {
                "date": "2026-11-23",
                "resources": null,
                "quotient": {
                  "validity": {
                    "start": "2026-01-01",
                    "end": null
                  },
                  "amount": 2695
                },
                "participation": null,
                "participation_reason": null
              }
            }
          }
        },
        {
          "service": "qf",
          "outcome": "found",
          "nir": "1 02 10 21 513 050 10",
          "name": "Benoît",
          "as_of": "2025-06-15",
          "response": {
            "outcome": "found",
            "message": "Dossier trouvé.",
            "dossier": {
              "service": "qf",
              "sections": [
                "coordonnees",
                "quotient_familial",
                "recherche"
              ],
              "coordonnees": {
                "allocataire_number": "3309345",
                "civility": "monsieur",
                "first_name": "Jean-Baptiste",
                "birth_name": "Benoît",
                "usage_name": null,
                "birth_date": "2002-10-02"
              },
              "quotient_familial": [
                {
                  "validity": {
                    "start": "2025-01-01",
                    "end": "2025-12-31"
                  },
                  "amount": 2271
                },
                {
                  "validity": {
                    "start": "2026-01-01",
                    "end": null
                  },
                  "amount": 2695
                }
              ],
              "recherche": {
                "date": "2025-06-15",
                "resources": null,
                "quotient": {
                  "validity": {
                    "start": "2025-01-01",
                    "end": "2025-12-31"
                  },
                  "amount": 2271
                },
                "participation": null,
                "participation_reason": null
              }
            }
          }
        },
        {
          "service": "qf",
          "outcome": "opposition",
          "nir": "1 52 08 21 093 537 38",
          "name": "du Pont",
          "as_of": null,
          "response": {
            "outcome": "opposition",
            "message": "L'allocataire s'est opposé à la consultation de son dossier."
          }
        },
        {
          "service": "qf",
          "outcome": "out_of_scope",
          "nir": "1 00 07 68 270 700 96",
          "name": "D'Angelo",
          "as_of": null,
          "response": {
            "outcome": "out_of_scope",
            "message": "Ce dossier est hors de votre périmètre : il n'est pas géré par votre caisse ou pas dans les départements de votre convention."
          }
        },
        {
          "service": "qf",
          "outcome": "not_found",
          "nir": "1 99 01 99 999 999 79",
          "name": "Martin",
          "as_of": null,
          "response": {
            "outcome": "not_found",
            "message": "Aucun dossier ne correspond à ce NIR et à ce nom."
          }
        }
      ]
    },
    {
      "identifiant": "demo.departement",
      "first": {
        "profile": "Démonstration (données fictives)",
        "environment": "demo",
        "user": {
          "identifiant": "demo.departement",
          "display_name": "Agent RSA du département (démo)",
          "test_account": true
        },
        "partner": {
          "tiers": "DEMO-CD-67",
          "name": "Conseil départemental du Bas-Rhin (démo)"
        },
        "services": [
          {
            "code": "rsacg",
            "label": "RSA pour le conseil départemental",
            "sections": [
              "situation_familiale",
              "droits",
              "rsa",
              "ressources",
              "adresse"
            ],
            "idle_timeout_s": 1800,
            "caisse": "MSA-ALSACE",
            "departements": [
              "67"
            ],
            "hours": "05:00-23:00",
            "numero_instructeur": false
          }
        ],
        "must_change_password": true,
        "password_age_warning": false,
        "idle_timeout_s": 1800,
        "expires_at": "2026-11-23T17:00:00Z",
        "can_remember_password": false,
        "password_rules": {
          "min_length": 12,
          "max_length": 128,
          "history": 5
        },
        "partner_role": null,
        "operator_of": null,
        "qf_grid": [
          {
            "label": "Tranche A",
            "from": 0,
            "to": 700,
            "price_cents": 150
          },
          {
            "label": "Tranche B",
            "from": 701,
            "price_cents": 420
          }
        ]
      },
      "ready": {
        "profile": "Démonstration (données fictives)",
        "environment": "demo",
        "user": {
          "identifiant": "demo.departement",
          "display_name": "Agent RSA du département (démo)",
          "test_account": true
        },
        "partner": {
          "tiers": "DEMO-CD-67",
          "name": "Conseil départemental du Bas-Rhin (démo)"
        },
        "services": [
          {
            "code": "rsacg",
            "label": "RSA pour le conseil départemental",
            "sections": [
              "situation_familiale",
              "droits",
              "rsa",
              "ressources",
              "adresse"
            ],
            "idle_timeout_s": 1800,
            "caisse": "MSA-ALSACE",
            "departements": [
              "67"
            ],
            "hours": "05:00-23:00",
            "numero_instructeur": false
          }
        ],
        "must_change_password": false,
        "password_age_warning": false,
        "idle_timeout_s": 1800,
        "expires_at": "2026-11-23T17:00:00Z",
        "can_remember_password": false,
        "password_rules": {
          "min_length": 12,
          "max_length": 128,
          "history": 5
        },
        "partner_role": null,
        "operator_of": null,
        "qf_grid": [
          {
            "label": "Tranche A",
            "from": 0,
            "to": 700,
            "price_cents": 150
          },
          {
            "label": "Tranche B",
            "from": 701,
            "price_cents": 420
          }
        ]
      },
      "aged": {
        "profile": "Démonstration (données fictives)",
        "environment": "demo",
        "user": {
          "identifiant": "demo.departement",
          "display_name": "Agent RSA du département (démo)",
          "test_account": true
        },
        "partner": {
          "tiers": "DEMO-CD-67",
          "name": "Conseil départemental du Bas-Rhin (démo)"
        },
        "services": [
          {
            "code": "rsacg",
            "label": "RSA pour le conseil départemental",
            "sections": [
              "situation_familiale",
              "droits",
              "rsa",
              "ressources",
              "adresse"
            ],
            "idle_timeout_s": 1800,
            "caisse": "MSA-ALSACE",
            "departements": [
              "67"
            ],
            "hours": "05:00-23:00",
            "numero_instructeur": false
          }
        ],
        "must_change_password": false,
        "password_age_warning": true,
        "idle_timeout_s": 1800,
        "expires_at": "2027-11-24T17:00:00Z",
        "can_remember_password": false,
        "password_rules": {
          "min_length": 12,
          "max_length": 128,
          "history": 5
        },
        "partner_role": null,
        "operator_of": null,
        "qf_grid": [
          {
            "label": "Tranche A",
            "from": 0,
            "to": 700,
            "price_cents": 150
          },
          {
            "label": "Tranche B",
            "from": 701,
            "price_cents": 420
          }
        ]
      },
      "lookups": [
        {
          "service": "rsacg",
          "outcome": "found",
          "nir": "1 52 05 69 502 874 55",
          "name": "Rémy",
          "as_of": null,
          "response": {
            "outcome": "found",
            "message": "Dossier trouvé.",
            "dossier": {
              "service": "rsacg",
              "sections": [
                "situation_familiale",
                "droits",
                "rsa",
                "ressources",
                "adresse"
              ],
              "situation_familiale": {
                "status": "couple",
                "partner": {
                  "first_name": "Chloé",
                  "last_name": "Carré",
                  "birth_date": "1954-01-22"
                },
                "children": [
                  {
                    "first_name": "Julie",
                    "birth_date": "1983-05-22",
                    "disabled": false
                  }
                ]
              },
              "ressources": [
                {
                  "reference_year": 2023,
                  "validity": {
                    "start": "2025-01-01",
                    "end": "2025-12-31"
                  },
                  "allocataire_cents": 432169,
                  "partner_cents": 434757
                },
                {
                  "reference_year": 2024,
                  "validity": {
                    "start": "2026-01-01",
                    "end": "2026-12-31"
                  },
                  "allocataire_cents": 416523,
                  "partner_cents": 861020
                }
              ],
              "droits": [
                {
                  "code": "RSA",
                  "label": "Revenu de solidarité active",
                  "period": {
                    "start": "2021-01-01",
                    "end": null
                  },
                  "monthly_cents": 54184
                }
              ],
              "rsa": {
                "state": "open",
                "period": {
                  "start": "2021-01-01",
                  "end": null
                },
                "monthly_cents": 54184,
                "payments": [
                  {
                    "month": "2026-10-01",
                    "amount_cents": 52678
                  },
                  {
                    "month": "2026-09-01",
                    "amount_cents": 50220
                  },
                  {
                    "month": "2026-08-01",
                    "amount_cents": 53276
                  }
                ]
              },
              "adresse": {
                "line1": "116 rue de l'Église",
                "line2": null,
                "postcode": "67040",
                "city": "Obernai"
              }
            }
          }
        },
        {
          "service": "rsacg",
          "outcome": "found",
          "nir": "1 52 05 69 502 874 55",
          "name": "Rémy",
          "as_of": "2025-06-15",
          "response": {
            "outcome": "found",
            "message": "Dossier trouvé.",
            "dossier": {
              "service": "rsacg",
              "sections": [
                "situation_familiale",
                "droits",
                "rsa",
                "ressources",
                "adresse"
              ],
              "situation_familiale": {
                "status": "couple",
                "partner": {
                  "first_name": "Chloé",
                  "last_name": "Carré",
                  "birth_date": "1954-01-22"
                },
                "children": [
                  {
                    "first_name": "Julie",
                    "birth_date": "1983-05-22",
                    "disabled": false
                  }
                ]
              },
              "ressources": [
                {
                  "reference_year": 2023,
                  "validity": {
                    "start": "2025-01-01",
                    "end": "2025-12-31"
                  },
                  "allocataire_cents": 432169,
                  "partner_cents": 434757
                },
                {
                  "reference_year": 2024,
                  "validity": {
                    "start": "2026-01-01",
                    "end": "2026-12-31"
                  },
                  "allocataire_cents": 416523,
                  "partner_cents": 861020
                }
              ],
              "droits": [
                {
                  "code": "RSA",
                  "label": "Revenu de solidarité active",
                  "period": {
                    "start": "2021-01-01",
                    "end": null
                  },
                  "monthly_cents": 54184
                }
              ],
              "rsa": {
                "state": "open",
                "period": {
                  "start": "2021-01-01",
                  "end": null
                },
                "monthly_cents": 54184,
                "payments": [
                  {
                    "month": "2026-10-01",
                    "amount_cents": 52678
                  },
                  {
                    "month": "2026-09-01",
                    "amount_cents": 50220
                  },
                  {
                    "month": "2026-08-01",
                    "amount_cents": 53276
                  }
                ]
              },
              "adresse": {
                "line1": "116 rue de l'Église",
                "line2": null,
                "postcode": "67040",
                "city": "Obernai"
              }
            }
          }
        },
        {
          "service": "rsacg",
          "outcome": "opposition",
          "nir": "1 83 11 67 405 685 39",
          "name": "Blanc",
          "as_of": null,
          "response": {
            "outcome": "opposition",
            "message": "L'allocataire s'est opposé à la consultation de son dossier."
          }
        },
        {
          "service": "rsacg",
          "outcome": "not_eligible",
          "nir": "1 00 10 67 583 830 60",
          "name": "Laurent",
          "as_of": null,
          "response": {
            "outcome": "not_eligible",
            "message": "Ce dossier ne relève pas de ce service : l'allocataire ne remplit pas ses conditions."
          }
        },
        {
          "service": "rsacg",
          "outcome": "out_of_scope",
          "nir": "1 01 06 89 160 237 26",
          "name": "Roger",
          "as_of": null,
          "response": {
            "outcome": "out_of_scope",
            "message": "Ce dossier est hors de votre périmètre : il n'est pas géré par votre caisse ou pas dans les départements de votre convention."
          }
        },
        {
          "service": "rsacg",
          "outcome": "not_found",
          "nir": "1 99 01 99 999 999 79",
          "name": "Martin",
          "as_of": null,
          "response": {
            "outcome": "not_found",
            "message": "Aucun dossier ne correspond à ce NIR et à ce nom."
          }
        }
      ]
    },
    {
      "identifiant": "demo.caf",
      "first": {
        "profile": "Démonstration (données fictives)",
        "environment": "demo",
        "user": {
          "identifiant": "demo.caf",
          "display_name": "Travailleur social (démo)",
          "test_account": true
        },
        "partner": {
          "tiers": "DEMO-CCAS-78",
          "name": "CCAS de Versailles (démo)"
        },
        "services": [
          {
            "code": "cdap-t2",
            "label": "CDAP T2 – Prestataires de services sociaux",
            "sections": [
              "coordonnees",
              "situation_familiale",
              "quotient_familial",
              "recherche"
            ],
            "idle_timeout_s": 900,
            "caisse": "CAF-78",
            "departements": [
              "78"
            ],
            "hours": "24/7",
            "numero_instructeur": false
          }
        ],
        "must_change_password": true,
        "password_age_warning": false,
        "idle_timeout_s": 900,
        "expires_at": "2026-11-23T17:00:00Z",
        "can_remember_password": false,
        "password_rules": {
          "min_length": 12,
          "max_length": 128,
          "history": 5
        },
        "partner_role": null,
        "operator_of": null,
        "qf_grid": [
          {
            "label": "Tranche A",
            "from": 0,
            "to": 700,
            "price_cents": 150
          },
          {
            "label": "Tranche B",
            "from": 701,
            "price_cents": 420
          }
        ]
      },
      "ready": {
        "profile": "Démonstration (données fictives)",
        "environment": "demo",
        "user": {
          "identifiant": "demo.caf",
          "display_name": "Travailleur social (démo)",
          "test_account": true
        },
        "partner": {
          "tiers": "DEMO-CCAS-78",
          "name": "CCAS de Versailles (démo)"
        },
        "services": [
          {
            "code": "cdap-t2",
            "label": "CDAP T2 – Prestataires de services sociaux",
            "sections": [
              "coordonnees",
              "situation_familiale",
              "quotient_familial",
              "recherche"
            ],
            "idle_timeout_s": 900,
            "caisse": "CAF-78",
            "departements": [
              "78"
            ],
            "hours": "24/7",
            "numero_instructeur": false
          }
        ],
        "must_change_password": false,
        "password_age_warning": false,
        "idle_timeout_s": 900,
        "expires_at": "2026-11-23T17:00:00Z",
        "can_remember_password": false,
        "password_rules": {
          "min_length": 12,
          "max_length": 128,
          "history": 5
        },
        "partner_role": null,
        "operator_of": null,
        "qf_grid": [
          {
            "label": "Tranche A",
            "from": 0,
            "to": 700,
            "price_cents": 150
          },
          {
            "label": "Tranche B",
            "from": 701,
            "price_cents": 420
          }
        ]
      },
      "aged": {
        "profile": "Démonstration (données fictives)",
        "environment": "demo",
        "user": {
          "identifiant": "demo.caf",
          "display_name": "Travailleur social (démo)",
          "test_account": true
        },
        "partner": {
          "tiers": "DEMO-CCAS-78",
          "name": "CCAS de Versailles (démo)"
        },
        "services": [
          {
            "code": "cdap-t2",
            "label": "CDAP T2 – Prestataires de services sociaux",
            "sections": [
              "coordonnees",
              "situation_familiale",
              "quotient_familial",
              "recherche"
            ],
            "idle_timeout_s": 900,
            "caisse": "CAF-78",
            "departements": [
              "78"
            ],
            "hours": "24/7",
            "numero_instructeur": false
          }
        ],
        "must_change_password": false,
        "password_age_warning": true,
        "idle_timeout_s": 900,
        "expires_at": "2027-11-24T17:00:00Z",
        "can_remember_password": false,
        "password_rules": {
          "min_length": 12,
          "max_length": 128,
          "history": 5
        },
        "partner_role": null,
        "operator_of": null,
        "qf_grid": [
          {
            "label": "Tranche A",
            "from": 0,
            "to": 700,
            "price_cents": 150
          },
          {
            "label": "Tranche B",
            "from": 701,
            "price_cents": 420
          }
        ]
      },
      "lookups": [
        {
          "service": "cdap-t2",
          "outcome": "found",
          "nir": "1 00 05 44 439 562 48",
          "name": "Dufour",
          "as_of": null,
          "response": {
            "outcome": "found",
            "message": "Dossier trouvé.",
            "dossier": {
              "service": "cdap-t2",
              "sections": [
                "coordonnees",
                "situation_familiale",
                "quotient_familial",
                "recherche"
              ],
              "coordonnees": {
                "allocataire_number": "2234058",
                "civility": "monsieur",
                "first_name": "Nicolas",
                "birth_name": "Dufour",
                "usage_name": null,
                "birth_date": "2000-05-18"
              },
              "situation_familiale": {
                "status": "couple",
                "partner": {
                  "first_name": "Camille",
                  "last_name": "Duval",
                  "birth_date": "1998-03-02"
                },
                "children": [
                  {
                    "first_name": "Joël",
                    "birth_date": "2025-11-18",
                    "disabled": false
                  }
                ]
              },
              "quotient_familial": [
                {
                  "validity": {
                    "start": "2025-01-01",
                    "end": "2025-12-31"
                  },
                  "amount": 2681
                },
                {
                  "validity": {
                    "start": "2026-01-01",
                    "end": null
                  },
                  "amount": 2154
                }
              ],
              "recherche": {
                "date": "2026-11-23",
                "resources": null,
                "quotient": {
                  "validity": {
                    "start": "2026-01-01",
                    "end": null
                  },
                  "amount": 2154
                },
                "participation": null,
                "participation_reason": null
              }
            }
          }
        },
        {
          "service": "cdap-t2",
          "outcome": "found",
          "nir": "1 00 05 44 439 562 48",
          "name": "Dufour",
          "as_of": "2025-06-15",
          "response": {
            "outcome": "found",
            "message": "Dossier trouvé.",
            "dossier": {
              "service": "cdap-t2",
              "sections": [
                "coordonnees",
                "situation_familiale",
                "quotient_familial",
                "recherche"
              ],
              "coordonnees": {
                "allocataire_number": "2234058",
                "civility": "monsieur",
                "first_name": "Nicolas",
                "birth_name": "Dufour",
                "usage_name": null,
                "birth_date": "2000-05-18"
              },
              "situation_familiale": {
                "status": "couple",
                "partner": {
                  "first_name": "Camille",
                  "last_name": "Duval",
                  "birth_date": "1998-03-02"
                },
                "children": [
                  {
                    "first_name": "Joël",
                    "birth_date": "2025-11-18",
                    "disabled": false
                  }
                ]
              },
              "quotient_familial": [
                {
                  "validity": {
                    "start": "2025-01-01",
                    "end": "2025-12-31"
                  },
                  "amount": 2681
                },
                {
                  "validity": {
                    "start": "2026-01-01",
                    "end": null
                  },
                  "amount": 2154
                }
              ],
              "recherche": {
                "date": "2025-06-15",
                "resources": null,
                "quotient": {
                  "validity": {
                    "start": "2025-01-01",
                    "end": "2025-12-31"
                  },
                  "amount": 2681
                },
                "participation": null,
                "participation_reason": null
              }
            }
          }
        },
        {
          "service": "cdap-t2",
          "outcome": "opposition",
          "nir": "2 05 04 78 249 521 01",
          "name": "Blanchard",
          "as_of": null,
          "response": {
            "outcome": "opposition",
            "message": "L'allocataire s'est opposé à la consultation de son dossier."
          }
        },
        {
          "service": "cdap-t2",
          "outcome": "out_of_scope",
          "nir": "1 00 07 68 270 700 96",
          "name": "D'Angelo",
          "as_of": null,
          "response": {
            "outcome": "out_of_scope",
            "message": "Ce dossier est hors de votre périmètre : il n'est pas géré par votre caisse ou pas dans les départements de votre convention."
          }
        },
        {
          "service": "cdap-t2",
          "outcome": "not_found",
          "nir": "1 99 01 99 999 999 79",
          "name": "Martin",
          "as_of": null,
          "response": {
            "outcome": "not_found",
            "message": "Aucun dossier ne correspond à ce NIR et à ce nom."
          }
        }
      ]
    },
    {
      "identifiant": "demo.admin",
      "first": {
        "profile": "Démonstration (données fictives)",
        "environment": "demo",
        "user": {
          "identifiant": "demo.admin",
          "display_name": "Administratrice des habilitations du CCAS (démo)",
          "test_account": true
        },
        "partner": {
          "tiers": "DEMO-CCAS-78",
          "name": "CCAS de Versailles (démo)"
        },
        "services": [
          {
            "code": "cdap-t2",
            "label": "CDAP T2 – Prestataires de services sociaux",
            "sections": [
              "coordonnees",
              "situation_familiale",
              "quotient_familial",
              "recherche"
            ],
            "idle_timeout_s": 900,
            "caisse": "CAF-78",
            "departements": [
              "78"
            ],
            "hours": "24/7",
            "numero_instructeur": false
          }
        ],
        "must_change_password": true,
        "password_age_warning": false,
        "idle_timeout_s": 900,
        "expires_at": "2026-11-23T17:00:00Z",
        "can_remember_password": false,
        "password_rules": {
          "min_length": 12,
          "max_length": 128,
          "history": 5
        },
        "partner_role": "administrator",
        "operator_of": null,
        "qf_grid": [
          {
            "label": "Tranche A",
            "from": 0,
            "to": 700,
            "price_cents": 150
          },
          {
            "label": "Tranche B",
            "from": 701,
            "price_cents": 420
          }
        ]
      },
      "ready": {
        "profile": "Démonstration (données fictives)",
        "environment": "demo",
        "user": {
          "identifiant": "demo.admin",
          "display_name": "Administratrice des habilitations du CCAS (démo)",
          "test_account": true
        },
        "partner": {
          "tiers": "DEMO-CCAS-78",
          "name": "CCAS de Versailles (démo)"
        },
        "services": [
          {
            "code": "cdap-t2",
            "label": "CDAP T2 – Prestataires de services sociaux",
            "sections": [
              "coordonnees",
              "situation_familiale",
              "quotient_familial",
              "recherche"
            ],
            "idle_timeout_s": 900,
            "caisse": "CAF-78",
            "departements": [
              "78"
            ],
            "hours": "24/7",
            "numero_instructeur": false
          }
        ],
        "must_change_password": false,
        "password_age_warning": false,
        "idle_timeout_s": 900,
        "expires_at": "2026-11-23T17:00:00Z",
        "can_remember_password": false,
        "password_rules": {
          "min_length": 12,
          "max_length": 128,
          "history": 5
        },
        "partner_role": "administrator",
        "operator_of": null,
        "qf_grid": [
          {
            "label": "Tranche A",
            "from": 0,
            "to": 700,
            "price_cents": 150
          },
          {
            "label": "Tranche B",
            "from": 701,
            "price_cents": 420
          }
        ]
      },
      "aged": {
        "profile": "Démonstration (données fictives)",
        "environment": "demo",
        "user": {
          "identifiant": "demo.admin",
          "display_name": "Administratrice des habilitations du CCAS (démo)",
          "test_account": true
        },
        "partner": {
          "tiers": "DEMO-CCAS-78",
          "name": "CCAS de Versailles (démo)"
        },
        "services": [
          {
            "code": "cdap-t2",
            "label": "CDAP T2 – Prestataires de services sociaux",
            "sections": [
              "coordonnees",
              "situation_familiale",
              "quotient_familial",
              "recherche"
            ],
            "idle_timeout_s": 900,
            "caisse": "CAF-78",
            "departements": [
              "78"
            ],
            "hours": "24/7",
            "numero_instructeur": false
          }
        ],
        "must_change_password": false,
        "password_age_warning": true,
        "idle_timeout_s": 900,
        "expires_at": "2027-11-24T17:00:00Z",
        "can_remember_password": false,
        "password_rules": {
          "min_length": 12,
          "max_length": 128,
          "history": 5
        },
        "partner_role": "administrator",
        "operator_of": null,
        "qf_grid": [
          {
            "label": "Tranche A",
            "from": 0,
            "to": 700,
            "price_cents": 150
          },
          {
            "label": "Tranche B",
            "from": 701,
            "price_cents": 420
          }
        ]
      },
      "lookups": [
        {
          "service": "cdap-t2",
          "outcome": "found",
          "nir": "1 00 05 44 439 562 48",
          "name": "Dufour",
          "as_of": null,
          "response": {
            "outcome": "found",
            "message": "Dossier trouvé.",
            "dossier": {
              "service": "cdap-t2",
              "sections": [
                "coordonnees",
                "situation_familiale",
                "quotient_familial",
                "recherche"
              ],
              "coordonnees": {
                "allocataire_number": "2234058",
                "civility": "monsieur",
                "first_name": "Nicolas",
                "birth_name": "Dufour",
                "usage_name": null,
                "birth_date": "2000-05-18"
              },
              "situation_familiale": {
                "status": "couple",
                "partner": {
                  "first_name": "Camille",
                  "last_name": "Duval",
                  "birth_date": "1998-03-02"
                },
                "children": [
                  {
                    "first_name": "Joël",
                    "birth_date": "2025-11-18",
                    "disabled": false
                  }
                ]
              },
              "quotient_familial": [
                {
                  "validity": {
                    "start": "2025-01-01",
                    "end": "2025-12-31"
                  },
                  "amount": 2681
                },
                {
                  "validity": {
                    "start": "2026-01-01",
                    "end": null
                  },
                  "amount": 2154
                }
              ],
              "recherche": {
                "date": "2026-11-23",
                "resources": null,
                "quotient": {
                  "validity": {
                    "start": "2026-01-01",
                    "end": null
                  },
                  "amount": 2154
                },
                "participation": null,
                "participation_reason": null
              }
            }
          }
        },
        {
          "service": "cdap-t2",
          "outcome": "found",
          "nir": "1 00 05 44 439 562 48",
          "name": "Dufour",
          "as_of": "2025-06-15",
          "response": {
            "outcome": "found",
            "message": "Dossier trouvé.",
            "dossier": {
              "service": "cdap-t2",
              "sections": [
                "coordonnees",
                "situation_familiale",
                "quotient_familial",
                "recherche"
              ],
              "coordonnees": {
                "allocataire_number": "2234058",
                "civility": "monsieur",
                "first_name": "Nicolas",
                "birth_name": "Dufour",
                "usage_name": null,
                "birth_date": "2000-05-18"
              },
              "situation_familiale": {
                "status": "couple",
                "partner": {
                  "first_name": "Camille",
                  "last_name": "Duval",
                  "birth_date": "1998-03-02"
                },
                "children": [
                  {
                    "first_name": "Joël",
                    "birth_date": "2025-11-18",
                    "disabled": false
                  }
                ]
              },
              "quotient_familial": [
                {
                  "validity": {
                    "start": "2025-01-01",
                    "end": "2025-12-31"
                  },
                  "amount": 2681
                },
                {
                  "validity": {
                    "start": "2026-01-01",
                    "end": null
                  },
                  "amount": 2154
                }
              ],
              "recherche": {
                "date": "2025-06-15",
                "resources": null,
                "quotient": {
                  "validity": {
                    "start": "2025-01-01",
                    "end": "2025-12-31"
                  },
                  "amount": 2681
                },
                "participation": null,
                "participation_reason": null
              }
            }
          }
        },
        {
          "service": "cdap-t2",
          "outcome": "opposition",
          "nir": "2 05 04 78 249 521 01",
          "name": "Blanchard",
          "as_of": null,
          "response": {
            "outcome": "opposition",
            "message": "L'allocataire s'est opposé à la consultation de son dossier."
          }
        },
        {
          "service": "cdap-t2",
          "outcome": "out_of_scope",
          "nir": "1 00 07 68 270 700 96",
          "name": "D'Angelo",
          "as_of": null,
          "response": {
            "outcome": "out_of_scope",
            "message": "Ce dossier est hors de votre périmètre : il n'est pas géré par votre caisse ou pas dans les départements de votre convention."
          }
        },
        {
          "service": "cdap-t2",
          "outcome": "not_found",
          "nir": "1 99 01 99 999 999 79",
          "name": "Martin",
          "as_of": null,
          "response": {
            "outcome": "not_found",
            "message": "Aucun dossier ne correspond à ce NIR et à ce nom."
          }
        }
      ]
    }
  ],
  "nir_checks": [
    {
      "input": "2 02 04 67 267 781 33",
      "check": {
        "valid": true,
        "code": null,
        "message": null,
        "incomplete": false
      }
    },
    {
      "input": "1 83 11 67 405 685 39",
      "check": {
        "valid": true,
        "code": null,
        "message": null,
        "incomplete": false
      }
    },
    {
      "input": "1 00 10 67 583 830 60",
      "check": {
        "valid": true,
        "code": null,
        "message": null,
        "incomplete": false
      }
    },
    {
      "input": "1 00 08 71 649 233 89",
      "check": {
        "valid": true,
        "code": null,
        "message": null,
        "incomplete": false
      }
    },
    {
      "input": "1 99 01 99 999 999 79",
      "check": {
        "valid": true,
        "code": null,
        "message": null,
        "incomplete": false
      }
    },
    {
      "input": "1 02 10 21 513 050 10",
      "check": {
        "valid": true,
        "code": null,
        "message": null,
        "incomplete": false
      }
    },
    {
      "input": "1 52 08 21 093 537 38",
      "check": {
        "valid": true,
        "code": null,
        "message": null,
        "incomplete": false
      }
    },
    {
      "input": "1 00 07 68 270 700 96",
      "check": {
        "valid": true,
        "code": null,
        "message": null,
        "incomplete": false
      }
    },
    {
      "input": "1 52 05 69 502 874 55",
      "check": {
        "valid": true,
        "code": null,
        "message": null,
        "incomplete": false
      }
    },
    {
      "input": "1 01 06 89 160 237 26",
      "check": {
        "valid": true,
        "code": null,
        "message": null,
        "incomplete": false
      }
    },
    {
      "input": "1 00 05 44 439 562 48",
      "check": {
        "valid": true,
        "code": null,
        "message": null,
        "incomplete": false
      }
    },
    {
      "input": "2 05 04 78 249 521 01",
      "check": {
        "valid": true,
        "code": null,
        "message": null,
        "incomplete": false
      }
    },
    {
      "input": "2 02 04 67 267 781 00",
      "check": {
        "valid": false,
        "code": "nir_key_mismatch",
        "message": "La clé du NIR ne correspond pas aux 13 premiers caractères.",
        "incomplete": false
      }
    },
    {
      "input": "2 02 04 ",
      "check": {
        "valid": false,
        "code": "nir_malformed",
        "message": "Le NIR doit compter 15 caractères (13 et la clé), 5 saisis.",
        "incomplete": true
      }
    }
  ],
  "password_checks": [
    {
      "candidate": "guichet2026",
      "identifiant": "demo.creche",
      "violations": [
        {
          "code": "too_short",
          "message": "au moins 12 caractères"
        },
        {
          "code": "missing_uppercase",
          "message": "au moins une majuscule"
        },
        {
          "code": "missing_symbol",
          "message": "au moins un caractère spécial"
        },
        {
          "code": "common",
          "message": "trop courant, facile à deviner"
        }
      ]
    },
    {
      "candidate": "guichet2026",
      "identifiant": "demo.mairie",
      "violations": [
        {
          "code": "too_short",
          "message": "au moins 12 caractères"
        },
        {
          "code": "missing_uppercase",
          "message": "au moins une majuscule"
        },
        {
          "code": "missing_symbol",
          "message": "au moins un caractère spécial"
        },
        {
          "code": "common",
          "message": "trop courant, facile à deviner"
        }
      ]
    },
    {
      "candidate": "guichet2026",
      "identifiant": "demo.departement",
      "violations": [
        {
          "code": "too_short",
          "message": "au moins 12 caractères"
        },
        {
          "code": "missing_uppercase",
          "message": "au moins une majuscule"
        },
        {
          "code": "missing_symbol",
          "message": "au moins un caractère spécial"
        },
        {
          "code": "common",
          "message": "trop courant, facile à deviner"
        }
      ]
    },
    {
      "candidate": "guichet2026",
      "identifiant": "demo.caf",
      "violations": [
        {
          "code": "too_short",
          "message": "au moins 12 caractères"
        },
        {
          "code": "missing_uppercase",
          "message": "au moins une majuscule"
        },
        {
          "code": "missing_symbol",
          "message": "au moins un caractère spécial"
        },
        {
          "code": "common",
          "message": "trop courant, facile à deviner"
        }
      ]
    },
    {
      "candidate": "guichet2026",
      "identifiant": "demo.admin",
      "violations": [
        {
          "code": "too_short",
          "message": "au moins 12 caractères"
        },
        {
          "code": "missing_uppercase",
          "message": "au moins une majuscule"
        },
        {
          "code": "missing_symbol",
          "message": "au moins un caractère spécial"
        },
        {
          "code": "common",
          "message": "trop courant, facile à deviner"
        }
      ]
    },
    {
      "candidate": "Tilleul-Vosges-1987",
      "identifiant": "demo.creche",
      "violations": []
    },
    {
      "candidate": "Tilleul-Vosges-1987",
      "identifiant": "demo.mairie",
      "violations": []
    },
    {
      "candidate": "Tilleul-Vosges-1987",
      "identifiant": "demo.departement",
      "violations": []
    },
    {
      "candidate": "Tilleul-Vosges-1987",
      "identifiant": "demo.caf",
      "violations": []
    },
    {
      "candidate": "Tilleul-Vosges-1987",
      "identifiant": "demo.admin",
      "violations": []
    },
    {
      "candidate": "Tulipe-Rouge-42-Vélo",
      "identifiant": "demo.creche",
      "violations": []
    },
    {
      "candidate": "Tulipe-Rouge-42-Vélo",
      "identifiant": "demo.mairie",
      "violations": []
    },
    {
      "candidate": "Tulipe-Rouge-42-Vélo",
      "identifiant": "demo.departement",
      "violations": []
    },
    {
      "candidate": "Tulipe-Rouge-42-Vélo",
      "identifiant": "demo.caf",
      "violations": []
    },
    {
      "candidate": "Tulipe-Rouge-42-Vélo",
      "identifiant": "demo.admin",
      "violations": []
    }
  ],
  "errors": {
    "invalid_credentials": {
      "code": "invalid_credentials",
      "message": "Identifiant ou mot de passe incorrect."
    },
    "account_locked": {
      "code": "account_locked",
      "message": "Trop d'essais infructueux : le compte est verrouillé. Réessayez dans 15 minutes.",
      "retry_after_s": 900
    },
    "password_policy": {
      "code": "password_policy",
      "message": "Mot de passe refusé : au moins 12 caractères, au moins une majuscule, au moins un caractère spécial, trop courant, facile à deviner.",
      "violations": [
        {
          "code": "too_short",
          "message": "au moins 12 caractères"
        },
        {
          "code": "missing_uppercase",
          "message": "au moins une majuscule"
        },
        {
          "code": "missing_symbol",
          "message": "au moins un caractère spécial"
        },
        {
          "code": "common",
          "message": "trop courant, facile à deviner"
        }
      ]
    },
    "service_closed": {
      "code": "service_closed",
      "message": "Service fermé, réouverture à 05:00.",
      "reopens_at": "2026-11-24T04:00:00Z"
    },
    "nir_key_mismatch": {
      "code": "nir_key_mismatch",
      "message": "La clé du NIR ne correspond pas aux 13 premiers caractères."
    },
    "profile_name": {
      "code": "invalid_profile",
      "message": "Le nom du profil doit compter de 1 à 80 caractères."
    }
  },
  "hours_open": {
    "open": true,
    "reopens_hhmm": null,
    "reopens_at": null
  },
  "hours_closed": {
    "open": false,
    "reopens_hhmm": "05:00",
    "reopens_at": "2026-11-24T04:00:00Z"
  },
  "admin": {
    "identifiant": "demo.admin",
    "ready": {
      "profile": "Démonstration (données fictives)",
      "environment": "demo",
      "user": {
        "identifiant": "demo.admin",
        "display_name": "Administratrice des habilitations du CCAS (démo)",
        "test_account": true
      },
      "partner": {
        "tiers": "DEMO-CCAS-78",
        "name": "CCAS de Versailles (démo)"
      },
      "services": [
        {
          "code": "cdap-t2",
          "label": "CDAP T2 – Prestataires de services sociaux",
          "sections": [
            "coordonnees",
            "situation_familiale",
            "quotient_familial",
            "recherche"
          ],
          "idle_timeout_s": 900,
          "caisse": "CAF-78",
          "departements": [
            "78"
          ],
          "hours": "24/7",
          "numero_instructeur": false
        }
      ],
      "must_change_password": false,
      "password_age_warning": false,
      "idle_timeout_s": 900,
      "expires_at": "2026-11-23T17:00:00Z",
      "can_remember_password": false,
      "password_rules": {
        "min_length": 12,
        "max_length": 128,
        "history": 5
      },
      "partner_role": "administrator",
      "operator_of": null,
      "qf_grid": [
        {
          "label": "Tranche A",
          "from": 0,
          "to": 700,
          "price_cents": 150
        },
        {
          "label": "Tranche B",
          "from": 701,
          "price_cents": 420
        }
      ]
    }
  },
  "caisse": {
    "identifiant": "demo.operateur",
    "ready": {
      "profile": "Démonstration (données fictives)",
      "environment": "demo",
      "user": {
        "identifiant": "demo.operateur",
        "display_name": "Agent de supervision de la CAF des Yvelines (démo)",
        "test_account": true
      },
      "partner": {
        "tiers": "CAF-78",
        "name": "CAF des Yvelines (agents de la caisse)"
      },
      "services": [],
      "must_change_password": false,
      "password_age_warning": false,
      "idle_timeout_s": 900,
      "expires_at": "2026-11-23T18:00:00Z",
      "can_remember_password": false,
      "password_rules": {
        "min_length": 12,
        "max_length": 128,
        "history": 5
      },
      "partner_role": null,
      "operator_of": "CAF-78",
      "qf_grid": [
        {
          "label": "Tranche A",
          "from": 0,
          "to": 700,
          "price_cents": 150
        },
        {
          "label": "Tranche B",
          "from": 701,
          "price_cents": 420
        }
      ]
    }
  },
  "manage": {
    "caisse_conventions": {
      "reply": {
        "kind": "conventions",
        "value": [
          {
            "number": "DEMO-CDAP-78",
            "service": "cdap-t2",
            "caisse": "CAF-78",
            "departements": [
              "78"
            ],
            "starts_on": "2026-01-01",
            "notice_on": null,
            "ends_on": null,
            "status": "active",
            "delegated": true,
            "delegation_withdrawn": false,
            "quota": 20
          }
        ]
      }
    },
    "caisse_delegation": {
      "reply": {
        "kind": "done"
      }
    },
    "caisse_flags": {
      "reply": {
        "kind": "signals",
        "value": []
      }
    },
    "caisse_force_partner_change": {
      "reply": {
        "kind": "affected",
        "value": {
          "count": 22
        }
      }
    },
    "caisse_force_user_change": {
      "reply": {
        "kind": "done"
      }
    },
    "caisse_grant": {
      "reply": {
        "kind": "done"
      }
    },
    "caisse_groups": {
      "reply": {
        "kind": "groups",
        "value": []
      }
    },
    "caisse_partners": {
      "reply": {
        "kind": "partners",
        "value": [
          {
            "tiers": "DEMO-CCAS-78",
            "name": "CCAS de Versailles (démo)",
            "status": "active",
            "delegated": true,
            "delegation_withdrawn": false,
            "late_reviews": 0
          }
        ]
      }
    },
    "caisse_partners_withdrawn": {
      "reply": {
        "kind": "partners",
        "value": [
          {
            "tiers": "DEMO-CCAS-78",
            "name": "CCAS de Versailles (démo)",
            "status": "active",
            "delegated": true,
            "delegation_withdrawn": true,
            "late_reviews": 0
          }
        ]
      }
    },
    "caisse_register_user": {
      "reply": {
        "kind": "created",
        "value": {
          "identifiant": "demo-ccas-78.000001",
          "temporary_password": "Provisoire-Enregistre-1!"
        }
      }
    },
    "caisse_reset_password": {
      "reply": {
        "kind": "password",
        "value": {
          "temporary_password": "Provisoire-Enregistre-1!"
        }
      }
    },
    "caisse_revoke": {
      "reply": {
        "kind": "done"
      }
    },
    "caisse_set_status": {
      "reply": {
        "kind": "done"
      }
    },
    "caisse_stats": {
      "reply": {
        "kind": "stats",
        "value": [
          {
            "partner": "CAF-78",
            "identifiant": "demo.operateur",
            "service": null,
            "kind": "password_change",
            "outcome": "ok",
            "count": 1
          },
          {
            "partner": "CAF-78",
            "identifiant": "demo.operateur",
            "service": null,
            "kind": "sign_in",
            "outcome": "ok",
            "count": 1
          },
          {
            "partner": "DEMO-CCAS-78",
            "identifiant": "demo.admin",
            "service": null,
            "kind": "admin",
            "outcome": "ok",
            "count": 30
          },
          {
            "partner": "DEMO-CCAS-78",
            "identifiant": "demo.admin",
            "service": null,
            "kind": "password_change",
            "outcome": "ok",
            "count": 1
          },
          {
            "partner": "DEMO-CCAS-78",
            "identifiant": "demo.admin",
            "service": null,
            "kind": "sign_in",
            "outcome": "ok",
            "count": 2
          },
          {
            "partner": "DEMO-CCAS-78",
            "identifiant": "demo.admin",
            "service": null,
            "kind": "sign_out",
            "outcome": "ok",
            "count": 2
          },
          {
            "partner": "DEMO-CCAS-78",
            "identifiant": "demo.admin",
            "service": "cdap-t2",
            "kind": "lookup",
            "outcome": "found",
            "count": 2
          },
          {
            "partner": "DEMO-CCAS-78",
            "identifiant": "demo.admin",
            "service": "cdap-t2",
            "kind": "lookup",
            "outcome": "not_found",
            "count": 1
          },
          {
            "partner": "DEMO-CCAS-78",
            "identifiant": "demo.admin",
            "service": "cdap-t2",
            "kind": "lookup",
            "outcome": "opposition",
            "count": 1
          },
          {
            "partner": "DEMO-CCAS-78",
            "identifiant": "demo.admin",
            "service": "cdap-t2",
            "kind": "lookup",
            "outcome": "out_of_scope",
            "count": 1
          },
          {
            "partner": "DEMO-CCAS-78",
            "identifiant": "demo.caf",
            "service": null,
            "kind": "password_change",
            "outcome": "ok",
            "count": 1
          },
          {
            "partner": "DEMO-CCAS-78",
            "identifiant": "demo.caf",
            "service": null,
            "kind": "sign_in",
            "outcome": "ok",
            "count": 1
          },
          {
            "partner": "DEMO-CCAS-78",
            "identifiant": "demo.caf",
            "service": null,
            "kind": "sign_out",
            "outcome": "ok",
            "count": 1
          },
          {
            "partner": "DEMO-CCAS-78",
            "identifiant": "demo.caf",
            "service": "cdap-t2",
            "kind": "lookup",
            "outcome": "found",
            "count": 2
          },
          {
            "partner": "DEMO-CCAS-78",
            "identifiant": "demo.caf",
            "service": "cdap-t2",
            "kind": "lookup",
            "outcome": "not_found",
            "count": 1
          },
          {
            "partner": "DEMO-CCAS-78",
            "identifiant": "demo.caf",
            "service": "cdap-t2",
            "kind": "lookup",
            "outcome": "opposition",
            "count": 1
          },
          {
            "partner": "DEMO-CCAS-78",
            "identifiant": "demo.caf",
            "service": "cdap-t2",
            "kind": "lookup",
            "outcome": "out_of_scope",
            "count": 1
          }
        ]
      }
    },
    "caisse_suspend": {
      "reply": {
        "kind": "done"
      }
    },
    "caisse_suspend_late": {
      "reply": {
        "kind": "affected",
        "value": {
          "count": 0
        }
      }
    },
    "caisse_traces": {
      "reply": {
        "kind": "traces",
        "value": {
          "entries": [
            {
              "at": "2026-11-23T10:00:00Z",
              "identifiant": "demo.operateur",
              "kind": "password_change",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T10:00:00Z",
              "identifiant": "demo.operateur",
              "kind": "sign_in",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2027-11-24T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "sign_out",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2027-11-24T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "sign_in",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2027-11-24T09:00:00Z",
              "identifiant": "demo.caf",
              "kind": "sign_out",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2027-11-24T09:00:00Z",
              "identifiant": "demo.caf",
              "kind": "sign_in",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "sign_out",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            }
          ],
          "next_before": 62
        }
      }
    },
    "caisse_users": {
      "reply": {
        "kind": "users",
        "value": [
          {
            "identifiant": "demo.admin",
            "display_name": "Administratrice des habilitations du CCAS (démo)",
            "email": "demo.admin@demo.invalid",
            "status": "active",
            "role": "administrator",
            "must_change_password": false,
            "habilitations": [
              {
                "service": "cdap-t2",
                "departements": [
                  "78"
                ],
                "granted_at": "2026-11-23T09:00:00Z",
                "ends_at": null,
                "granted_by": null,
                "suspended_by": null
              }
            ]
          },
          {
            "identifiant": "demo.caf",
            "display_name": "Travailleur social (démo)",
            "email": "demo.caf@demo.invalid",
            "status": "active",
            "role": null,
            "must_change_password": false,
            "habilitations": [
              {
                "service": "cdap-t2",
                "departements": [
                  "78"
                ],
                "granted_at": "2026-11-23T09:00:00Z",
                "ends_at": null,
                "granted_by": "demo.admin",
                "suspended_by": null
              }
            ]
          }
        ]
      }
    },
    "create_group": {
      "reply": {
        "kind": "group",
        "value": {
          "name": "Accueil",
          "members": [],
          "created_by": "demo.admin",
          "created_at": "2026-11-23T09:00:00Z"
        }
      }
    },
    "create_user": {
      "reply": {
        "kind": "created",
        "value": {
          "identifiant": "demo-ccas-78.000001",
          "temporary_password": "Provisoire-Enregistre-1!"
        }
      }
    },
    "create_user_quota": {
      "error": {
        "code": "quota_reached",
        "message": "Quota atteint : la convention permet 20 habilitations au service cdap-t2, toutes attribuées. Retirez-en une ou demandez à la caisse d'augmenter le quota."
      }
    },
    "delegations": {
      "reply": {
        "kind": "delegations",
        "value": [
          {
            "service": "cdap-t2",
            "convention": "DEMO-CDAP-78",
            "caisse": "CAF-78",
            "departements": [
              "78"
            ],
            "quota": 20,
            "used": 2
          }
        ]
      }
    },
    "delete_group": {
      "reply": {
        "kind": "done"
      }
    },
    "grant": {
      "reply": {
        "kind": "done"
      }
    },
    "grant_group": {
      "reply": {
        "kind": "affected",
        "value": {
          "count": 1
        }
      }
    },
    "groups": {
      "reply": {
        "kind": "groups",
        "value": [
          {
            "name": "Accueil",
            "members": [
              "demo.caf"
            ],
            "created_by": "demo.admin",
            "created_at": "2026-11-23T09:00:00Z"
          }
        ]
      }
    },
    "my_traces": {
      "reply": {
        "kind": "traces",
        "value": {
          "entries": [
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "sign_in",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "sign_out",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "lookup",
              "service": "cdap-t2",
              "outcome": "not_found",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "lookup",
              "service": "cdap-t2",
              "outcome": "out_of_scope",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "lookup",
              "service": "cdap-t2",
              "outcome": "opposition",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "lookup",
              "service": "cdap-t2",
              "outcome": "found",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "lookup",
              "service": "cdap-t2",
              "outcome": "found",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "password_change",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "sign_in",
              "service": null,
              "outcome": "ok",
              "address": null
            }
          ],
          "next_before": null
        }
      }
    },
    "partner_traces": {
      "reply": {
        "kind": "traces",
        "value": {
          "entries": [
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "admin",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "sign_in",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "sign_out",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "lookup",
              "service": "cdap-t2",
              "outcome": "not_found",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "lookup",
              "service": "cdap-t2",
              "outcome": "out_of_scope",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "lookup",
              "service": "cdap-t2",
              "outcome": "opposition",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "lookup",
              "service": "cdap-t2",
              "outcome": "found",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "lookup",
              "service": "cdap-t2",
              "outcome": "found",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "password_change",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.admin",
              "kind": "sign_in",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.caf",
              "kind": "sign_out",
              "service": null,
              "outcome": "ok",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.caf",
              "kind": "lookup",
              "service": "cdap-t2",
              "outcome": "not_found",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.caf",
              "kind": "lookup",
              "service": "cdap-t2",
              "outcome": "out_of_scope",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.caf",
              "kind": "lookup",
              "service": "cdap-t2",
              "outcome": "opposition",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.caf",
              "kind": "lookup",
              "service": "cdap-t2",
              "outcome": "found",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.caf",
              "kind": "lookup",
              "service": "cdap-t2",
              "outcome": "found",
              "address": null
            },
            {
              "at": "2026-11-23T09:00:00Z",
              "identifiant": "demo.caf",
              "kind": "password_change",
              "service": null,
              "outcome": "ok",
              "address": null
            }
          ],
          "next_before": 29
        }
      }
    },
    "reset_password": {
      "reply": {
        "kind": "password",
        "value": {
          "temporary_password": "Provisoire-Enregistre-1!"
        }
      }
    },
    "review": {
      "reply": {
        "kind": "done"
      }
    },
    "review_csv": {
      "reply": {
        "kind": "document",
        "value": "partenaire;identifiant;service;attribuée le;attribuée par;revue le;revue par;prochaine revue;en retard;suspendue\nDEMO-CCAS-78;demo.caf;cdap-t2;2026-11-23;demo.admin;2026-11-23;demo.admin;2027-11-23;non;non\n"
      }
    },
    "review_page": {
      "reply": {
        "kind": "document",
        "value": "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Revue annuelle des habilitations — CCAS de Versailles (démo) (DEMO-CCAS-78)</title></head><body>\n<h1>Revue annuelle des habilitations</h1>\n<p>Partenaire : CCAS de Versailles (démo) (DEMO-CCAS-78)<br>Établie le 23/11/2026 à 10:00 (heure de Paris) par demo.admin.<br>1 habilitation(s) en vigueur, dont 0 dont la revue est en retard.</p>\n<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\">\n<thead><tr><th scope=\"col\">Utilisateur</th><th scope=\"col\">Service</th><th scope=\"col\">Attribuée le (par)</th><th scope=\"col\">Dernière revue (par)</th><th scope=\"col\">Prochaine revue</th><th scope=\"col\">État</th></tr></thead>\n<tbody>\n<tr><td>demo.caf</td><td>cdap-t2</td><td>23/11/2026 (demo.admin)</td><td>23/11/2026 (demo.admin)</td><td>23/11/2027</td><td>à jour</td></tr>\n</tbody></table>\n<p>Chaque habilitation est à confirmer ou à retirer une fois par an (revue inverse) ; ce document en est la preuve pour la caisse.</p>\n</body></html>\n"
      }
    },
    "reviews": {
      "reply": {
        "kind": "reviews",
        "value": [
          {
            "identifiant": "demo.caf",
            "service": "cdap-t2",
            "granted_at": "2026-11-23T09:00:00Z",
            "reviewed_at": null,
            "reviewed_by": null,
            "due_at": "2027-11-23T09:00:00Z",
            "late": false,
            "suspended": false
          }
        ]
      }
    },
    "revoke": {
      "reply": {
        "kind": "done"
      }
    },
    "revoke_group": {
      "reply": {
        "kind": "affected",
        "value": {
          "count": 1
        }
      }
    },
    "set_manager": {
      "reply": {
        "kind": "done"
      }
    },
    "set_member": {
      "reply": {
        "kind": "done"
      }
    },
    "set_status": {
      "reply": {
        "kind": "done"
      }
    },
    "users": {
      "reply": {
        "kind": "users",
        "value": [
          {
            "identifiant": "demo.admin",
            "display_name": "Administratrice des habilitations du CCAS (démo)",
            "email": "demo.admin@demo.invalid",
            "status": "active",
            "role": "administrator",
            "must_change_password": false,
            "habilitations": [
              {
                "service": "cdap-t2",
                "departements": [
                  "78"
                ],
                "granted_at": "2026-11-23T09:00:00Z",
                "ends_at": null,
                "granted_by": null,
                "suspended_by": null
              }
            ]
          },
          {
            "identifiant": "demo.caf",
            "display_name": "Travailleur social (démo)",
            "email": "demo.caf@demo.invalid",
            "status": "active",
            "role": null,
            "must_change_password": false,
            "habilitations": [
              {
                "service": "cdap-t2",
                "departements": [
                  "78"
                ],
                "granted_at": "2026-11-23T09:00:00Z",
                "ends_at": null,
                "granted_by": null,
                "suspended_by": null
              }
            ]
          }
        ]
      }
    }
  },
  "demo_files": [
    {
      "nir": "2 02 04 67 267 781 33",
      "name": "du Pont",
      "outcome": "found"
    },
    {
      "nir": "2 04 07 59 117 050 95",
      "name": "Carré",
      "outcome": "found"
    },
    {
      "nir": "1 83 11 67 405 685 39",
      "name": "Blanc",
      "outcome": "opposition"
    },
    {
      "nir": "1 86 06 67 513 770 76",
      "name": "Santoni-Giraud",
      "outcome": "opposition"
    },
    {
      "nir": "1 00 10 67 583 830 60",
      "name": "Laurent",
      "outcome": "not_eligible"
    },
    {
      "nir": "1 00 12 67 537 436 23",
      "name": "Santoni",
      "outcome": "not_eligible"
    }
  ]
};
