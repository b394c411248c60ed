/* Unit tests for the command line parser.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include <fcntl.h>
#include <string.h>

#include "request.h"
#include "space.h"
#include "tap.h"

enum { MAX_ARGS = 12 };

/* Parse the NULL-terminated WORDS (program name first).  */
static enum request_status
parse (char const *const *words, struct request *req,
       struct request_error *err)
{
  static char storage[MAX_ARGS][64];
  static char *argv[MAX_ARGS + 1];
  int argc = 0;
  for (; words[argc]; argc++)
    {
      snprintf (storage[argc], sizeof storage[argc], "%s", words[argc]);
      argv[argc] = storage[argc];
    }
  argv[argc] = NULL;
  return request_parse (argc, argv, req, err);
}

struct good
{
  char const *args[MAX_ARGS];
  enum operation op;
  int mode;
  off_t offset, length;
  int advice;
  int nfiles;
};

static struct good const good_cases[] =
{
  { { "fallocate", "-l", "1M", "f", NULL }, OP_ALLOCATE, 0, 0, 1048576,
    ADVICE_NONE, 1 },
  { { "fallocate", "-n", "-l", "4096", "f", NULL }, OP_ALLOCATE,
    FALLOC_FL_KEEP_SIZE, 0, 4096, ADVICE_NONE, 1 },
  { { "fallocate", "-x", "-o", "1K", "-l", "2K", "a", "b", NULL }, OP_POSIX,
    0, 1024, 2048, ADVICE_NONE, 2 },
  { { "fallocate", "-p", "-o", "0x1000", "-l", "4K", "f", NULL }, OP_PUNCH,
    FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096, 4096, ADVICE_NONE, 1 },
  { { "fallocate", "-p", "-n", "-l", "1", "f", NULL }, OP_PUNCH,
    FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 1, ADVICE_NONE, 1 },
  { { "fallocate", "--collapse-range", "--length=8K", "f", NULL },
    OP_COLLAPSE, FALLOC_FL_COLLAPSE_RANGE, 0, 8192, ADVICE_NONE, 1 },
  { { "fallocate", "-i", "-l", "4K", "f", NULL }, OP_INSERT,
    FALLOC_FL_INSERT_RANGE, 0, 4096, ADVICE_NONE, 1 },
  { { "fallocate", "-z", "-n", "-l", "4K", "f", NULL }, OP_ZERO,
    FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, 4096, ADVICE_NONE, 1 },
  { { "fallocate", "-w", "-l", "4K", "f", NULL }, OP_WRITE_ZEROES,
    FALLOC_FL_WRITE_ZEROES, 0, 4096, ADVICE_NONE, 1 },
  { { "fallocate", "-u", "-l", "4K", "f", NULL }, OP_UNSHARE,
    FALLOC_FL_UNSHARE_RANGE, 0, 4096, ADVICE_NONE, 1 },
  { { "fallocate", "-d", "f", NULL }, OP_DIG, 0, 0, 0, ADVICE_NONE, 1 },
  { { "fallocate", "-d", "-l", "0", "f", NULL }, OP_DIG, 0, 0, 0,
    ADVICE_NONE, 1 },
  { { "fallocate", "-r", "-o", "1M", "f", NULL }, OP_REPORT, 0, 1048576, 0,
    ADVICE_NONE, 1 },
  { { "fallocate", "--advise=dontneed", "f", NULL }, OP_NONE, 0, 0, 0,
    POSIX_FADV_DONTNEED, 1 },
  { { "fallocate", "--advise", "will", "f", NULL }, OP_NONE, 0, 0, 0,
    POSIX_FADV_WILLNEED, 1 },
  { { "fallocate", "--advise=seq", "-l", "1M", "f", NULL }, OP_NONE, 0, 0,
    1048576, POSIX_FADV_SEQUENTIAL, 1 },
  { { "fallocate", "-l", "1M", "--advise=random", "f", NULL }, OP_NONE,
    0, 0, 1048576, POSIX_FADV_RANDOM, 1 },
  { { "fallocate", "-x", "-l", "1M", "--advise=noreuse", "f", NULL },
    OP_POSIX, 0, 0, 1048576, POSIX_FADV_NOREUSE, 1 },
  { { "fallocate", "-n", "-l", "1M", "--advise=dontneed", "f", NULL },
    OP_ALLOCATE, FALLOC_FL_KEEP_SIZE, 0, 1048576, POSIX_FADV_DONTNEED, 1 },
  { { "fallocate", "-p", "-l", "1M", "--advise=dontneed", "f", NULL },
    OP_PUNCH, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 1048576,
    POSIX_FADV_DONTNEED, 1 },
  { { "fallocate", "-vl1M", "f", NULL }, OP_ALLOCATE, 0, 0, 1048576,
    ADVICE_NONE, 1 },
  { { "fallocate", "--len=1K", "f", NULL }, OP_ALLOCATE, 0, 0, 1024,
    ADVICE_NONE, 1 },
  { { "fallocate", "-p", "-p", "-l", "1K", "f", NULL }, OP_PUNCH,
    FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 1024, ADVICE_NONE, 1 },
  { { "fallocate", "-l", "1K", "--", "-f", NULL }, OP_ALLOCATE, 0, 0, 1024,
    ADVICE_NONE, 1 },
};

struct bad
{
  char const *args[MAX_ARGS];
  enum request_problem problem;
  char const *option_name;
  char const *other;
};

static struct bad const bad_cases[] =
{
  { { "fallocate", "-p", "-z", "-l", "1", "f", NULL }, PROBLEM_CONFLICT,
    "punch-hole", "zero-range" },
  { { "fallocate", "-z", "-p", "-l", "1", "f", NULL }, PROBLEM_CONFLICT,
    "zero-range", "punch-hole" },
  { { "fallocate", "-c", "-i", "-l", "1", "f", NULL }, PROBLEM_CONFLICT,
    "collapse-range", "insert-range" },
  { { "fallocate", "-d", "-x", "f", NULL }, PROBLEM_CONFLICT, "dig-holes",
    "posix" },
  { { "fallocate", "-w", "-z", "-l", "1", "f", NULL }, PROBLEM_CONFLICT,
    "write-zeroes", "zero-range" },
  { { "fallocate", "-u", "-p", "-l", "1", "f", NULL }, PROBLEM_CONFLICT,
    "unshare-range", "punch-hole" },
  { { "fallocate", "-n", "-c", "-l", "1", "f", NULL }, PROBLEM_CONFLICT,
    "keep-size", "collapse-range" },
  { { "fallocate", "-i", "-n", "-l", "1", "f", NULL }, PROBLEM_CONFLICT,
    "insert-range", "keep-size" },
  { { "fallocate", "-n", "-w", "-l", "1", "f", NULL }, PROBLEM_CONFLICT,
    "keep-size", "write-zeroes" },
  { { "fallocate", "-x", "-n", "-l", "1", "f", NULL }, PROBLEM_CONFLICT,
    "posix", "keep-size" },
  { { "fallocate", "-r", "-p", "f", NULL }, PROBLEM_CONFLICT,
    "report-holes", "punch-hole" },
  { { "fallocate", "-r", "-n", "f", NULL }, PROBLEM_CONFLICT,
    "report-holes", "keep-size" },
  { { "fallocate", "-d", "-r", "f", NULL }, PROBLEM_CONFLICT, "dig-holes",
    "report-holes" },
  { { "fallocate", "--advise=normal", "-c", "-l", "1", "f", NULL },
    PROBLEM_CONFLICT, "advise", "collapse-range" },
  { { "fallocate", "-r", "--advise=normal", "f", NULL }, PROBLEM_CONFLICT,
    "report-holes", "advise" },
  { { "fallocate", "f", NULL }, PROBLEM_NO_LENGTH, NULL, NULL },
  { { "fallocate", "-p", "f", NULL }, PROBLEM_NO_LENGTH, "punch-hole",
    NULL },
  { { "fallocate", "-l", "0", "f", NULL }, PROBLEM_ZERO_LENGTH, NULL, NULL },
  { { "fallocate", "-l", "1.2.3M", "f", NULL }, PROBLEM_BAD_SIZE, "length",
    NULL },
  { { "fallocate", "-o", "-1", "-l", "1", "f", NULL }, PROBLEM_BAD_SIZE,
    "offset", NULL },
  { { "fallocate", "-o", "7E", "-l", "1E", "f", NULL },
    PROBLEM_RANGE_OVERFLOW, "offset", "length" },
  { { "fallocate", "-J", "f", NULL }, PROBLEM_NEEDS, "json",
    "report-holes" },
  { { "fallocate", "--json", "-l", "1M", "f", NULL }, PROBLEM_NEEDS, "json",
    "report-holes" },
  { { "fallocate", "-d", "-J", "f", NULL }, PROBLEM_NEEDS, "json",
    "report-holes" },
  { { "fallocate", "-J", NULL }, PROBLEM_NEEDS, "json", "report-holes" },
  { { "fallocate", "-l", "1M", NULL }, PROBLEM_NO_FILE, NULL, NULL },
  { { "fallocate", "-q", "f", NULL }, PROBLEM_UNKNOWN_OPTION, NULL, NULL },
  { { "fallocate", "--bogus", "f", NULL }, PROBLEM_UNKNOWN_OPTION, NULL,
    NULL },
  { { "fallocate", "--p", "-l", "1", "f", NULL }, PROBLEM_AMBIGUOUS_OPTION,
    NULL, NULL },
  { { "fallocate", "-l", NULL }, PROBLEM_MISSING_ARGUMENT, "length", NULL },
  { { "fallocate", "f", "--offset", NULL }, PROBLEM_MISSING_ARGUMENT,
    "offset", NULL },
  { { "fallocate", "--verbose=yes", "f", NULL }, PROBLEM_EXTRA_ARGUMENT,
    "verbose", NULL },
  { { "fallocate", "--advise=bogus", "f", NULL }, PROBLEM_BAD_ADVICE,
    "advise", NULL },
  { { "fallocate", "--advise=n", "f", NULL }, PROBLEM_AMBIGUOUS_ADVICE,
    "advise", NULL },
  /* An unknown short option after a long one, in a cluster: getopt is
     still on "-qv", so argv[optind - 1] is "--verbose".  */
  { { "fallocate", "--verbose", "-qv", "-l", "1", "f", NULL },
    PROBLEM_UNKNOWN_OPTION, NULL, NULL },
  { { "fallocate", "-vq", "-l", "1", "f", NULL }, PROBLEM_UNKNOWN_OPTION,
    NULL, NULL },
  { { "fallocate", "-l", "1", "--punch-hole=x", "f", NULL },
    PROBLEM_EXTRA_ARGUMENT, "punch-hole", NULL },
};

/* What the error of an unknown or ambiguous option must say: TEXT, and
   for an ambiguous one, CANDIDATES.  */
struct culprit
{
  char const *args[MAX_ARGS];
  char const *text;
  char const *candidates[4];
};

static struct culprit const culprits[] =
{
  { { "fallocate", "--verbose", "-qv", "-l", "1", "f", NULL }, "-q",
    { NULL } },
  { { "fallocate", "-vq", "f", NULL }, "-q", { NULL } },
  { { "fallocate", "-l", "1", "--bogus=1", "f", NULL }, "--bogus=1",
    { NULL } },
  { { "fallocate", "--p", "-l", "1", "f", NULL }, "--p",
    { "posix", "progress", "punch-hole", NULL } },
  { { "fallocate", "-v", "--in=1", "f", NULL }, "--in=1",
    { "insert-range", NULL } },
  { { "fallocate", "--ver", "f", NULL }, "--ver",
    { "verbose", "version", NULL } },
};

/* Name a test by its PREFIX and its arguments ARGS (program name first).  */
static char const *
test_name (char const *prefix, char const *const *args)
{
  static char name[256];
  size_t used = strlen (prefix);
  memcpy (name, prefix, used + 1);
  for (int j = 1; args[j]; j++)
    {
      size_t len = strlen (args[j]);
      if (sizeof name - used < len + 2)
        break;
      name[used++] = ' ';
      memcpy (name + used, args[j], len + 1);
      used += len;
    }
  return name;
}

static bool
same (char const *a, char const *b)
{
  return a == b || (a && b && strcmp (a, b) == 0);
}

int
main (void)
{
  struct request req;
  struct request_error err;

  for (size_t i = 0; i < sizeof good_cases / sizeof *good_cases; i++)
    {
      struct good const *g = &good_cases[i];
      enum request_status st = parse (g->args, &req, &err);
      char const *name = test_name ("accepts:", g->args);
      bool ok = (st == REQUEST_RUN && req.op == g->op && req.mode == g->mode
                 && req.offset == g->offset && req.length == g->length
                 && req.advice == g->advice && req.nfiles == g->nfiles);
      if (!tap_ok (ok, name))
        tap_diag ("status %d problem %d op %d mode %#x offset %jd length %jd"
                  " advice %d nfiles %d", (int) st, (int) err.problem,
                  (int) req.op, (unsigned int) req.mode, (intmax_t) req.offset,
                  (intmax_t) req.length, req.advice, req.nfiles);
    }

  for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++)
    {
      struct bad const *b = &bad_cases[i];
      enum request_status st = parse (b->args, &req, &err);
      char const *name = test_name ("refuses:", b->args);
      bool ok = (st == REQUEST_ERROR && err.problem == b->problem
                 && (!b->option_name || same (err.option_name, b->option_name))
                 && same (err.other, b->other));
      if (!tap_ok (ok, name))
        tap_diag ("status %d problem %d option %s other %s", (int) st,
                  (int) err.problem,
                  err.option_name ? err.option_name : "(null)",
                  err.other ? err.other : "(null)");
    }

  for (size_t i = 0; i < sizeof culprits / sizeof *culprits; i++)
    {
      struct culprit const *c = &culprits[i];
      parse (c->args, &req, &err);
      bool ok = same (err.text, c->text);
      bool ambiguous = err.problem == PROBLEM_AMBIGUOUS_OPTION;
      size_t j = 0;
      for (; ambiguous && c->candidates[j]; j++)
        ok &= same (err.candidates[j], c->candidates[j]);
      ok &= !ambiguous || (j && !err.candidates[j]);
      if (!tap_ok (ok, test_name ("names the culprit:", c->args)))
        tap_diag ("text %s, first candidate %s",
                  err.text ? err.text : "(null)",
                  ambiguous && err.candidates[0] ? err.candidates[0] : "-");
    }

  /* --json goes with --report-holes, before or after it.  */
  static char const *const json[][6] =
    {
      { "fallocate", "-rJ", "f", NULL },
      { "fallocate", "--json", "-v", "-r", "f", NULL },
    };
  for (size_t i = 0; i < sizeof json / sizeof *json; i++)
    tap_ok (parse (json[i], &req, &err) == REQUEST_RUN && req.json
            && req.op == OP_REPORT, test_name ("accepts:", json[i]));
  static char const *const text[] = { "fallocate", "-r", "f", NULL };
  tap_ok (parse (text, &req, &err) == REQUEST_RUN && !req.json,
          "-r alone is the text report");

  static char const *const help[] = { "fallocate", "-l", "1", "--help",
                                      NULL };
  tap_ok (parse (help, &req, &err) == REQUEST_HELP, "--help wins");
  static char const *const version[] = { "fallocate", "-V", NULL };
  tap_ok (parse (version, &req, &err) == REQUEST_VERSION, "-V");

  return tap_done ();
}
