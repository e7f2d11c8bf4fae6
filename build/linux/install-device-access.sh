#!/bin/sh
# Register Bridge: gives a user access to the serial ports, USB and HID devices that cash registers and terminals
# are connected through. Run as root: the deb package runs it after installing; with the AppImage run it once by
# hand (docs/operator.md):
#
#   sudo ./install-device-access.sh [USER]
#
# 1. Installs the udev rule 60-register-bridge.rules (next to this script) into /etc/udev/rules.d and reloads udev.
# 2. Adds USER (default: the user who ran sudo or pkexec) to "dialout" (Debian's group for serial ports) and to
#    every group the rule hands devices to (GROUP="..."). The user has to sign out and in again afterwards.
#
# Every step reports what it did or what to do by hand; the script never fails an installation.
# RB_UDEV_RULES_DIR and RB_DRY_RUN=1 (print the commands instead of running them) exist for tests.

here=$(dirname "$0")
rule_name=60-register-bridge.rules
rule_src="$here/$rule_name"
rules_dir=${RB_UDEV_RULES_DIR:-/etc/udev/rules.d}

run() {
  if [ "${RB_DRY_RUN:-0}" = 1 ]; then
    echo "would run: $*"
  else
    "$@"
  fi
}

say() {
  echo "register-bridge: $*"
}

# --- the udev rule
if [ -f "$rule_src" ]; then
  if run mkdir -p "$rules_dir" && run cp "$rule_src" "$rules_dir/$rule_name" && run chmod 0644 "$rules_dir/$rule_name"; then
    say "udev rule installed: $rules_dir/$rule_name"
    if command -v udevadm >/dev/null 2>&1 && [ -d /run/udev ]; then
      run udevadm control --reload-rules || true
      run udevadm trigger --subsystem-match=tty --subsystem-match=usb --subsystem-match=hidraw || true
    else
      say "udev is not running here; the rule applies from the next start"
    fi
  else
    say "could not install the udev rule; copy $rule_src to $rules_dir by hand"
  fi
else
  say "no udev rule found next to this script ($rule_src); skipped"
fi

# --- groups
groups="dialout"
if [ -f "$rule_src" ]; then
  for g in $(sed -n 's/.*GROUP="\([A-Za-z0-9_-]*\)".*/\1/p' "$rule_src" | sort -u); do
    case " $groups " in *" $g "*) ;; *) groups="$groups $g" ;; esac
  done
fi

user=${1:-}
if [ -z "$user" ] && [ -n "${SUDO_USER:-}" ]; then user=$SUDO_USER; fi
if [ -z "$user" ] && [ -n "${PKEXEC_UID:-}" ]; then user=$(getent passwd "$PKEXEC_UID" | cut -d: -f1); fi

if [ -z "$user" ] || [ "$user" = root ]; then
  say "no user to add to the device groups; for each cashier account run:"
  for g in $groups; do say "  sudo usermod -aG $g USER"; done
  exit 0
fi

for g in $groups; do
  if ! getent group "$g" >/dev/null 2>&1; then
    run groupadd --system "$g" || { say "could not create group $g"; continue; }
  fi
  if id -nG "$user" 2>/dev/null | tr ' ' '\n' | grep -qx "$g"; then
    say "$user is already in group $g"
  elif run usermod -aG "$g" "$user"; then
    say "$user added to group $g (takes effect after signing out and in again)"
  else
    say "could not add $user to group $g; run: sudo usermod -aG $g $user"
  fi
done
exit 0
