#!/bin/bash
# Register Bridge deb: runs as root after the package is installed or upgraded (electron-builder.yml
# deb.afterInstall; electron-builder fills in the two names in braces). It does what electron-builder's default
# script does for an Electron app, then gives the installing user access to serial/USB/HID devices.

app_dir='/opt/${sanitizedProductName}'
exe='${executable}'

# 1. The command on PATH: /usr/bin/register-bridge.
if command -v update-alternatives >/dev/null 2>&1; then
  # A plain symlink from an older install would block the alternative.
  if [ -L "/usr/bin/$exe" ] && [ "$(readlink "/usr/bin/$exe")" != "/etc/alternatives/$exe" ]; then
    rm -f "/usr/bin/$exe"
  fi
  update-alternatives --install "/usr/bin/$exe" "$exe" "$app_dir/$exe" 100 || ln -sf "$app_dir/$exe" "/usr/bin/$exe"
else
  ln -sf "$app_dir/$exe" "/usr/bin/$exe"
fi

# 2. Chromium's sandbox helper needs the setuid bit only where unprivileged user namespaces do not work.
if [ -L /proc/self/ns/user ] && unshare --user true 2>/dev/null; then
  chmod 0755 "$app_dir/chrome-sandbox" || true
else
  chmod 4755 "$app_dir/chrome-sandbox" || true
fi

# 3. Menu entry and icon caches.
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database /usr/share/applications || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then
  gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
fi

# 4. AppArmor (Ubuntu 24.04 and later restrict user namespaces to profiled programs): install the profile
#    electron-builder ships in resources/ when this AppArmor understands it.
profile_src="$app_dir/resources/apparmor-profile"
profile_dst="/etc/apparmor.d/$exe"
if [ -f "$profile_src" ] && command -v apparmor_parser >/dev/null 2>&1 && apparmor_status --enabled >/dev/null 2>&1; then
  if apparmor_parser --skip-kernel-load --debug "$profile_src" >/dev/null 2>&1; then
    cp -f "$profile_src" "$profile_dst"
    if ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; }; then
      apparmor_parser --replace --write-cache --skip-read-cache "$profile_dst" || true
    fi
  else
    echo "register-bridge: this AppArmor does not accept the bundled profile; skipped (not needed before Ubuntu 24.04)"
  fi
fi

# 5. Serial/USB/HID access: the udev rule and the device groups (see install-device-access.sh).
if [ -x "$app_dir/resources/udev/install-device-access.sh" ]; then
  "$app_dir/resources/udev/install-device-access.sh" || true
fi
exit 0
