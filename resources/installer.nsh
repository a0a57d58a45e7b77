; The Windows uninstaller offers to wipe the station's data: the encrypted database (with any events not
; yet sent), portraits, exports, logs and keys. An update runs the old uninstaller too; it never asks then.
!macro customUnInstall
  ${ifNot} ${isUpdated}
    MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 "Удалить и данные станции (база, фотографии, журналы, ключи)? Неотправленные события будут потеряны.$\r$\n$\r$\nAlso delete the station's data (database, portraits, logs, keys)? Events not yet sent are lost." /SD IDNO IDNO keepStationData
      SetShellVarContext current
      RMDir /r "$APPDATA\School Station"
      RMDir /r "$APPDATA\School Station.keys"
    keepStationData:
  ${endIf}
!macroend
