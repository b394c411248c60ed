/* The command line as one validated request.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#ifndef FALLOCATE_REQUEST_H
#define FALLOCATE_REQUEST_H

#include <stdbool.h>
#include <sys/types.h>

#include "sizes.h"

/* What to do to each FILE.  */
enum operation
{
  OP_ALLOCATE,          /* fallocate(2), mode 0 or FALLOC_FL_KEEP_SIZE */
  OP_POSIX,             /* posix_fallocate(3) */
  OP_PUNCH,             /* FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE */
  OP_COLLAPSE,          /* FALLOC_FL_COLLAPSE_RANGE */
  OP_INSERT,            /* FALLOC_FL_INSERT_RANGE */
  OP_ZERO,              /* FALLOC_FL_ZERO_RANGE [| KEEP_SIZE] */
  OP_WRITE_ZEROES,      /* FALLOC_FL_WRITE_ZEROES */
  OP_UNSHARE,           /* FALLOC_FL_UNSHARE_RANGE [| KEEP_SIZE] */
  OP_DIG,               /* --dig-holes */
  OP_REPORT,            /* --report-holes */
  OP_NONE               /* nothing but --advise */
};

/* No advice given.  */
enum { ADVICE_NONE = -1 };

/* At least the number of long options.  */
enum { REQUEST_MAX_CANDIDATES = 24 };

struct request
{
  enum operation op;
  int mode;                 /* the FALLOC_FL_* mask for fallocate(2) */
  off_t offset;
  off_t length;             /* 0 means "to end of file" (-d, -r, --advise) */
  int advice;               /* POSIX_FADV_*, or ADVICE_NONE */
  bool verbose;
  bool json;                /* --json: the report as JSON */
  bool force;               /* --force: dig without the write lease */
  bool progress;            /* --progress */
  int nfiles;
  char *const *files;       /* points into argv */
};

enum request_status
{
  REQUEST_RUN,              /* a valid request for one or more files */
  REQUEST_HELP,             /* --help */
  REQUEST_VERSION,          /* --version */
  REQUEST_ERROR             /* see struct request_error */
};

enum request_problem
{
  PROBLEM_NONE,
  PROBLEM_UNKNOWN_OPTION,    /* text: the option as written */
  PROBLEM_AMBIGUOUS_OPTION,  /* text: the option as written; candidates */
  PROBLEM_MISSING_ARGUMENT,  /* option_name: its long name */
  PROBLEM_EXTRA_ARGUMENT,    /* option_name: a long option given "=VALUE" */
  PROBLEM_CONFLICT,          /* option_name, other: the two long names */
  PROBLEM_NEEDS,             /* option_name needs other: the two long
                                names */
  PROBLEM_BAD_SIZE,          /* option_name ("offset"/"length"), text,
                                size_error */
  PROBLEM_BAD_ADVICE,        /* text */
  PROBLEM_AMBIGUOUS_ADVICE,  /* text */
  PROBLEM_NO_LENGTH,         /* option_name: the operation (NULL:
                                allocation) */
  PROBLEM_ZERO_LENGTH,       /* option_name: the operation's long name */
  PROBLEM_RANGE_OVERFLOW,    /* offset + length beyond the off_t maximum:
                                option_name, other; text, other_text */
  PROBLEM_NO_FILE
};

struct request_error
{
  enum request_problem problem;
  char const *option_name;   /* a long option's name, without dashes */
  char const *other;
  char const *text;
  char const *other_text;    /* the text of OTHER, where it has one */
  enum size_error size_error;
  char spelled[3];           /* holds TEXT for an unknown short option */
  /* The long options an ambiguous one abbreviates, NULL-terminated.  */
  char const *candidates[REQUEST_MAX_CANDIDATES + 1];
};

/* Turn ARGV into *REQ.  Pure: no I/O and no messages; on REQUEST_ERROR
   *ERR says what was wrong.  May be called more than once.  */
enum request_status request_parse (int argc, char **argv,
                                   struct request *req,
                                   struct request_error *err);

/* The names --advise accepts, NULL-terminated, in the order of
   advice_values; argmatch accepts unambiguous prefixes of them.  */
extern char const *const advice_names[];
extern int const advice_values[];

/* The long name of the option that selects OP ("punch-hole"), or NULL
   for OP_NONE.  */
char const *operation_option (enum operation op);

#endif
