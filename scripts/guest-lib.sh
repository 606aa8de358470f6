# Shared by the scripts that boot guests (boot-guest.sh, service-guest.sh): source it.

# qemu_accel RESULTS-DIR: sets accel_args for qemu-system-x86_64 and writes the choice to
# RESULTS-DIR/accel. KVM where the host's KVM runs unmodified guests. Some nested hosts (this
# workplace's) offer only PVM (module kvm_pvm), a paravirtual hypervisor on which a stock
# distribution kernel crawls (30 s of guest time to reach memory init); there QEMU's
# multi-threaded TCG is far faster. PROCMON_MATRIX_ACCEL (kvm or tcg) decides instead.
qemu_accel() {
  local accel="${PROCMON_MATRIX_ACCEL:-}"
  if [ -z "$accel" ]; then
    if [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ]; then accel=kvm; else accel=tcg; fi
  fi
  case "$accel" in
    kvm) accel_args=(-accel kvm -cpu host) ;;
    # Nehalem: no AVX, whose emulation in this QEMU crashes JIT-compiled Java code (SIGSEGV in C1 code).
    tcg) accel_args=(-accel tcg,thread=multi -cpu Nehalem) ;;
    *) echo "PROCMON_MATRIX_ACCEL must be kvm or tcg, got '$accel'" >&2; exit 2 ;;
  esac
  echo "$accel" >"$1/accel"
}

# guest_workdir: makes $work, a scratch directory, and at exit kills the guest still running
# ($qemu_pid, set while one runs) and removes $work.
guest_workdir() {
  work="$(mktemp -d)"
  qemu_pid=""
  trap '[ -n "$qemu_pid" ] && kill -9 "$qemu_pid" 2>/dev/null; rm -rf "$work"' EXIT
}
