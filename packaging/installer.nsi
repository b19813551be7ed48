; Return Desk installer: per-user, no admin rights, %LOCALAPPDATA%\Programs\ReturnDesk.
; Built by packaging/build.py, which passes VERSION, VERSION4, STAGE, ICON, OUTFILE, ESTIMATED_KB.
;
; Command line (also for IT rollouts):
;   ReturnDesk-Setup-X.exe /S [/DESKTOP] [/D=C:\path]   silent install, optional desktop shortcut
;   uninstall.exe /S [/PURGE]                          silent uninstall; /PURGE also deletes the
;                                                       user's settings, local store and logs
; An upgrade (running a newer installer over an install) replaces the program files and keeps
; the user's settings, data and keyring entries: those never live in the install folder.

Target amd64-unicode   ; a 64-bit installer: the app is 64-bit, and Wine then needs no wine32
!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"

!define APPNAME "Return Desk"
!define PUBLISHER "Return Desk developers"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\ReturnDesk"
!define GUIEXE "ReturnDesk.exe"
!define CLIEXE "returndesk.com"
!define DATADIR "$LOCALAPPDATA\returndesk"   ; app.settings.data_dir() on Windows (app id "returndesk")

Name "${APPNAME}"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\ReturnDesk"
InstallDirRegKey HKCU "${UNINSTKEY}" "InstallLocation"
SetCompressor /SOLID lzma
SetCompressorDictSize 32
ManifestDPIAware true
BrandingText "${APPNAME} ${VERSION}"

VIProductVersion "${VERSION4}"
VIAddVersionKey /LANG=1033 "ProductName" "${APPNAME}"
VIAddVersionKey /LANG=1033 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1033 "FileDescription" "${APPNAME} installer"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "${PUBLISHER}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${GUIEXE}"
!define MUI_COMPONENTSPAGE_NODESC

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "SimpChinese"

LangString PURGE_QUESTION 1033 "Also delete your Return Desk settings, local store and logs?$\r$\n(Saved API keys stay in Windows Credential Manager.)"
LangString PURGE_QUESTION 2052 "同时删除 Return Desk 的设置、本地数据和日志吗？$\r$\n（已保存的 API 密钥仍保留在 Windows 凭据管理器中。）"
LangString APP_RUNNING 1033 "Return Desk is running. Close it, then choose Retry."
LangString APP_RUNNING 2052 "Return Desk 正在运行。请先关闭它，然后选择“重试”。"
LangString SEC_APP 1033 "Return Desk (required)"
LangString SEC_APP 2052 "Return Desk（必需）"
LangString COMPILING 1033 "Compiling Python bytecode (faster first start)..."
LangString COMPILING 2052 "正在编译 Python 字节码（加快首次启动）..."
LangString SEC_DESKTOP 1033 "Desktop shortcut"
LangString SEC_DESKTOP 2052 "桌面快捷方式"

; The program files this installer owns. An upgrade deletes exactly these first (so no file
; of an older version lingers); the uninstaller deletes them too. Never the whole $INSTDIR
; recursively: a user may have pointed it at a folder holding other things.
!macro RemoveProgramFiles
  RMDir /r "$INSTDIR\runtime"
  RMDir /r "$INSTDIR\app"
  RMDir /r "$INSTDIR\ui"
  RMDir /r "$INSTDIR\resources"
  Delete "$INSTDIR\${GUIEXE}"
  Delete "$INSTDIR\${CLIEXE}"
!macroend

; Files of a running copy cannot be replaced or deleted (Windows keeps a loaded DLL open):
; ask to close it (Retry/Cancel); silent mode cancels with exit code 3, changing nothing.
!macro RefuseIfRunning
  ${If} ${FileExists} "$INSTDIR\runtime\python313.dll"
    check_running:
    ClearErrors
    FileOpen $0 "$INSTDIR\runtime\python313.dll" a
    ${If} ${Errors}
      MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(APP_RUNNING)" /SD IDCANCEL IDRETRY check_running
      SetErrorLevel 3
      Abort "$(APP_RUNNING)"
    ${EndIf}
    FileClose $0
  ${EndIf}
!macroend

Section "!$(SEC_APP)" SecApp
  SectionIn RO
  SetShellVarContext current
  !insertmacro RefuseIfRunning
  SetOutPath "$INSTDIR"
  !insertmacro RemoveProgramFiles
  File /r "${STAGE}\*.*"
  ; Bytecode compiled once, here: every start, the first included, then loads cached .pyc
  ; (Python would otherwise compile module by module on the first start, ~2x slower). The
  ; __pycache__ folders live inside the folders RemoveProgramFiles deletes. A failure only
  ; costs that first start its speed, so it does not stop the installation.
  DetailPrint "$(COMPILING)"
  nsExec::ExecToLog '"$INSTDIR\runtime\python.exe" -m compileall -q -j 1 "$INSTDIR\app" "$INSTDIR\ui" "$INSTDIR\runtime\Lib\site-packages"'
  Pop $0
  DetailPrint "compileall: $0"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortCut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\${GUIEXE}" "" "$INSTDIR\${GUIEXE}" 0

  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\${GUIEXE},0"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" ${ESTIMATED_KB}
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
SectionEnd

Section /o "$(SEC_DESKTOP)" SecDesktop
  SetShellVarContext current
  CreateShortCut "$DESKTOP\${APPNAME}.lnk" "$INSTDIR\${GUIEXE}" "" "$INSTDIR\${GUIEXE}" 0
SectionEnd

Function .onInit
  SetShellVarContext current
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/DESKTOP" $R1
  ${IfNot} ${Errors}
    SectionSetFlags ${SecDesktop} ${SF_SELECTED}
  ${EndIf}
FunctionEnd

Function un.onInit
  SetShellVarContext current
FunctionEnd

Section "Uninstall"
  SetShellVarContext current
  !insertmacro RefuseIfRunning
  Delete "$SMPROGRAMS\${APPNAME}.lnk"
  Delete "$DESKTOP\${APPNAME}.lnk"
  !insertmacro RemoveProgramFiles
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTKEY}"

  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/PURGE" $R1
  ${IfNot} ${Errors}
    RMDir /r "${DATADIR}"
  ${Else}
    ${IfNot} ${Silent}
      MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 "$(PURGE_QUESTION)" /SD IDNO IDNO keep_data
      RMDir /r "${DATADIR}"
      keep_data:
    ${EndIf}
  ${EndIf}
SectionEnd
