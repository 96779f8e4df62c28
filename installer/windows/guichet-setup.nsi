; Guichet's setup exe, built on Linux by makensis (64-bit stub, Unicode) in `make package`
; (scripts/package-windows.sh): Guichet-<version>-setup.exe, per machine.
;
;   Guichet-0.1.0-setup.exe /S /SERVERURL=https://guichet.caf78.example /CAISSE=CAF-78 /PROFILENAME="CAF des Yvelines"
;   "C:\Program Files\Guichet\uninstall.exe" /S
;
; The options, the policy key, the rights of %ProgramData%\Guichet and the exit codes come
; from hooks.nsh, the same file Tauri's own NSIS installer includes when built on Windows:
; this script plays the part of Tauri's template around it (files, Start-menu shortcut,
; uninstall entry, uninstaller). Installing over an installed Guichet replaces it (the
; upgrade); the uninstaller leaves the policy key and the policy folder to IT.
;
; Defined by the build (makensis -D): VERSION (x.y.z), EXE, LOADER, ICON, OUTFILE, SIGN
; (the command that signs the uninstaller, scripts/windows-sign.sh).

Unicode true
ManifestDPIAware true
RequestExecutionLevel admin
SetCompressor /SOLID lzma
Target amd64-unicode

!include MUI2.nsh
!include "hooks.nsh"

!define GUICHET_UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Guichet"

Name "Guichet"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\Guichet"
BrandingText "Guichet ${VERSION}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1036 "ProductName" "Guichet"
VIAddVersionKey /LANG=1036 "FileDescription" "Installation de Guichet"
VIAddVersionKey /LANG=1036 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1036 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1036 "CompanyName" "Guichet"
VIAddVersionKey /LANG=1036 "LegalCopyright" "EUPL-1.2"
!uninstfinalize '"${SIGN}" "%1"'

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "French"

Function .onInit
  ; The 64-bit registry and Program Files, whatever the caller.
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Section "Guichet" SecGuichet
  ; Options read and checked, %ProgramData%\Guichet made and protected: an Abort here
  ; leaves nothing installed (exit code 2).
  !insertmacro NSIS_HOOK_PREINSTALL

  SetOutPath "$INSTDIR"
  File "/oname=guichet.exe" "${EXE}"
  File "/oname=WebView2Loader.dll" "${LOADER}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\Guichet.lnk" "$INSTDIR\guichet.exe" "" "$INSTDIR\guichet.exe" 0 \
    SW_SHOWNORMAL "" "Consulter les dossiers des allocataires"

  WriteRegStr HKLM "${GUICHET_UNINSTALL_KEY}" "DisplayName" "Guichet"
  WriteRegStr HKLM "${GUICHET_UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${GUICHET_UNINSTALL_KEY}" "Publisher" "Guichet"
  WriteRegStr HKLM "${GUICHET_UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\guichet.exe"
  WriteRegStr HKLM "${GUICHET_UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${GUICHET_UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${GUICHET_UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${GUICHET_UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${GUICHET_UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${GUICHET_UNINSTALL_KEY}" "EstimatedSize" "$0"

  !insertmacro NSIS_HOOK_POSTINSTALL
SectionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\Guichet.lnk"
  Delete "$INSTDIR\guichet.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${GUICHET_UNINSTALL_KEY}"
  !insertmacro NSIS_HOOK_POSTUNINSTALL
SectionEnd
