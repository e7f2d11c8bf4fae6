#!/bin/bash
# Register Bridge deb: runs as root after the package is removed, and after an upgrade replaced it
# (electron-builder.yml deb.afterRemove). The journal, settings and logs in the users' home folders are never
# touched. The udev rule and the AppArmor profile go only when the package is removed, not on an upgrade.

exe='${executable}'
app_dir='/opt/${sanitizedProductName}'

case "${1:-remove}" in
  upgrade|failed-upgrade|abort-install|abort-upgrade|disappear)
    exit 0
    ;;
esac

if command -v update-alternatives >/dev/null 2>&1; then
  update-alternatives --remove "$exe" "$app_dir/$exe" || true
fi
if [ -L "/usr/bin/$exe" ] && [ ! -e "/usr/bin/$exe" ]; then
  rm -f "/usr/bin/$exe"
fi

if [ -f /etc/udev/rules.d/60-register-bridge.rules ]; then
  rm -f /etc/udev/rules.d/60-register-bridge.rules
  if command -v udevadm >/dev/null 2>&1 && [ -d /run/udev ]; then
    udevadm control --reload-rules || true
  fi
fi

if [ -f "/etc/apparmor.d/$exe" ]; then
  if command -v apparmor_parser >/dev/null 2>&1 && apparmor_status --enabled >/dev/null 2>&1; then
    apparmor_parser --remove "/etc/apparmor.d/$exe" || true
  fi
  rm -f "/etc/apparmor.d/$exe"
fi
exit 0
