; Register Bridge: additions to electron-builder's per-user NSIS installer (electron-builder.yml nsis.include).
;
; Start at sign-in
;   A fresh interactive install asks once whether Register Bridge should start when the user signs in to Windows
;   (default No). On the command line, /START_AT_LOGIN=yes or /START_AT_LOGIN=no decides without asking; a silent
;   install (/S) without it answers No. An update keeps whatever is set. The entry is the per-user Run key under
;   the app's AppUserModelId (the appId), the value Electron's app.setLoginItemSettings() reads and writes once the
;   app has called app.setAppUserModelId(appId), so the desktop app's own "start at sign-in" switch shows and
;   changes the installer's choice. Like the app's switch, it starts the app with --hidden (straight to the tray).
;
; Uninstall keeps the payment journal
;   Uninstalling removes the program and the start-at-sign-in entry. The journal, settings and logs
;   (%APPDATA%\Register Bridge and %LOCALAPPDATA%\Register Bridge) stay unless the person uninstalling says so:
;   interactively a question (default No), silently the switch --delete-app-data. Updates never delete them.

!include "LogicLib.nsh"
!include "FileFunc.nsh"

!define RB_RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define RB_APPROVED_KEY "Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"

!macro customInstall
  ${ifNot} ${isUpdated}
    Var /GLOBAL rbStartAtLogin
    Var /GLOBAL rbParams
    StrCpy $rbStartAtLogin ""
    ${GetParameters} $rbParams
    ClearErrors
    ${GetOptions} $rbParams "/START_AT_LOGIN=" $rbStartAtLogin
    ${if} ${Errors}
      ${if} ${Cmd} `MessageBox MB_YESNO|MB_ICONQUESTION "Start ${PRODUCT_NAME} automatically when you sign in to Windows?$\r$\n$\r$\nYou can change this later in the app." /SD IDNO IDYES`
        StrCpy $rbStartAtLogin "yes"
      ${else}
        StrCpy $rbStartAtLogin "no"
      ${endIf}
    ${endIf}
    ${if} $rbStartAtLogin == "yes"
      WriteRegStr HKCU "${RB_RUN_KEY}" "${APP_ID}" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" --hidden'
    ${else}
      DeleteRegValue HKCU "${RB_RUN_KEY}" "${APP_ID}"
    ${endIf}
  ${endIf}
!macroend

!macro customUnInstall
  ${ifNot} ${isUpdated}
    Var /GLOBAL rbUnParams
    Var /GLOBAL rbUnOption
    Var /GLOBAL rbDeleteData
    DeleteRegValue HKCU "${RB_RUN_KEY}" "${APP_ID}"
    DeleteRegValue HKCU "${RB_APPROVED_KEY}" "${APP_ID}"
    StrCpy $rbDeleteData "no"
    ${GetParameters} $rbUnParams
    ClearErrors
    ${GetOptions} $rbUnParams "--delete-app-data" $rbUnOption
    ${ifNot} ${Errors}
      StrCpy $rbDeleteData "yes"
    ${elseIf} ${Cmd} `MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 "Also delete the payment journal, the settings and the logs of ${PRODUCT_NAME}?$\r$\n$\r$\nChoose No to keep them (recommended): the journal is the record of every card payment taken through this computer." /SD IDNO IDYES`
      StrCpy $rbDeleteData "yes"
    ${endIf}
    ${if} $rbDeleteData == "yes"
      SetShellVarContext current
      RMDir /r "$APPDATA\${PRODUCT_NAME}"
      RMDir /r "$LOCALAPPDATA\${PRODUCT_NAME}"
    ${endIf}
  ${endIf}
!macroend
