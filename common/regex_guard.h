/* A guard for POSIX extended regexes from the configuration, before regcomp.
 *
 * glibc's regcomp expands repetition by copying: X+ becomes X X*, X{m,n}
 * becomes n copies of X, so nested repetitions multiply and ((a+)+)+... doubles
 * with every level; its epsilon closures then cost about the square of the
 * optional pieces in a row. Estimate the size of the expanded tree the same way
 * (concatenation and alternation add, repetition multiplies, each operator is a
 * node) and refuse what would take long to compile. Operators in a row (a*+,
 * a+{2}) are undefined in POSIX EREs and the cheapest way to blow up glibc, so
 * they are refused outright. NULL if fine, else why not. */
#ifndef SHUGO_REGEX_GUARD_H
#define SHUGO_REGEX_GUARD_H

#define RXG_SIZE_MAX 5000 /* nodes after expanding repetition */
#define RXG_DEPTH_MAX 64  /* nested groups */

/* NULL if re may be compiled, else why not ("groups nested too deeply"). */
const char *rxg_check(const char *re);

#endif
