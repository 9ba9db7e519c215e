/* Team sizes of a module's jobs: runs, runs with a team of > 1 thread, largest team.
 * Included by each native module that reports them (a static copy per module). */
#pragma once
static int phx_team_stats[3] = {0, 0, 0};
static inline void phx_note_team(int nt) {
    int seen = __atomic_load_n(&phx_team_stats[2], __ATOMIC_RELAXED);
    __atomic_fetch_add(&phx_team_stats[0], 1, __ATOMIC_RELAXED);
    if (nt > 1)
        __atomic_fetch_add(&phx_team_stats[1], 1, __ATOMIC_RELAXED);
    while (nt > seen && !__atomic_compare_exchange_n(&phx_team_stats[2], &seen, nt, 0,
                                                    __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
}
static inline int phx_team_stat(int i, int reset) {
    return reset ? __atomic_exchange_n(&phx_team_stats[i], 0, __ATOMIC_RELAXED)
                 : __atomic_load_n(&phx_team_stats[i], __ATOMIC_RELAXED);
}

