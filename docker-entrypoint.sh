#!/bin/sh
# `generate-maps` runs the generator; `haproxy` (the default) or `reloader` runs the reloader, which
# supervises HAProxy; anything else is executed as given (e.g. `sh` for debugging).
# RANCHER_HAPROXY_APP overrides where the packages are (the image's path), for running this script outside it.
# RANCHER_HAPROXY_UPTIME names the file read in place of /proc/uptime (the timers' clock), for the tests only.
set -e
APP="${RANCHER_HAPROXY_APP:-/opt/rancher-haproxy/packages}"

# Process model of `haproxy`: tini (PID 1) → this script → the reloader → the HAProxy master. This script
# stays, so that a reloader killed by a signal (SIGKILL, the OOM killer, a crash of node itself) or ended by
# an uncaught error (RELOADER_ON_CRASH=leave-haproxy, set here unless given: exit 3) does not end the
# container: the HAProxy master it leaves, reparented to tini, keeps serving, and the reloader
# started again after a pause (1 s, doubling to 30 s; back to 1 s after a run of a minute) adopts it through
# the state dir's master socket. Any other exit of the reloader's own (0 after SIGTERM/SIGINT, 1: HAProxy
# cannot be run, 2: bad options) ends the script with that code; SIGTERM and SIGINT are passed on to the reloader,
# once it handles them. A stop during the pause still starts the reloader, which adopts the master left
# running and stops it gracefully: exiting at once would leave HAProxy to be killed with the container. For
# the same reason a reloader that dies (or crashes leaving HAProxy) during a stop is started again at once
# (0.1 s, three times at most) and given the stop at its start (RELOADER_STOP_UNDER_WAY, no signal), with
# what is left of its stop budget (the --stop-timeout flag or RELOADER_STOP_TIMEOUT, else the reloader's
# default 30 s). SIGHUP
# is a stop like SIGTERM; SIGUSR1, SIGUSR2, SIGQUIT and the other signals tini passes on that would end a
# shell (SIGALRM, SIGPWR, SIGVTALRM, SIGPROF, SIGIO, SIGXCPU, SIGXFSZ, SIGPIPE, SIGSTKFLT and the real-time
# SIGRTMIN..SIGRTMAX, logged as RTMIN+<n>) are ignored (logged: at once the first time, then at most a
# line a minute with how many came since, as the programs do; see log_ignored): each would
# otherwise end this script, and the container with HAProxy. So is SIGTSTP, which would stop it (the stop
# that came next was never passed on).
# The reloader runs in a session of its own (setsid): a Ctrl-C on a terminal (`docker run -it`) reaches
# this script's process group only, and the stop is passed on once; the reloader took it twice before,
# and a second signal makes it exit at once, HAProxy killed.

# Whether process $1 still runs (a zombie has exited: `wait` collects its status).
is_running() {
  state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "${state%"${state#?}"}" != Z ]
}

# Whether $1 holds more than blanks: a variable that is empty or only blanks counts as unset for the
# programs (docs/options.md), so for this script too.
is_given() {
  case "$1" in *[![:space:]]*) return 0 ;; esac
  return 1
}

# Whether process $1 runs and has the reloader's stop handlers: SIGHUP caught (bit 0 of SigCgt). node
# catches SIGTERM and SIGINT from its start, only to exit at once (HAProxy orphaned); the reloader's code,
# once loaded, handles SIGHUP, SIGTERM and SIGINT alike as a graceful stop. Just started, $1 is still a copy
# of this shell with its traps (SIGHUP caught) until it clears them: a stop sent then was noted by that
# copy's trap, lost when it cleared them, and the reloader it became never stopped.
handles_term() {
  is_running "$1" && [ ! "/proc/$1/exe" -ef "/proc/$$/exe" ] || return 1
  mask=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$mask" ] && [ $((0x$mask & 1)) -eq 1 ]
}

# $1 (a duration as the reloader reads it: 500ms, 6s, 2m, 1h, or a bare number of ms, blanks around it
# trimmed) in ms; fails when it is none of these. Leading zeros are decimal, as for the reloader (the
# shell's arithmetic reads 010 as octal 8 and fails on 08).
duration_ms() {
  value=$(printf '%s' "$1" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
  case "$value" in
    *ms) n=${value%ms} unit=1 ;;
    *s) n=${value%s} unit=1000 ;;
    *m) n=${value%m} unit=60000 ;;
    *h) n=${value%h} unit=3600000 ;;
    *) n=$value unit=1 ;;
  esac
  case "$n" in '' | *[!0-9]*) return 1 ;; esac
  n=${n#"${n%%[!0]*}"}
  [ ${#n} -le 12 ] || return 1
  echo $((${n:-0} * unit))
}

# The value of the reloader's --stop-timeout flag in "$@" (`--stop-timeout X` or `--stop-timeout=X`);
# fails when it is not given.
stop_timeout_flag() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --stop-timeout=*) echo "${1#--stop-timeout=}" && return 0 ;;
      --stop-timeout) [ $# -ge 2 ] && echo "$2" && return 0 ;;
    esac
    shift
  done
  return 1
}

# The timers' clock (the restart pause's minute, the stop budget, the ignored-signal lines): the first
# number of /proc/uptime, the seconds since boot to the centisecond (CLOCK_BOOTTIME), which setting the
# time does not move, read by the shell's `read`: no fork. A centisecond is fine for the stop budget, in ms
# but at least 1 s, and passed on to a reloader that takes far longer than that to start. The wall clock
# (`date`, a fork a reading) made an NTP step or a clock set back change the timers (set back during a
# stop, a restarted reloader was given the step on top of its budget; moved on, 1 s) and cost a `date`
# each wake-up under a signal flood.
# RANCHER_HAPROXY_UPTIME names another file in its place, for the tests only (they move that clock).
UPTIME_FILE="${RANCHER_HAPROXY_UPTIME:-/proc/uptime}"
clock_ms="" clock_offset=0 clock_source=uptime

# Sets clock_ms to the timers' clock in ms. Where UPTIME_FILE cannot be read (no /proc) or holds no number,
# the wall clock (`date +%s%3N`) from then on, carried on from the last reading. Neither goes back: a
# reading below the last one (the wall clock set back) carries on from the last, so a step back neither
# holds a line back nor stretches a stop budget; only a step forward of the wall clock, on that fallback
# alone, counts as time passed. Not from a trap: a trap runs between any two commands, this one's too.
read_clock() {
  raw=""
  if [ "$clock_source" = uptime ] && read -r up _ 2>/dev/null <"$UPTIME_FILE"; then
    case "$up" in
      '' | .* | *[!0-9.]* | *.*.*) ;;
      *)
        whole=${up%%.*}
        frac=${up#"$whole"}
        frac="${frac#.}000"
        frac=${frac%"${frac#???}"}
        whole=${whole#"${whole%%[!0]*}"}
        frac=${frac#"${frac%%[!0]*}"}
        [ ${#whole} -gt 12 ] || raw=$((${whole:-0} * 1000 + ${frac:-0}))
        ;;
    esac
  fi
  switched=""
  if [ -z "$raw" ]; then
    [ "$clock_source" = wall ] || clock_source=wall switched=1
    raw=$(date +%s%3N)
  fi
  if [ -n "$clock_ms" ] && { [ -n "$switched" ] || [ $((raw + clock_offset)) -lt "$clock_ms" ]; }; then
    clock_offset=$((clock_ms - raw))
  fi
  clock_ms=$((raw + clock_offset))
}

# Notes when the stop began (stop_at, on the timers' clock), the first time the loop sees it requested,
# at the latest as it passes it on (pass_stop): the stop's trap only notes the signal (read_clock is not
# for traps).
note_stop() {
  [ -z "$stopping" ] || [ -n "$stop_at" ] || {
    read_clock
    stop_at=$clock_ms
  }
}

# Sets left_ms to what is left, in ms, of the stop budget ($budget_ms: the --stop-timeout flag, or
# RELOADER_STOP_TIMEOUT; neither, or blanks only, is the reloader's default, 30s) since the stop began
# (at least 1 s), for a reloader started again during a stop, so the restarts do not add a whole budget
# each past the container's stop grace. Empty when not stopping or no budget is read. A variable, not
# output: `$(...)` forks.
remaining_stop_ms() {
  left_ms=""
  [ -n "$stopping" ] && [ -n "$budget_ms" ] || return 0
  note_stop
  read_clock
  left_ms=$((budget_ms - (clock_ms - stop_at)))
  [ "$left_ms" -ge 1000 ] || left_ms=1000
}

# Runs the reloader "$@" (in place: the caller's `$!` is its pid), given $1 ms of stop budget when $1 is
# not empty: in RELOADER_STOP_TIMEOUT and in place of a --stop-timeout flag's value (a flag wins); and
# told that stop $2 (TERM, INT or HUP) came before its start when $2 is not empty:
# RELOADER_STOP_UNDER_WAY=SIG$2, an interface between this script and the reloader only (it stops the
# master left running at once, without a reload, a metadata read or `haproxy -c`; no signal is passed).
run_reloader() {
  left=$1 under_way=$2
  shift 2
  [ -z "$under_way" ] || export RELOADER_STOP_UNDER_WAY="SIG$under_way"
  if [ -n "$left" ]; then
    export RELOADER_STOP_TIMEOUT="${left}ms"
    replace=""
    for arg do
      shift
      if [ -n "$replace" ]; then
        set -- "$@" "${left}ms"
        replace=""
        continue
      fi
      case "$arg" in
        --stop-timeout=*) set -- "$@" "--stop-timeout=${left}ms" ;;
        --stop-timeout) set -- "$@" "$arg" && replace=1 ;;
        *) set -- "$@" "$arg" ;;
      esac
    done
  fi
  exec $own_session "$@"
}

# The time as the processes' log lines give it (pino's isoTime: UTC, milliseconds).
iso_now() {
  date -u +%Y-%m-%dT%H:%M:%S.%3NZ
}

# The soonest, in ms, a second line about the same ignored signal follows the first, as for the programs
# (IGNORED_SIGNAL_LOG_MS): a `docker kill -s USR1` in a loop logged a line each, without bound.
IGNORED_LOG_MS=60000

# Writes the line about ignored signal $1 (a name as the traps note it), received $2 times since the last.
log_ignored_line() {
  more=""
  [ "$2" -le 1 ] || more=" ($2 times since the last such line, at most one a minute)"
  printf '{"level":40,"time":"%s","name":"docker-entrypoint","event":"entrypoint.signal-ignored","signal":"%s","times":%s,"msg":"SIG%s ignored: SIGTERM, SIGINT or SIGHUP stops the container%s"}\n' \
    "$(iso_now)" "$1" "$2" "$1" "$more" >&2
}

# Logs the signals this script ignored since the last call, as the programs do: each signal at once the
# first time, then at most once per IGNORED_LOG_MS with `times`, how many came since its last line. Those
# counted meanwhile ($held) are logged at the first call after their IGNORED_LOG_MS on the timers' clock
# (there is no timer: the next signal, the reloader's exit), or at once given `all` (the reloader ended).
# Their traps only note them (in $ignored): a trap that ran commands (the log line) could have a stop's
# trap run inside it, and dash then ended this script from its `wait`, the stop never passed on to the
# reloader. One noted while a round here runs is handled too before this returns if that round read the
# clock or wrote a line (its `date`), or if that signal is not held (no count waits for its line: never
# seen, or not since its last line; ignored_held_<name> is unset and its trap sets $fresh): the caller
# goes back to `wait`, and its line came only at the next wake-up (a first SIGUSR2 ending a flood of
# SIGUSR1: at the reloader's end). Only then: a round that did none of these ends this even if a signal
# came meanwhile, so a flood (a signal noted in every round) cannot keep this from returning, the caller
# from seeing the reloader end, nor `all` from writing a line each round: the clock is read in the first
# round and after a round that wrote a line (lines are bounded, so rounds are), a signal is held from the
# round that counts it to its next line, and `all` is for what is held when it comes. One noted after the
# last round took $ignored is the caller's to see (interrupted). Counts per signal are in
# ignored_count_<name> and the time of its last line in ignored_at_<name> (RTMIN+3 as RTMIN_3).
log_ignored() {
  flush=${1:-} now=""
  while :; do
    noted=$ignored ignored="" fresh="" ran="" wrote=""
    for name in $noted; do
      case "$name" in *+*) key="${name%%+*}_${name#*+}" ;; *) key=$name ;; esac
      eval "ignored_count_$key=\$((\${ignored_count_$key:-0} + 1)) ignored_held_$key="
      case " $held " in *" $name "*) ;; *) held="$held $name" ;; esac
    done
    [ -n "$held" ] || return 0
    if [ -z "$now" ]; then
      read_clock
      now=$clock_ms ran=1
    fi
    waiting=$held held=""
    for name in $waiting; do
      case "$name" in *+*) key="${name%%+*}_${name#*+}" ;; *) key=$name ;; esac
      eval "count=\$ignored_count_$key last=\${ignored_at_$key:-}"
      if [ "$flush" = all ] || [ -z "$last" ] || [ $((now - last)) -ge "$IGNORED_LOG_MS" ]; then
        log_ignored_line "$name" "$count"
        eval "ignored_count_$key=0 ignored_at_$key=\$now"
        unset "ignored_held_$key"
        ran=1 wrote=1
      else
        held="$held $name"
      fi
    done
    flush=""
    [ -z "$wrote" ] || now=""
    [ -n "$ignored" ] && { [ -n "$ran" ] || [ -n "$fresh" ]; } || return 0
  done
}

# Stands in for `wait`, as `${fresh:+interrupted} wait ...`, when something the loop must see was noted
# after log_ignored last took $ignored ($fresh: an ignored signal not held, or the first stop): its trap
# ran before `wait` (dash runs traps between commands, that one's own expansion last), so `wait` slept on
# until the next wake-up: a first line came days late, a stop was not passed on (the container killed at
# the end of its grace) or did not cut the restart pause short. No trap runs between the expansion and
# `wait`, and a signal after it interrupts `wait`. Gives what such a signal makes `wait` give (> 128): the
# loop looks again. A flood of a held signal sets no $fresh: `wait` still runs and sees the reloader end.
interrupted() {
  return 255
}

# Unsets what the environment may hold under the names log_ignored keeps ignored signal $1's state in
# (ignored_count_, ignored_at_, ignored_held_; RTMIN+3 as RTMIN_3). The container's environment is the
# user's: an inherited ignored_count_USR1="x y" or ignored_at_USR1="(" failed the shell's arithmetic at
# that signal, ending this script (the container, HAProxy with it); a number was counted on from or held
# that signal's lines back; an ignored_held_USR1 kept its first line for the next wake-up.
forget_ignored() {
  unset "ignored_count_$1" "ignored_at_$1" "ignored_held_$1"
}

# Passes a requested stop (SIGTERM, SIGINT or SIGHUP) on to the reloader, once, as soon as it handles it
# (a second signal would make it exit at once). Notes when the stop began first: one noted after the loop's
# note_stop (while log_ignored wrote a line) was passed on untimed, and a reloader started again after it
# died in that stop was given the whole budget again.
pass_stop() {
  if [ -n "$stopping" ] && [ -n "$child" ] && [ -z "$passed" ] && handles_term "$child"; then
    note_stop
    passed=1
    kill "-$stopping" "$child" 2>/dev/null || true
  fi
}

supervise_reloader() {
  child="" stopping="" passed="" delay=1 stop_restarts=0
  # Only this script tells the reloader a stop came before its start: not the container's environment.
  unset RELOADER_STOP_UNDER_WAY
  flag_budget=$(stop_timeout_flag "$@") || flag_budget=""
  given="${flag_budget:-${RELOADER_STOP_TIMEOUT:-}}"
  is_given "$given" || given=30s
  budget_ms=$(duration_ms "$given") || budget_ms=""
  # The traps only note the stop (the first signal wins): they interrupt `wait`, and the loop notes when
  # it began (note_stop) and passes it on, once. Sending it from the trap too could deliver it twice (a
  # trap runs between any two commands), and a second signal makes the reloader exit at once, HAProxy
  # killed.
  # The first stop sets $fresh too (stop_unseen, then cleared), so that one noted just before `wait` cuts
  # it short (see interrupted); a second one has nothing to add.
  stop_at="" fresh="" stop_unseen=1
  trap 'fresh=$fresh$stop_unseen stop_unseen="" stopping=${stopping:-TERM}' TERM
  trap 'fresh=$fresh$stop_unseen stop_unseen="" stopping=${stopping:-INT}' INT
  trap 'fresh=$fresh$stop_unseen stop_unseen="" stopping=${stopping:-HUP}' HUP
  # An ignored signal sets $fresh while it is not held (ignored_held_<name> unset; see log_ignored). Its
  # state starts empty, whatever the environment holds (forget_ignored).
  ignored="" held=""
  for signal in USR1 USR2 QUIT ALRM PWR VTALRM PROF IO XCPU XFSZ TSTP PIPE; do
    forget_ignored "$signal"
    trap "ignored=\"\$ignored $signal\" fresh=\$fresh\${ignored_held_$signal-1}" "$signal"
  done
  # By number: dash knows no name for SIGSTKFLT (16) nor for Linux's real-time signals (34-64).
  forget_ignored STKFLT
  trap 'ignored="$ignored STKFLT" fresh=$fresh${ignored_held_STKFLT-1}' 16
  number=34
  while [ "$number" -le 64 ]; do
    rt=$((number - 34))
    forget_ignored "RTMIN_$rt"
    trap "ignored=\"\$ignored RTMIN+$rt\" fresh=\$fresh\${ignored_held_RTMIN_$rt-1}" "$number"
    number=$((number + 1))
  done
  # setsid makes the reloader a session (and process group) leader in place, same pid: `$!` stays it.
  own_session=""
  ! command -v setsid >/dev/null 2>&1 || own_session=setsid
  while :; do
    read_clock
    started=$clock_ms
    remaining_stop_ms
    # A stop under way is given to the reloader at its start (RELOADER_STOP_UNDER_WAY), so not passed
    # again: passed as a signal once it handled SIGHUP, it came after the adoption of the running master,
    # which often reloaded the master a reloader killed during the stop had soft-stopped (HAProxy 2.6
    # takes it: its new worker listened again). One noted after this look is passed as a signal.
    under_way=$stopping
    run_reloader "$left_ms" "$under_way" "$@" &
    child=$! passed=${under_way:+1}
    while :; do
      note_stop
      log_ignored
      pass_stop
      # A stop the reloader cannot take yet (still loading): poll until it can, or until it exits.
      if [ -n "$stopping" ] && [ -z "$passed" ] && is_running "$child"; then
        sleep 0.1
        continue
      fi
      code=0
      ${fresh:+interrupted} wait "$child" || code=$?
      # A trapped signal interrupts `wait` (status > 128) while the reloader still runs: wait for it again.
      if [ "$code" -le 128 ]; then break; fi
      if ! kill -0 "$child" 2>/dev/null; then
        # Gone: this status was its own, or the shell collected it while a trap ran a command (it reaps
        # any child while it waits for one) and `wait` gives its status now (127: none kept, keep this).
        again=0
        wait "$child" || again=$?
        [ "$again" -eq 127 ] || code=$again
        break
      fi
    done
    child=""
    log_ignored all
    if [ "$code" -le 128 ] && [ "$code" -ne 3 ]; then exit "$code"; fi
    # Died (or crashed leaving HAProxy) during a stop: started again at once, it adopts HAProxy and is
    # given the stop, so HAProxy still stops gracefully instead of dying with the container; three times
    # at most, so one that dies in every stop does not loop until the container is killed.
    if [ -n "$stopping" ]; then
      stop_restarts=$((stop_restarts + 1))
      [ "$stop_restarts" -le 3 ] || exit "$code"
    fi
    read_clock
    [ $((clock_ms - started)) -lt 60000 ] || delay=1
    pause=$delay
    [ -z "$stopping" ] || pause=0.1
    if [ "$code" -eq 3 ]; then how="ended by an uncaught error"; else how="killed by signal $((code - 128))"; fi
    printf '{"level":50,"time":"%s","name":"docker-entrypoint","event":"entrypoint.reloader-died","exitCode":%s,"restartInS":%s,"msg":"the reloader was %s: starting it again, it adopts the running HAProxy"}\n' \
      "$(iso_now)" "$code" "$pause" "$how" >&2
    # Only a stop cuts the pause short: an ignored signal interrupts `wait` too, and restarted the reloader
    # at once (a crash loop spun on each one).
    sleep "$pause" &
    pausing=$!
    while :; do
      paused=0
      ${fresh:+interrupted} wait "$pausing" || paused=$?
      [ "$paused" -gt 128 ] && [ -z "$stopping" ] && is_running "$pausing" || break
      log_ignored
    done
    log_ignored
    [ -n "$stopping" ] || delay=$((delay * 2 > 30 ? 30 : delay * 2))
  done
}

case "$1" in
  generate-maps)
    shift
    exec node "$APP/generate-maps/bin/generate-maps.js" "$@"
    ;;
  haproxy | reloader)
    shift
    # Blanks only are unset: passed on, they gave the reloader's default stop-haproxy.
    is_given "${RELOADER_ON_CRASH:-}" || RELOADER_ON_CRASH=leave-haproxy
    export RELOADER_ON_CRASH
    supervise_reloader node "$APP/reloader/bin/reloader.js" "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
