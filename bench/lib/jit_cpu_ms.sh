# shellcheck shell=bash
# Sourced by the bench scripts. jit_cpu_ms PID... prints the CPU time, in ms, that the JIT compiler threads
# ("C1 CompilerThre…", "C2 CompilerThre…") of those JVMs have used so far. Works for any HotSpot JVM, tools or not.
jit_cpu_ms() {
  local pid task ticks=0
  for pid in "$@"; do
    for task in /proc/"$pid"/task/*; do
      [[ $(cat "$task/comm" 2>/dev/null) == C[12]\ CompilerThre* ]] || continue
      # utime and stime are fields 14 and 15; the comm field before them holds a space, so count from the end of it
      ticks=$((ticks + $(sed 's/.*) //' "$task/stat" 2>/dev/null | awk '{print $12 + $13}')))
    done
  done
  echo $((ticks * 1000 / $(getconf CLK_TCK)))
}
