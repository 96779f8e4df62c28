//! Whether a Windows file or folder can be changed by anyone but the machine's
//! administrators, judged from its owner and DACL in the binary form Windows returns them
//! (MS-DTYP 2.4.2 SID, 2.4.4 ACE, 2.4.5 ACL). Pure and safe, so that it is tested on every
//! platform; [`crate::windows::check_protected`] reads the two from the file system.
//!
//! Trusted are SYSTEM, Administrators and TrustedInstaller (well-known SIDs, the same on
//! every language of Windows): the owner must be one of them, and no allow entry may give
//! any other SID a right that changes the object, its contents or its rights.
//! Two stand-ins are trusted too, because of what the rest makes sure of:
//!
//! - CREATOR OWNER (`S-1-3-0`) is replaced, in what a folder's children inherit, by whoever
//!   creates them; only trusted SIDs may create anything in a folder that passes, and on the
//!   object itself the entry matches nobody;
//! - OWNER RIGHTS (`S-1-3-4`) stands for the current owner, who is trusted.
//!
//! CREATOR GROUP (`S-1-3-1`) is not: it becomes the creator's primary group, often
//! "Domain Users". Deny entries only take rights away and are skipped; inherit-only entries
//! are judged as if they applied (stricter, and they reach the files created later).

/// `NT AUTHORITY\SYSTEM`.
pub const SYSTEM: &str = "S-1-5-18";
/// `BUILTIN\Administrators`.
pub const ADMINISTRATORS: &str = "S-1-5-32-544";
/// `NT SERVICE\TrustedInstaller`.
pub const TRUSTED_INSTALLER: &str =
    "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464";
/// CREATOR OWNER (see the module's documentation).
pub const CREATOR_OWNER: &str = "S-1-3-0";
/// OWNER RIGHTS (see the module's documentation).
pub const OWNER_RIGHTS: &str = "S-1-3-4";

/// Who may own a protected file or folder.
pub const TRUSTED_OWNERS: [&str; 3] = [SYSTEM, ADMINISTRATORS, TRUSTED_INSTALLER];
/// Who may hold [`CHANGING_RIGHTS`] on it.
pub const TRUSTED_WRITERS: [&str; 5] = [
    SYSTEM,
    ADMINISTRATORS,
    TRUSTED_INSTALLER,
    CREATOR_OWNER,
    OWNER_RIGHTS,
];

// Access rights (winnt.h). `windows.rs` checks them against windows-sys at compile time.
/// Write data to a file; create a file in a folder.
pub const FILE_WRITE_DATA: u32 = 0x0002;
/// Append to a file; create a subfolder.
pub const FILE_APPEND_DATA: u32 = 0x0004;
pub const FILE_WRITE_EA: u32 = 0x0010;
/// Delete a folder's children, whatever their own rights say.
pub const FILE_DELETE_CHILD: u32 = 0x0040;
pub const FILE_WRITE_ATTRIBUTES: u32 = 0x0100;
pub const DELETE: u32 = 0x0001_0000;
pub const WRITE_DAC: u32 = 0x0004_0000;
pub const WRITE_OWNER: u32 = 0x0008_0000;
pub const MAXIMUM_ALLOWED: u32 = 0x0200_0000;
pub const GENERIC_ALL: u32 = 0x1000_0000;
pub const GENERIC_WRITE: u32 = 0x4000_0000;

/// The rights that change a file or folder, its contents or who may: writing, creating
/// children, deleting (a missing policy file is an unmanaged workstation, looser than IT
/// intended), rewriting the DACL or the owner, and the generic rights that include them.
/// Reading, listing, executing and `SYNCHRONIZE` are harmless.
pub const CHANGING_RIGHTS: u32 = FILE_WRITE_DATA
    | FILE_APPEND_DATA
    | FILE_WRITE_EA
    | FILE_DELETE_CHILD
    | FILE_WRITE_ATTRIBUTES
    | DELETE
    | WRITE_DAC
    | WRITE_OWNER
    | MAXIMUM_ALLOWED
    | GENERIC_ALL
    | GENERIC_WRITE;

// ACE types (winnt.h), checked against windows-sys too.
pub const ACCESS_ALLOWED_ACE_TYPE: u8 = 0x0;
pub const ACCESS_DENIED_ACE_TYPE: u8 = 0x1;
pub const ACCESS_ALLOWED_OBJECT_ACE_TYPE: u8 = 0x5;
pub const ACCESS_DENIED_OBJECT_ACE_TYPE: u8 = 0x6;
pub const ACCESS_ALLOWED_CALLBACK_ACE_TYPE: u8 = 0x9;
pub const ACCESS_DENIED_CALLBACK_ACE_TYPE: u8 = 0xA;
pub const ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE: u8 = 0xB;
pub const ACCESS_DENIED_CALLBACK_OBJECT_ACE_TYPE: u8 = 0xC;
/// Flags of an object ACE: which of its two GUIDs precede the SID.
const ACE_OBJECT_TYPE_PRESENT: u32 = 0x1;
const ACE_INHERITED_OBJECT_TYPE_PRESENT: u32 = 0x2;

/// Why a file or folder is not protected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unprotected {
    /// Owned by this SID, not by SYSTEM, Administrators or TrustedInstaller: an owner may
    /// always rewrite the DACL.
    Owner(String),
    /// No DACL at all (a NULL DACL): everyone may do everything.
    NullDacl,
    /// An allow entry gives this SID (some of) `mask` ∩ [`CHANGING_RIGHTS`].
    Writable { sid: String, mask: u32 },
    /// An entry of a type this check does not know: it cannot say what it allows.
    UnknownAce(u8),
    /// The owner or the DACL does not parse.
    Malformed,
    /// Windows could not open the object or read its security descriptor (Win32 error).
    Unreadable(u32),
}

/// What an entry of the DACL does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AceKind {
    Allow,
    Deny,
    /// A type this check does not know.
    Other(u8),
}

/// One entry of a DACL, as far as the judgement needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ace {
    pub kind: AceKind,
    /// `ACE_HEADER.AceFlags` (inheritance); kept for messages and tests, not judged.
    pub flags: u8,
    pub mask: u32,
    /// `S-1-…`; empty unless [`AceKind::Allow`] (the only entries judged by their SID).
    pub sid: String,
}

/// Judges a security descriptor's owner SID and DACL, both as Windows stores them; `None`
/// is a NULL DACL. `also`: one more SID trusted as owner and writer beside the built-in
/// ones (the tests' own user, as the Unix tests trust their own uid); `None` in production.
pub fn judge(owner_sid: &[u8], dacl: Option<&[u8]>, also: Option<&str>) -> Result<(), Unprotected> {
    let (owner, _) = parse_sid(owner_sid).ok_or(Unprotected::Malformed)?;
    let aces = dacl.map(parse_acl).transpose()?;
    judge_aces(&owner, aces.as_deref(), also)
}

/// The decision itself, over an owner and the entries of a DACL (`None`: a NULL DACL),
/// `also` as in [`judge`]. The first problem found is returned, the owner's first.
pub fn judge_aces(
    owner: &str,
    dacl: Option<&[Ace]>,
    also: Option<&str>,
) -> Result<(), Unprotected> {
    let trusted = |sid: &str, builtin: &[&str]| builtin.contains(&sid) || also == Some(sid);
    if !trusted(owner, &TRUSTED_OWNERS) {
        return Err(Unprotected::Owner(owner.to_owned()));
    }
    let Some(aces) = dacl else {
        return Err(Unprotected::NullDacl);
    };
    for ace in aces {
        match ace.kind {
            AceKind::Deny => {}
            AceKind::Other(kind) => return Err(Unprotected::UnknownAce(kind)),
            AceKind::Allow => {
                if ace.mask & CHANGING_RIGHTS != 0 && !trusted(&ace.sid, &TRUSTED_WRITERS) {
                    return Err(Unprotected::Writable {
                        sid: ace.sid.clone(),
                        mask: ace.mask,
                    });
                }
            }
        }
    }
    Ok(())
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// A SID at the start of `bytes`, as `S-1-…`, and its length in bytes.
pub fn parse_sid(bytes: &[u8]) -> Option<(String, usize)> {
    let revision = *bytes.first()?;
    let count = usize::from(*bytes.get(1)?);
    // SID_MAX_SUB_AUTHORITIES.
    if revision != 1 || count > 15 {
        return None;
    }
    let authority = bytes
        .get(2..8)?
        .iter()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let len = 8 + 4 * count;
    let mut text = if authority < 1 << 32 {
        format!("S-1-{authority}")
    } else {
        // As ConvertSidToStringSidW writes the authorities that do not fit 32 bits.
        format!("S-1-0x{authority:012X}")
    };
    for index in 0..count {
        let sub = u32_at(bytes, 8 + 4 * index)?;
        text.push_str(&format!("-{sub}"));
    }
    Some((text, len))
}

/// The entries of an ACL (`ACL` header, then `AceCount` entries, within `AclSize` bytes).
pub fn parse_acl(bytes: &[u8]) -> Result<Vec<Ace>, Unprotected> {
    parse_acl_entries(bytes).ok_or(Unprotected::Malformed)
}

fn parse_acl_entries(bytes: &[u8]) -> Option<Vec<Ace>> {
    let revision = *bytes.first()?;
    // ACL_REVISION, ACL_REVISION_DS.
    if revision != 2 && revision != 4 {
        return None;
    }
    let size = usize::from(u16_at(bytes, 2)?);
    let count = usize::from(u16_at(bytes, 4)?);
    let acl = bytes.get(..size)?;
    let mut at = 8;
    let mut aces = Vec::with_capacity(count);
    for _ in 0..count {
        let kind = *acl.get(at)?;
        let flags = *acl.get(at + 1)?;
        let ace_size = usize::from(u16_at(acl, at + 2)?);
        if ace_size < 4 {
            return None;
        }
        // The body: what follows the 4-byte ACE_HEADER.
        let body = acl.get(at + 4..at + ace_size)?;
        aces.push(parse_ace(kind, flags, body)?);
        at += ace_size;
    }
    Some(aces)
}

fn parse_ace(kind: u8, flags: u8, body: &[u8]) -> Option<Ace> {
    let mask = u32_at(body, 0)?;
    // Where the SID starts in the body, for the entries that allow.
    let (kind, sid_at) = match kind {
        ACCESS_ALLOWED_ACE_TYPE | ACCESS_ALLOWED_CALLBACK_ACE_TYPE => (AceKind::Allow, Some(4)),
        ACCESS_ALLOWED_OBJECT_ACE_TYPE | ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE => {
            let object_flags = u32_at(body, 4)?;
            let mut sid_at = 8;
            if object_flags & ACE_OBJECT_TYPE_PRESENT != 0 {
                sid_at += 16;
            }
            if object_flags & ACE_INHERITED_OBJECT_TYPE_PRESENT != 0 {
                sid_at += 16;
            }
            (AceKind::Allow, Some(sid_at))
        }
        ACCESS_DENIED_ACE_TYPE
        | ACCESS_DENIED_OBJECT_ACE_TYPE
        | ACCESS_DENIED_CALLBACK_ACE_TYPE
        | ACCESS_DENIED_CALLBACK_OBJECT_ACE_TYPE => (AceKind::Deny, None),
        other => (AceKind::Other(other), None),
    };
    let sid = match sid_at {
        Some(at) => parse_sid(body.get(at..)?)?.0,
        None => String::new(),
    };
    Some(Ace {
        kind,
        flags,
        mask,
        sid,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const USERS: &str = "S-1-5-32-545";
    const AUTHENTICATED_USERS: &str = "S-1-5-11";
    const CREATOR_GROUP: &str = "S-1-3-1";
    const SOME_USER: &str = "S-1-5-21-1004336348-1177238915-682003330-1001";
    /// icacls F: FILE_ALL_ACCESS.
    const FULL: u32 = 0x001F_01FF;
    /// icacls RX: read and execute (FILE_GENERIC_READ | FILE_GENERIC_EXECUTE).
    const READ_EXECUTE: u32 = 0x0012_00A9;
    /// icacls M: modify.
    const MODIFY: u32 = 0x0013_01BF;
    /// (OI)(CI), (OI)(CI)(IO), (CI).
    const OI_CI: u8 = 0x3;
    const OI_CI_IO: u8 = 0xB;
    const CI: u8 = 0x2;

    fn sid_bytes(text: &str) -> Vec<u8> {
        let parts: Vec<u64> = text
            .strip_prefix("S-1-")
            .unwrap()
            .split('-')
            .map(|p| p.parse().unwrap())
            .collect();
        let mut out = vec![1, u8::try_from(parts.len() - 1).unwrap()];
        out.extend_from_slice(&parts[0].to_be_bytes()[2..]);
        for sub in &parts[1..] {
            out.extend_from_slice(&u32::try_from(*sub).unwrap().to_le_bytes());
        }
        out
    }

    /// An ACE of `kind` with `body` after its header.
    fn ace(kind: u8, flags: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![kind, flags];
        out.extend_from_slice(&u16::try_from(4 + body.len()).unwrap().to_le_bytes());
        out.extend_from_slice(body);
        out
    }

    fn simple(kind: u8, flags: u8, mask: u32, sid: &str) -> Vec<u8> {
        let mut body = mask.to_le_bytes().to_vec();
        body.extend(sid_bytes(sid));
        ace(kind, flags, &body)
    }

    fn allow(flags: u8, mask: u32, sid: &str) -> Vec<u8> {
        simple(ACCESS_ALLOWED_ACE_TYPE, flags, mask, sid)
    }

    fn acl(aces: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = aces.concat();
        let mut out = vec![2, 0];
        out.extend_from_slice(&u16::try_from(8 + body.len()).unwrap().to_le_bytes());
        out.extend_from_slice(&u16::try_from(aces.len()).unwrap().to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend(body);
        out
    }

    /// What the installers leave: SYSTEM and Administrators full control, Users read.
    fn installed() -> Vec<u8> {
        acl(&[
            allow(OI_CI, FULL, SYSTEM),
            allow(OI_CI, FULL, ADMINISTRATORS),
            allow(OI_CI, READ_EXECUTE, USERS),
        ])
    }

    fn judged(owner: &str, dacl: &[u8]) -> Result<(), Unprotected> {
        judge(&sid_bytes(owner), Some(dacl), None)
    }

    #[test]
    fn sids_read_as_windows_writes_them() {
        for text in [
            SYSTEM,
            ADMINISTRATORS,
            TRUSTED_INSTALLER,
            CREATOR_OWNER,
            SOME_USER,
            "S-1-1-0",
        ] {
            let bytes = sid_bytes(text);
            assert_eq!(parse_sid(&bytes), Some((text.to_owned(), bytes.len())));
        }
        let mut big = sid_bytes("S-1-5-18");
        big[2] = 1;
        assert_eq!(parse_sid(&big).unwrap().0, "S-1-0x010000000005-18");
        // Truncated, wrong revision, too many sub-authorities.
        let bytes = sid_bytes(SOME_USER);
        assert_eq!(parse_sid(&bytes[..bytes.len() - 1]), None);
        assert_eq!(parse_sid(&[2, 0, 0, 0, 0, 0, 0, 5]), None);
        assert_eq!(parse_sid(&[1, 16, 0, 0, 0, 0, 0, 5]), None);
    }

    #[test]
    fn the_installers_rights_pass_under_each_trusted_owner() {
        for owner in TRUSTED_OWNERS {
            assert_eq!(judged(owner, &installed()), Ok(()));
        }
        // No entry at all: only the owner (trusted) may change the DACL.
        assert_eq!(judged(SYSTEM, &acl(&[])), Ok(()));
    }

    #[test]
    fn a_folder_created_by_a_user_is_refused_for_its_owner() {
        assert_eq!(
            judged(SOME_USER, &installed()),
            Err(Unprotected::Owner(SOME_USER.into()))
        );
    }

    /// The tests' own user, trusted by the tests only: as owner and as writer, and no one
    /// else with it.
    #[test]
    fn the_one_more_trusted_sid_is_trusted_and_no_other() {
        let mine = acl(&[allow(OI_CI, FULL, SYSTEM), allow(OI_CI, FULL, SOME_USER)]);
        let also = Some(SOME_USER);
        assert_eq!(judge(&sid_bytes(SOME_USER), Some(&mine), also), Ok(()));
        assert_eq!(
            judge(&sid_bytes(SOME_USER), Some(&mine), None),
            Err(Unprotected::Owner(SOME_USER.into()))
        );
        let other = "S-1-5-21-1004336348-1177238915-682003330-1002";
        assert_eq!(
            judge(&sid_bytes(other), Some(&mine), also),
            Err(Unprotected::Owner(other.into()))
        );
        let shared = acl(&[allow(OI_CI, FULL, SOME_USER), allow(OI_CI, FULL, other)]);
        assert!(matches!(
            judge(&sid_bytes(SOME_USER), Some(&shared), also),
            Err(Unprotected::Writable { ref sid, .. }) if sid == other
        ));
        assert_eq!(
            judge(&sid_bytes(SOME_USER), None, also),
            Err(Unprotected::NullDacl)
        );
    }

    #[test]
    fn a_null_dacl_is_refused() {
        assert_eq!(
            judge(&sid_bytes(ADMINISTRATORS), None, None),
            Err(Unprotected::NullDacl)
        );
    }

    /// A folder made by hand in %ProgramData%, inheriting its rights: Users may create
    /// files and folders in it.
    #[test]
    fn the_rights_inherited_from_programdata_are_refused() {
        const INHERITED: u8 = 0x10;
        let dacl = acl(&[
            allow(OI_CI | INHERITED, FULL, SYSTEM),
            allow(OI_CI | INHERITED, FULL, ADMINISTRATORS),
            allow(OI_CI_IO | INHERITED, GENERIC_ALL, CREATOR_OWNER),
            allow(OI_CI | INHERITED, READ_EXECUTE, USERS),
            allow(CI | INHERITED, 0x0000_0116, USERS),
        ]);
        assert_eq!(
            judged(ADMINISTRATORS, &dacl),
            Err(Unprotected::Writable {
                sid: USERS.into(),
                mask: 0x0000_0116
            })
        );
    }

    #[test]
    fn every_changing_right_given_to_another_sid_is_refused() {
        for right in [
            FILE_WRITE_DATA,
            FILE_APPEND_DATA,
            FILE_WRITE_EA,
            FILE_DELETE_CHILD,
            FILE_WRITE_ATTRIBUTES,
            DELETE,
            WRITE_DAC,
            WRITE_OWNER,
            MAXIMUM_ALLOWED,
            GENERIC_ALL,
            GENERIC_WRITE,
            MODIFY,
            FULL,
        ] {
            for sid in [
                USERS,
                AUTHENTICATED_USERS,
                "S-1-1-0",
                SOME_USER,
                CREATOR_GROUP,
            ] {
                let mut aces = vec![allow(OI_CI, FULL, ADMINISTRATORS)];
                aces.push(allow(0, READ_EXECUTE | right, sid));
                assert_eq!(
                    judged(SYSTEM, &acl(&aces)),
                    Err(Unprotected::Writable {
                        sid: sid.into(),
                        mask: READ_EXECUTE | right
                    }),
                    "{sid} {right:#x}"
                );
            }
        }
        // An entry that applies to the children only counts too.
        assert!(judged(SYSTEM, &acl(&[allow(OI_CI_IO, MODIFY, USERS)])).is_err());
    }

    #[test]
    fn reading_denying_and_the_owner_stand_ins_pass() {
        let dacl = acl(&[
            simple(ACCESS_DENIED_ACE_TYPE, 0, FULL, "S-1-1-0"),
            simple(ACCESS_DENIED_OBJECT_ACE_TYPE, 0, FULL, USERS),
            allow(OI_CI, FULL, SYSTEM),
            allow(OI_CI_IO, GENERIC_ALL, CREATOR_OWNER),
            allow(0, FULL, OWNER_RIGHTS),
            allow(OI_CI, READ_EXECUTE, USERS),
            // GENERIC_READ | GENERIC_EXECUTE.
            allow(OI_CI, 0x8000_0000 | 0x2000_0000, AUTHENTICATED_USERS),
            simple(ACCESS_ALLOWED_CALLBACK_ACE_TYPE, 0, FULL, TRUSTED_INSTALLER),
        ]);
        assert_eq!(judged(ADMINISTRATORS, &dacl), Ok(()));
    }

    #[test]
    fn object_entries_are_read_past_their_guids() {
        for (flags, guids) in [(0u32, 0usize), (1, 1), (2, 1), (3, 2)] {
            let mut body = MODIFY.to_le_bytes().to_vec();
            body.extend(flags.to_le_bytes());
            body.extend(vec![0xAB; 16 * guids]);
            body.extend(sid_bytes(USERS));
            for kind in [
                ACCESS_ALLOWED_OBJECT_ACE_TYPE,
                ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE,
            ] {
                assert_eq!(
                    judged(SYSTEM, &acl(&[ace(kind, 0, &body)])),
                    Err(Unprotected::Writable {
                        sid: USERS.into(),
                        mask: MODIFY
                    })
                );
            }
        }
    }

    #[test]
    fn an_unknown_entry_type_is_refused() {
        // SYSTEM_MANDATORY_LABEL_ACE_TYPE belongs to the SACL.
        let dacl = acl(&[allow(0, FULL, SYSTEM), simple(0x11, 0, 0x1, USERS)]);
        assert_eq!(judged(SYSTEM, &dacl), Err(Unprotected::UnknownAce(0x11)));
    }

    #[test]
    fn malformed_descriptors_are_refused() {
        let good = installed();
        // Truncated at every length: never a panic, never a pass.
        for len in 0..good.len() {
            assert_eq!(
                judge(&sid_bytes(SYSTEM), Some(&good[..len]), None),
                Err(Unprotected::Malformed),
                "{len}"
            );
        }
        // One entry more than there is.
        let mut extra = good.clone();
        extra[4] += 1;
        assert_eq!(judged(SYSTEM, &extra), Err(Unprotected::Malformed));
        // An entry shorter than its header.
        let mut short = acl(&[allow(0, FULL, SYSTEM)]);
        short[10] = 3;
        short[11] = 0;
        assert_eq!(judged(SYSTEM, &short), Err(Unprotected::Malformed));
        // Unknown ACL revision; unreadable owner.
        let mut revision = good.clone();
        revision[0] = 3;
        assert_eq!(judged(SYSTEM, &revision), Err(Unprotected::Malformed));
        assert_eq!(
            judge(&[1, 1, 0], Some(&good), None),
            Err(Unprotected::Malformed)
        );
    }
}
