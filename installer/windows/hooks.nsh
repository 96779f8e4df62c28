; Guichet: hooks of the NSIS installer, for a per-machine install (the installer runs as
; administrator). Included by guichet-setup.nsi, the setup exe `make package` builds on
; Linux, and by Tauri 2's own template when built on Windows
; (bundle.windows.nsis.installerHooks, installMode "perMachine").
;
; Optional command-line properties, for a silent deployment:
;
;   Guichet-0.1.0-setup.exe /S /SERVERURL=https://guichet.caf78.example /CAISSE=CAF-78
;   Guichet-0.1.0-setup.exe /S /SERVERURL=https://guichet.caf78.example /CAISSE=CAF-78 /PROFILENAME="CAF des Yvelines"
;
; With /SERVERURL, the installer pins that server as the only connection profile and
; forbids the bundled demo backend, in the group-policy key the app reads:
;
;   HKLM\SOFTWARE\Policies\Guichet\Profiles   <PROFILENAME> = <SERVERURL>|<CAISSE>|production
;   HKLM\SOFTWARE\Policies\Guichet            AllowBundled  = 0 (REG_DWORD)
;
; PROFILENAME defaults to "Production"; CAISSE may be left out. A SERVERURL that does not
; start with https:// stops the installation before anything is copied (exit code 2).
; Every install also creates %ProgramData%\Guichet (the folder of the policy file), or takes
; it over if it exists: owned by Administrators, writable by SYSTEM and Administrators only,
; any ACE a user had set removed (GuichetPolicyFolderRights); if that fails, nothing is
; installed either.
;
; The uninstaller leaves HKLM\SOFTWARE\Policies\Guichet and %ProgramData%\Guichet alone:
; they belong to IT (installer/DEPLOY.md says how to remove them).
;
; Both include this file near their top and insert each macro inside their Install or
; Uninstall section. makensis reads it as UTF-8 (both pass -INPUTCHARSET UTF8).

!include FileFunc.nsh
!include LogicLib.nsh
!include WordFunc.nsh
!include x64.nsh

!define GUICHET_POLICY_KEY "SOFTWARE\Policies\Guichet"
!define GUICHET_DEFAULT_PROFILE_NAME "Production"

Var GuichetServerUrl
Var GuichetCaisse
Var GuichetProfileName
Var GuichetParams
Var GuichetScratch
Var GuichetPolicyDir

; The command line, read by ${GetOptions}. GetOptions ends a value at its option prefix
; character, and a URL is full of "/": so the options are searched with " " as prefix
; (" /SERVERURL="), which makes a value end at the next space instead. A value holding
; spaces is quoted, either way: /PROFILENAME="CAF des Yvelines" as typed in cmd.exe, or
; "/PROFILENAME=CAF des Yvelines" as deployment tools that quote whole arguments write it
; (rewritten here into the first form, the only one GetOptions understands).
!macro GuichetReadParameters
  ${GetParameters} $GuichetParams
  StrCpy $GuichetParams " $GuichetParams"
  ${WordReplace} "$GuichetParams" ' "/SERVERURL=' ' /SERVERURL="' "+" $GuichetParams
  ${WordReplace} "$GuichetParams" ' "/CAISSE=' ' /CAISSE="' "+" $GuichetParams
  ${WordReplace} "$GuichetParams" ' "/PROFILENAME=' ' /PROFILENAME="' "+" $GuichetParams
!macroend

; The value of option NAME (e.g. "/SERVERURL=") into OUT; "" when absent or empty (an
; empty option would otherwise take the next option as its value).
!macro GuichetOption NAME OUT
  ${GetOptions} "$GuichetParams" " ${NAME}" ${OUT}
  ${If} ${Errors}
    StrCpy ${OUT} ""
  ${EndIf}
  StrCpy $GuichetScratch ${OUT} 1
  ${If} $GuichetScratch == "/"
    StrCpy ${OUT} ""
  ${EndIf}
!macroend

; GuichetPolicyFolderRights: the rights of %ProgramData%\Guichet (the app checks them at
; every start and refuses a policy they do not protect). Well-known SIDs, so that it works
; on every language of Windows. /L: a link planted there is changed itself, not its target.
;
;   1. the folder's owner becomes Administrators: a user who created it loses the owner's
;      right to rewrite its DACL. Only the folder's: the owner of what is inside is kept,
;      so that a file a user left there stays theirs, and the app refuses it rather than
;      trusting its content;
;   2. /reset: every ACE set on the folder or below (a user's included) is removed, and all
;      of it inherits again (the folder, for an instant, from %ProgramData%: what a user
;      creates in it then is theirs, refused by the app as in 1.);
;   3. the folder stops inheriting and gets SYSTEM and Administrators full control, Users
;      read, which everything below inherits.
!macro GuichetIcacls ARGS
  nsExec::ExecToLog '"$SYSDIR\icacls.exe" "$GuichetPolicyDir" ${ARGS}'
  Pop $GuichetScratch
  ${If} $GuichetScratch != "0"
    MessageBox MB_ICONSTOP|MB_OK "Les droits du dossier %ProgramData%\Guichet n'ont pas pu être posés (icacls ${ARGS} : $GuichetScratch). Guichet n'a pas été installé." /SD IDOK
    Abort "droits de %ProgramData%\Guichet non posés"
  ${EndIf}
!macroend

!macro GuichetPolicyFolderRights
  !insertmacro GuichetIcacls "/setowner *S-1-5-32-544 /L"
  !insertmacro GuichetIcacls "/reset /T /C /L"
  !insertmacro GuichetIcacls "/inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX /L"
!macroend

!macro NSIS_HOOK_PREINSTALL
  !insertmacro GuichetReadParameters
  !insertmacro GuichetOption "/SERVERURL=" $GuichetServerUrl
  !insertmacro GuichetOption "/CAISSE=" $GuichetCaisse
  !insertmacro GuichetOption "/PROFILENAME=" $GuichetProfileName
  ${If} $GuichetProfileName == ""
    StrCpy $GuichetProfileName "${GUICHET_DEFAULT_PROFILE_NAME}"
  ${EndIf}

  ${If} $GuichetServerUrl != ""
    ; StrCmp is case-insensitive: HTTPS:// is accepted too, as the app accepts it.
    StrCpy $GuichetScratch $GuichetServerUrl 8
    ${If} $GuichetScratch != "https://"
      MessageBox MB_ICONSTOP|MB_OK "SERVERURL doit commencer par https:// (reçu : $GuichetServerUrl). Guichet n'a pas été installé." /SD IDOK
      DetailPrint "Guichet : SERVERURL invalide ($GuichetServerUrl), installation interrompue"
      Abort "SERVERURL doit commencer par https://"
    ${EndIf}
  ${ElseIf} $GuichetCaisse != ""
    DetailPrint "Guichet : /CAISSE ignoré sans /SERVERURL"
  ${EndIf}

  ; The folder of %ProgramData%\Guichet\policy.toml: whoever can write there decides what
  ; the app trusts, when the registry does not say otherwise (by default every user may
  ; create a folder in %ProgramData%, and owns it). Done before anything is copied: if a
  ; step fails, nothing is installed (exit code 2). See GuichetPolicyFolderRights.
  ReadEnvStr $GuichetPolicyDir "ProgramData"
  ${If} $GuichetPolicyDir == ""
    StrCpy $GuichetPolicyDir "C:\ProgramData"
  ${EndIf}
  StrCpy $GuichetPolicyDir "$GuichetPolicyDir\Guichet"
  CreateDirectory "$GuichetPolicyDir"
  !insertmacro GuichetPolicyFolderRights
!macroend

!macro NSIS_HOOK_POSTINSTALL
  ${If} $GuichetServerUrl != ""
    ; The 64-bit registry, the one the app reads (Tauri's installer is a 32-bit program).
    ${If} ${RunningX64}
      SetRegView 64
    ${EndIf}
    WriteRegStr HKLM "${GUICHET_POLICY_KEY}\Profiles" "$GuichetProfileName" "$GuichetServerUrl|$GuichetCaisse|production"
    WriteRegDWORD HKLM "${GUICHET_POLICY_KEY}" "AllowBundled" 0
    SetRegView lastused
    DetailPrint "Guichet : profil « $GuichetProfileName » imposé ($GuichetServerUrl), serveur de démonstration interdit"
  ${EndIf}
!macroend

!macro NSIS_HOOK_POSTUNINSTALL
  DetailPrint "Guichet : HKLM\${GUICHET_POLICY_KEY} et %ProgramData%\Guichet sont laissés en place (politique du poste)"
!macroend
