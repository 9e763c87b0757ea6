# Sourced by the benchmark scripts: how busy the (shared) machine is, and
# waiting for it to go idle. Expects a log() function and WAIT_IDLE (0 or 1);
# sets BUSY_BEFORE to the busy percentage measured just before the run.

# Percentage of CPU time spent busy (not idle, not iowait) over the next $1 seconds.
cpu_busy_pct() {
    local a b
    a=$(head -n 1 /proc/stat)
    sleep "$1"
    b=$(head -n 1 /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN {
        n = split(a, x, " "); split(b, y, " ")
        for (i = 2; i <= n; i++) { d = y[i] - x[i]; tot += d; if (i == 5 || i == 6) idle += d }
        printf "%.0f", (tot > 0 ? 100 * (tot - idle) / tot : 0) }'
}

# With WAIT_IDLE, waits up to 10 minutes for the machine to be under 10% busy.
measure_idle_before_run() {
    BUSY_BEFORE=$(cpu_busy_pct 2)
    if ((WAIT_IDLE)); then
        local waited=0
        while ((BUSY_BEFORE > 10 && waited < 600)); do
            log "machine is ${BUSY_BEFORE}% busy; waiting for it to go idle"
            sleep 10
            waited=$((waited + 12))
            BUSY_BEFORE=$(cpu_busy_pct 2)
        done
    fi
}
