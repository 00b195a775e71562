/* wallclock.c — whole-process wall time of one or more commands, runs interleaved.
 *
 * Usage: wallclock [-n RUNS] [-w WARMUPS] CMD1 [ARG...] [:: CMD2 [ARG...] ...]
 *
 * Each round starts every command once, in turn (so host noise falls on all of
 * them alike), with no shell in between: fork + execvp, wall time from just
 * before fork to the reap of the child (CLOCK_MONOTONIC). stdin/stdout/stderr of
 * the children go to /dev/null. The first WARMUPS rounds are not counted.
 * For each command, prints one line:
 *     RESULT cmd=<i> median_ms=<m> min_ms=<a> max_ms=<b> runs=<n>
 * Exits 1 if any run failed to start or exited non-zero.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 8

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Runs argv once; returns wall seconds, or -1 on failure. */
static double run_once(char **argv)
{
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open("/dev/null", O_RDWR);
        if (fd >= 0) {
            dup2(fd, 0);
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0)
        return -1;
    double t = now_s() - t0;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "wallclock: %s: exit status %d\n", argv[0],
                WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
        return -1;
    }
    return t;
}

int main(int argc, char **argv)
{
    int runs = 20, warm = 2, i = 1;
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-w") && i + 1 < argc)
            warm = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else
            break;
    }
    if (runs < 1 || warm < 0 || i >= argc) {
        fprintf(stderr, "usage: wallclock [-n RUNS] [-w WARMUPS] CMD [ARG...] [:: CMD [ARG...]]...\n");
        return 2;
    }
    char **cmds[MAX_CMDS];
    int ncmd = 0;
    cmds[ncmd++] = &argv[i];
    for (int j = i; j < argc; j++) {
        if (!strcmp(argv[j], "::")) {
            argv[j] = NULL;
            if (j + 1 >= argc || ncmd == MAX_CMDS) {
                fprintf(stderr, "wallclock: empty command or too many commands\n");
                return 2;
            }
            cmds[ncmd++] = &argv[j + 1];
        }
    }
    double *t = malloc(sizeof *t * (size_t)runs * (size_t)ncmd);
    if (!t)
        return 1;
    for (int r = 0; r < warm + runs; r++)
        for (int c = 0; c < ncmd; c++) {
            double s = run_once(cmds[c]);
            if (s < 0)
                return 1;
            if (r >= warm)
                t[c * runs + (r - warm)] = s;
        }
    for (int c = 0; c < ncmd; c++) {
        double *v = &t[c * runs];
        qsort(v, (size_t)runs, sizeof *v, cmp_double);
        double med = runs % 2 ? v[runs / 2] : 0.5 * (v[runs / 2 - 1] + v[runs / 2]);
        printf("RESULT cmd=%d median_ms=%.3f min_ms=%.3f max_ms=%.3f runs=%d\n", c, med * 1e3,
               v[0] * 1e3, v[runs - 1] * 1e3, runs);
    }
    free(t);
    return 0;
}
