/* libFuzzer target: the whole argv -> request step.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later

   The input, split at NUL bytes, is the argument list.  A refusal must
   carry every field its problem needs, and each text it reports must be
   a part of an argument or a known option name (never a stray or NULL
   pointer: "option '--(null)'" was such a bug).  A request that parses
   must obey every conflict rule (and --json comes only with
   --report-holes), have a range that does not overflow,
   and at least one FILE.  */

#include <config.h>

#include <stdckdint.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attribute.h"
#include "request.h"
#include "space.h"

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size);

enum { MAX_ARGS = 16 };

/* The long options, as the manual page lists them.  */
static char const *const names[] =
{
  "advise", "collapse-range", "dig-holes", "force", "insert-range",
  "json", "keep-size", "length", "offset", "posix", "progress", "punch-hole",
  "report-holes", "unshare-range", "verbose", "write-zeroes",
  "zero-range", "help", "version", NULL
};

static int argc;
static char *argv[MAX_ARGS + 2];

static _Noreturn void
wrong (char const *why, char const *what)
{
  fprintf (stderr, "%s: %s; argv:", why, what ? what : "(null)");
  for (int i = 0; i < argc; i++)
    fprintf (stderr, " [%s]", argv[i]);
  putc ('\n', stderr);
  abort ();
}

static bool
known_name (char const *s)
{
  for (char const *const *n = names; *n; n++)
    if (strcmp (*n, s) == 0)
      return true;
  return false;
}

static bool
in_argv (char const *s)
{
  for (int i = 1; i < argc; i++)
    if (strstr (argv[i], s))
      return true;
  return false;
}

/* TEXT is required (or may be NULL if !REQUIRED), and comes from argv
   or the option table.  */
static void
check_text (char const *text, bool required, char const *field)
{
  if (!text)
    {
      if (required)
        wrong ("missing field", field);
      return;
    }
  if (!known_name (text) && !in_argv (text))
    wrong ("a text from nowhere", text);
}

static void
check_error (struct request_error const *e)
{
  switch (e->problem)
    {
    case PROBLEM_UNKNOWN_OPTION:
      /* An unknown short option is spelled "-C" for the C seen.  */
      if (e->text && e->text == e->spelled)
        {
          if (e->text[0] != '-' || !e->text[1] || e->text[2]
              || !in_argv (e->text + 1))
            wrong ("a short option not seen", e->text);
        }
      else
        check_text (e->text, true, "text");
      break;
    case PROBLEM_AMBIGUOUS_OPTION:
      check_text (e->text, true, "text");
      if (!e->candidates[0] || !e->candidates[1])
        wrong ("an ambiguity of fewer than two", e->text);
      for (char const *const *c = e->candidates; *c; c++)
        {
          size_t len = strcspn (e->text + 2, "=");
          if (!known_name (*c) || strncmp (*c, e->text + 2, len) != 0)
            wrong ("a candidate that does not match", *c);
        }
      break;
    case PROBLEM_MISSING_ARGUMENT:
      check_text (e->option_name, true, "option");
      break;
    case PROBLEM_EXTRA_ARGUMENT:
      check_text (e->option_name, true, "option");
      check_text (e->text, true, "text");
      break;
    case PROBLEM_RANGE_OVERFLOW:
      check_text (e->text, true, "text");
      check_text (e->other_text, true, "other_text");
      FALLTHROUGH;
    case PROBLEM_CONFLICT:
    case PROBLEM_NEEDS:
      check_text (e->option_name, true, "option");
      check_text (e->other, true, "other");
      if (strcmp (e->option_name, e->other) == 0)
        wrong ("an option in conflict with itself", e->option_name);
      break;
    case PROBLEM_BAD_SIZE:
      check_text (e->option_name, true, "option");
      check_text (e->text, true, "text");
      if (e->size_error == SIZE_OK
          || (strcmp (e->option_name, "offset")
              && strcmp (e->option_name, "length")))
        wrong ("a bad size that is not", e->option_name);
      break;
    case PROBLEM_BAD_ADVICE:
    case PROBLEM_AMBIGUOUS_ADVICE:
    case PROBLEM_ZERO_LENGTH:
      check_text (e->text, true, "text");
      break;
    case PROBLEM_NO_LENGTH:
      check_text (e->option_name, false, "option");
      break;
    case PROBLEM_NO_FILE:
      break;
    case PROBLEM_NONE:
    default:
      wrong ("an error without a problem", NULL);
    }
}

/* The fallocate(2) mode that each operation sets, KEEP_SIZE aside.  */
static int
mode_of (enum operation op)
{
  switch (op)
    {
    case OP_PUNCH: return FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
    case OP_COLLAPSE: return FALLOC_FL_COLLAPSE_RANGE;
    case OP_INSERT: return FALLOC_FL_INSERT_RANGE;
    case OP_ZERO: return FALLOC_FL_ZERO_RANGE;
    case OP_WRITE_ZEROES: return FALLOC_FL_WRITE_ZEROES;
    case OP_UNSHARE: return FALLOC_FL_UNSHARE_RANGE;
    case OP_ALLOCATE:
    case OP_POSIX:
    case OP_DIG:
    case OP_REPORT:
    case OP_NONE:
    default:
      return 0;
    }
}

static void
check_request (struct request const *r)
{
  bool keep = r->mode & FALLOC_FL_KEEP_SIZE;
  off_t end;
  if (r->nfiles < 1 || !r->files || r->files[r->nfiles - 1] != argv[argc - 1])
    wrong ("no FILE, or files not from argv", NULL);
  if (r->offset < 0 || r->length < 0
      || ckd_add (&end, r->offset, r->length))
    wrong ("a range out of bounds", NULL);
  if ((r->mode & ~FALLOC_FL_KEEP_SIZE) != (mode_of (r->op)
                                           & ~FALLOC_FL_KEEP_SIZE))
    wrong ("a mode that is not the operation's", NULL);
  if (keep && (r->op == OP_COLLAPSE || r->op == OP_INSERT
               || r->op == OP_WRITE_ZEROES || r->op == OP_POSIX
               || r->op == OP_REPORT))
    wrong ("--keep-size with an operation it conflicts with", NULL);
  if (r->advice != ADVICE_NONE
      && (r->op == OP_COLLAPSE || r->op == OP_INSERT || r->op == OP_DIG
          || r->op == OP_REPORT))
    wrong ("--advise with an operation it conflicts with", NULL);
  if (r->json && r->op != OP_REPORT)
    wrong ("--json without --report-holes", NULL);
  if (r->op == OP_NONE && r->advice == ADVICE_NONE)
    wrong ("nothing to do", NULL);
  if (!r->length && r->op != OP_DIG && r->op != OP_REPORT
      && r->op != OP_NONE)
    wrong ("a zero length where one is needed", NULL);
}

int
LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  char *text = malloc (size + 1);
  if (!text)
    return 0;
  memcpy (text, data, size);
  text[size] = '\0';

  argc = 0;
  argv[argc++] = (char *) "fallocate";
  for (char *p = text; argc <= MAX_ARGS && p < text + size;
       p += strlen (p) + 1)
    argv[argc++] = p;
  argv[argc] = NULL;

  struct request req;
  struct request_error err;
  switch (request_parse (argc, argv, &req, &err))
    {
    case REQUEST_ERROR:
      check_error (&err);
      break;
    case REQUEST_RUN:
      check_request (&req);
      break;
    case REQUEST_HELP:
    case REQUEST_VERSION:
    default:
      break;
    }
  free (text);
  return 0;
}
