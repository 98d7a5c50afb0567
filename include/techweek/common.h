/*
 * What every public header shares: the mark on each function the shared
 * library exports. Everything else in libtechweek.so stays hidden, so an
 * embedder can only reach what include/ declares (libgit2's GIT_EXTERN).
 */
#ifndef TECHWEEK_COMMON_H
#define TECHWEEK_COMMON_H

#if defined(__GNUC__) || defined(__clang__)
#define TW_EXTERN(type) __attribute__((visibility("default"))) type
#else
#define TW_EXTERN(type) type
#endif

#endif
