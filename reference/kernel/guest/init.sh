#!/bin/busybox sh
# /init of the alsa-spec guest (built into the initramfs by reference/kernel/setup.ts).
# Mounts the host's root read-only over 9p, then runs the guest agent under the host's own Node in
# a chroot, its stdin/stdout on the virtio-serial port named alsa-spec.agent. Every line it prints
# goes to the serial console, which the host keeps as the boot log.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
say() { echo "alsa-spec-init: $*"; }
fail() { say "FAILED: $*"; poweroff -f; }

arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^alsa_spec\.$1=//p"; }
ROOT=$(arg root); NODE=$(arg node); DEVICE=$(arg device); AGENT=$(arg agent); MODULES=$(arg modules)
say "kernel $(uname -r), device $DEVICE"

for m in $(cat /modules/base.order); do
  insmod "/modules/$m.ko" || fail "insmod $m"
done

mkdir -p /host
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro host /host || fail "mount 9p host"
# Nothing else of the host is covered: the project and the cache may live anywhere, /tmp included.
mount --bind /proc /host/proc && mount --bind /sys /host/sys && mount --bind /dev /host/dev \
  || fail "bind /proc /sys /dev into /host"

PORT=
for p in /sys/class/virtio-ports/*; do
  [ "$(cat "$p/name" 2>/dev/null)" = alsa-spec.agent ] && PORT=/dev/$(basename "$p")
done
[ -n "$PORT" ] || fail "no virtio-serial port named alsa-spec.agent"
say "starting agent on $PORT"
# The agent is the host's bundle of reference/kernel/guest/agent.ts (reference/kernel/vm.ts).
# The agent loads the device's modules from the host's copy of this initramfs's /modules.
chroot /host /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/ \
  ALSA_SPEC_MODULES="$MODULES" ALSA_SPEC_DEVICE="$DEVICE" ROOT="$ROOT" \
  "$NODE" --enable-source-maps "$AGENT" \
  0<>"$PORT" 1>&0  # one open: a virtio port admits one at a time
say "agent exited with status $?"
poweroff -f
