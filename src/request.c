/* The command line as one validated request.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include "request.h"

#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdckdint.h>
#include <string.h>

#include "argmatch.h"
#include "intprops.h"
#include "space.h"

/* Values for the options that have no short form.  */
enum
{
  ADVISE_OPTION = CHAR_MAX + 1,
  FORCE_OPTION,
  PROGRESS_OPTION
};

static char const short_options[] = ":cdiJl:no:pruvwxzhV";

static struct option const long_options[] =
{
  {"advise", required_argument, NULL, ADVISE_OPTION},
  {"collapse-range", no_argument, NULL, 'c'},
  {"dig-holes", no_argument, NULL, 'd'},
  {"force", no_argument, NULL, FORCE_OPTION},
  {"insert-range", no_argument, NULL, 'i'},
  {"json", no_argument, NULL, 'J'},
  {"keep-size", no_argument, NULL, 'n'},
  {"length", required_argument, NULL, 'l'},
  {"offset", required_argument, NULL, 'o'},
  {"posix", no_argument, NULL, 'x'},
  {"progress", no_argument, NULL, PROGRESS_OPTION},
  {"punch-hole", no_argument, NULL, 'p'},
  {"report-holes", no_argument, NULL, 'r'},
  {"unshare-range", no_argument, NULL, 'u'},
  {"verbose", no_argument, NULL, 'v'},
  {"write-zeroes", no_argument, NULL, 'w'},
  {"zero-range", no_argument, NULL, 'z'},
  {"help", no_argument, NULL, 'h'},
  {"version", no_argument, NULL, 'V'},
  {NULL, 0, NULL, 0}
};
static_assert (sizeof long_options / sizeof *long_options - 1
               <= REQUEST_MAX_CANDIDATES,
               "room for every long option as a candidate");

/* Conflict rules: no option of SUBJECTS goes with any other option of
   OBJECTS.  The lists end in 0.  */
struct conflict
{
  int subjects[12];
  int objects[12];
};

#define OPERATIONS 'c', 'd', 'i', 'p', 'u', 'w', 'x', 'z'
static struct conflict const conflicts[] =
{
  /* One operation at a time.  */
  { { OPERATIONS, 0 }, { OPERATIONS, 0 } },
  /* These set the size themselves, or cannot keep it.  */
  { { 'n', 0 }, { 'c', 'i', 'w', 'x', 0 } },
  /* The report only reads.  */
  { { 'r', 0 }, { OPERATIONS, 'n', 0 } },
  /* Advice is given to the range an operation leaves where it was.  */
  { { ADVISE_OPTION, 0 }, { 'c', 'i', 'd', 'r', 0 } },
};
#undef OPERATIONS

/* Requirements: SUBJECT is refused unless NEEDED is given too.  */
struct requirement
{
  int subject;
  int needed;
};

static struct requirement const requirements[] =
{
  /* JSON is a form of the report.  */
  { 'J', 'r' },
};

static bool
listed (int const *list, int c)
{
  for (; *list; list++)
    if (*list == c)
      return true;
  return false;
}

/* Whether C is one of the N options in SEEN.  */
static bool
listed_in (int const *seen, int n, int c)
{
  for (int i = 0; i < n; i++)
    if (seen[i] == c)
      return true;
  return false;
}

static bool
conflicting (int a, int b)
{
  for (size_t i = 0; i < sizeof conflicts / sizeof *conflicts; i++)
    {
      struct conflict const *r = &conflicts[i];
      if ((listed (r->subjects, a) && listed (r->objects, b))
          || (listed (r->subjects, b) && listed (r->objects, a)))
        return a != b;
    }
  return false;
}

static char const *
long_name (int c)
{
  for (struct option const *o = long_options; o->name; o++)
    if (o->val == c)
      return o->name;
  return NULL;
}

char const *const advice_names[] =
{
  "normal", "sequential", "random", "noreuse", "willneed", "dontneed", NULL
};
int const advice_values[] =
{
  POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
  POSIX_FADV_NOREUSE, POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED
};
ARGMATCH_VERIFY (advice_names, advice_values);

/* Each operation, the option that selects it, and its fallocate(2) mode
   (KEEP_SIZE is added by -n where it is allowed).  */
static struct
{
  enum operation op;
  int letter;
  int mode;
} const operations[] =
{
  { OP_COLLAPSE, 'c', FALLOC_FL_COLLAPSE_RANGE },
  { OP_DIG, 'd', 0 },
  { OP_INSERT, 'i', FALLOC_FL_INSERT_RANGE },
  { OP_PUNCH, 'p', FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE },
  { OP_REPORT, 'r', 0 },
  { OP_UNSHARE, 'u', FALLOC_FL_UNSHARE_RANGE },
  { OP_WRITE_ZEROES, 'w', FALLOC_FL_WRITE_ZEROES },
  { OP_POSIX, 'x', 0 },
  { OP_ZERO, 'z', FALLOC_FL_ZERO_RANGE },
  { OP_ALLOCATE, 0, 0 },
};

char const *
operation_option (enum operation op)
{
  for (size_t i = 0; i < sizeof operations / sizeof *operations; i++)
    if (operations[i].op == op)
      return operations[i].letter ? long_name (operations[i].letter) : NULL;
  return NULL;
}

static enum request_status
fail (struct request_error *err, enum request_problem problem,
      char const *option_name, char const *other, char const *text)
{
  *err = (struct request_error) { .problem = problem,
                                  .option_name = option_name,
                                  .other = other, .text = text };
  return REQUEST_ERROR;
}

/* Fill ERR's candidates with the long options that TEXT (without its
   dashes, up to any '=') abbreviates, in the order of the table, and
   return how many there are; an exact name is the only candidate.  */
static int
long_matches (char const *text, struct request_error *err)
{
  size_t len = strcspn (text, "=");
  int n = 0;
  for (struct option const *o = long_options; o->name; o++)
    if (strncmp (o->name, text, len) == 0)
      {
        if (o->name[len] == '\0')
          {
            err->candidates[0] = o->name;
            n = 1;
            break;
          }
        err->candidates[n++] = o->name;
      }
  err->candidates[n] = NULL;
  return n;
}

/* Describe the option getopt_long refused, from what it tells: it sets
   OPTOPT_VALUE to 0 for an unknown or ambiguous long option, to the
   value of a long option given an argument that it does not take, and
   to the character of an unknown short option; after a long option,
   argv[INDEX] is the whole of it.  */
static enum request_status
refused_option (struct request_error *err, char **argv, int index,
                int optopt_value)
{
  if (optopt_value && !long_name (optopt_value))
    {
      fail (err, PROBLEM_UNKNOWN_OPTION, NULL, NULL, NULL);
      err->spelled[0] = '-';
      err->spelled[1] = optopt_value;
      err->text = err->spelled;
      return REQUEST_ERROR;
    }
  char const *text = argv[index];
  if (optopt_value)
    return fail (err, PROBLEM_EXTRA_ARGUMENT, long_name (optopt_value),
                 NULL, text);
  fail (err, PROBLEM_UNKNOWN_OPTION, NULL, NULL, text);
  if (1 < long_matches (text + 2, err))
    err->problem = PROBLEM_AMBIGUOUS_OPTION;
  return REQUEST_ERROR;
}

enum request_status
request_parse (int argc, char **argv, struct request *req,
               struct request_error *err)
{
  *req = (struct request) { .op = OP_ALLOCATE, .advice = ADVICE_NONE };
  *err = (struct request_error) { .problem = PROBLEM_NONE };

  /* Options seen so far, in order, without repeats.  */
  int seen[sizeof long_options / sizeof *long_options];
  int nseen = 0;
  char const *length_text = NULL;
  char const *offset_text = NULL;

  optind = 0;
  opterr = 0;
  for (int c; (c = getopt_long (argc, argv, short_options, long_options,
                                NULL)) != -1; )
    {
      switch (c)
        {
        case '?':
          return refused_option (err, argv, optind - 1, optopt);
        case ':':
          return fail (err, PROBLEM_MISSING_ARGUMENT, long_name (optopt),
                       NULL, NULL);
        case 'h':
          return REQUEST_HELP;
        case 'V':
          return REQUEST_VERSION;
        default:
          break;
        }

      bool repeat = false;
      for (int i = 0; i < nseen; i++)
        {
          if (seen[i] == c)
            repeat = true;
          else if (conflicting (seen[i], c))
            return fail (err, PROBLEM_CONFLICT, long_name (seen[i]),
                         long_name (c), NULL);
        }
      if (!repeat)
        seen[nseen++] = c;

      switch (c)
        {
        case 'l':
        case 'o':
          {
            off_t *target = c == 'l' ? &req->length : &req->offset;
            enum size_error e = size_parse (optarg, target);
            if (e != SIZE_OK)
              {
                fail (err, PROBLEM_BAD_SIZE, long_name (c), NULL, optarg);
                err->size_error = e;
                return REQUEST_ERROR;
              }
            *(c == 'l' ? &length_text : &offset_text) = optarg;
          }
          break;
        case 'n':
          req->mode |= FALLOC_FL_KEEP_SIZE;
          break;
        case 'v':
          req->verbose = true;
          break;
        case 'J':
          req->json = true;
          break;
        case FORCE_OPTION:
          req->force = true;
          break;
        case PROGRESS_OPTION:
          req->progress = true;
          break;
        case ADVISE_OPTION:
          {
            ptrdiff_t i = argmatch (optarg, advice_names,
                                    (char const *) advice_values,
                                    sizeof *advice_values);
            if (i < 0)
              return fail (err, i == -2 ? PROBLEM_AMBIGUOUS_ADVICE
                                        : PROBLEM_BAD_ADVICE,
                           "advise", NULL, optarg);
            req->advice = advice_values[i];
          }
          break;
        default:
          for (size_t i = 0; i < sizeof operations / sizeof *operations; i++)
            if (operations[i].letter == c)
              {
                req->op = operations[i].op;
                req->mode |= operations[i].mode;
              }
          break;
        }
    }

  for (size_t i = 0; i < sizeof requirements / sizeof *requirements; i++)
    if (listed_in (seen, nseen, requirements[i].subject)
        && !listed_in (seen, nseen, requirements[i].needed))
      return fail (err, PROBLEM_NEEDS, long_name (requirements[i].subject),
                   long_name (requirements[i].needed), NULL);

  bool only_advice = req->advice != ADVICE_NONE && req->op == OP_ALLOCATE
                     && !(req->mode & FALLOC_FL_KEEP_SIZE);
  if (only_advice)
    req->op = OP_NONE;

  /* The file first, then the length, as util-linux checks them.  */
  if (argc <= optind)
    return fail (err, PROBLEM_NO_FILE, NULL, NULL, NULL);

  bool length_optional = (req->op == OP_DIG || req->op == OP_REPORT
                          || req->op == OP_NONE);
  char const *op_name = operation_option (req->op);
  if (!length_optional)
    {
      if (!length_text)
        return fail (err, PROBLEM_NO_LENGTH, op_name, NULL, NULL);
      if (req->length == 0)
        return fail (err, PROBLEM_ZERO_LENGTH, op_name, NULL, length_text);
    }

  off_t end;
  if (ckd_add (&end, req->offset, req->length))
    {
      fail (err, PROBLEM_RANGE_OVERFLOW, "offset", "length", offset_text);
      err->other_text = length_text;
      return REQUEST_ERROR;
    }

  req->nfiles = argc - optind;
  req->files = argv + optind;
  return REQUEST_RUN;
}
