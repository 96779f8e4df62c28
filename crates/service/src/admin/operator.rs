//! A signed-in caisse operator's power: the [`Supervisor`] over their own
//! caisse, and nothing of the console (catalogue, barème, caisses, new partners and
//! conventions): those operations do not exist on this type.

use std::ops::Deref;

use super::{CaisseScope, Supervisor};
use crate::Guichet;

/// A signed-in operator of one caisse. Obtained from [`Guichet::caisse_operator`] only.
#[derive(Debug)]
pub struct CaisseOperator<'a> {
    supervisor: Supervisor<'a>,
}

impl<'a> CaisseOperator<'a> {
    pub(super) fn new(guichet: &'a Guichet, identifiant: String, caisse: String) -> Self {
        CaisseOperator {
            supervisor: Supervisor::new(guichet, identifiant, CaisseScope::Caisse(caisse)),
        }
    }
}

impl<'a> Deref for CaisseOperator<'a> {
    type Target = Supervisor<'a>;
    fn deref(&self) -> &Supervisor<'a> {
        &self.supervisor
    }
}
