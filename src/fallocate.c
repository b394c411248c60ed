/* fallocate -- preallocate, deallocate and inspect the space of files.
   Copyright (C) 2026 the fallocate developers.

   This program is free software: you can redistribute it and/or modify
   it under the terms of the GNU General Public License as published by
   the Free Software Foundation, either version 3 of the License, or
   (at your option) any later version.

   This program is distributed in the hope that it will be useful,
   but WITHOUT ANY WARRANTY; without even the implied warranty of
   MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
   GNU General Public License for more details.

   You should have received a copy of the GNU General Public License
   along with this program.  If not, see <https://www.gnu.org/licenses/>.

   This file is the command line: it turns argv into a request, applies
   it to each FILE, and prints every message.  The work itself is done
   by the library files, which never print.  */

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "areadlink.h"
#include "closeout.h"
#include "dirname.h"
#include "error.h"
#include "fcntl--.h"
#include "filenamecat.h"
#include "intprops.h"
#include "progname.h"
#include "quotearg.h"
#include "same-inode.h"
#include "xalloc.h"

#include "fsinfo.h"
#include "guard.h"
#include "holders.h"
#include "i18n.h"
#include "holes.h"
#include "offsets.h"
#include "progress.h"
#include "report.h"
#include "request.h"
#include "sizes.h"
#include "space.h"
#include "undo.h"

#define PROGRAM_NAME "fallocate"

/* The year of the copyright line of --version.  */
enum { COPYRIGHT_YEAR = 2026 };

/* A file name or an argument quoted for messages: in ASCII single quotes
   whatever the locale, as util-linux quotes and scripts expect, with
   shell escapes for anything unprintable.  */
#define quoteaf(text) quotearg_style (shell_escape_always_quoting_style, text)

/* The signal that asked us to stop, or 0.  */
static volatile sig_atomic_t interrupted;

static void
on_signal (int sig)
{
  interrupted = sig;
}

/* Make SIGINT, SIGTERM and SIGHUP ask a long operation to stop and roll
   back, instead of killing the program half way.  Interrupted system
   calls restart (writes to regular files are not interrupted anyway),
   so that a message being written when the signal comes is not lost.
   Signals that were ignored when we started stay ignored.  */
static void
catch_signals (void)
{
  static int const signals[] = { SIGINT, SIGTERM, SIGHUP };
  struct sigaction act = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
  sigemptyset (&act.sa_mask);
  for (size_t i = 0; i < sizeof signals / sizeof *signals; i++)
    {
      struct sigaction old;
      if (sigaction (signals[i], NULL, &old) == 0
          && old.sa_handler != SIG_IGN)
        sigaction (signals[i], &act, NULL);
    }
}

static void
try_help (void)
{
  fprintf (stderr, _("Try '%s --help' for more information.\n"),
           program_name);
}

static void
usage (void)
{
  printf (_("\
Usage: %s [-c|-i|-p|-u|-w|-x|-z] [-n] [-o OFFSET] -l LENGTH FILE...\n\
  or:  %s -d|-r [-o OFFSET] [-l LENGTH] FILE...\n\
  or:  %s --advise=ADVICE [-o OFFSET] [-l LENGTH] FILE...\n"),
          program_name, program_name, program_name);
  fputs (_("\
Preallocate, deallocate or inspect the disk space of each FILE.\n\
Without an operation, allocate LENGTH bytes at OFFSET, creating FILE\n\
if it does not exist.\n\
"), stdout);
  /* TRANSLATORS: keep the descriptions of the options in one column,
     as in English (the --help texts that follow too).  */
  fputs (_("\
\n\
Operations (one at most):\n\
  -c, --collapse-range  remove the range; later data moves down\n\
  -d, --dig-holes       turn blocks that read as zeros into holes\n\
  -i, --insert-range    insert a hole at OFFSET; later data moves up\n\
  -p, --punch-hole      deallocate the range, leaving a hole (implies -n)\n\
  -r, --report-holes    report the file holes and data holes of the range\n\
  -u, --unshare-range   give the file its own copy of shared blocks\n\
  -w, --write-zeroes    write zeros over the range and allocate it\n\
  -x, --posix           allocate with posix_fallocate(3)\n\
  -z, --zero-range      zero the range and allocate it\n\
"), stdout);
  fputs (_("\
\n\
Range and modifiers:\n\
  -o, --offset=OFFSET   start of the range (default 0)\n\
  -l, --length=LENGTH   length of the range; with -d, -r and --advise,\n\
                          left out or 0 means to the end of the file\n\
  -n, --keep-size       do not change the size of the file\n\
      --advise=ADVICE   advise the page cache about the range: alone, or\n\
                          after -n, -p, -u, -w, -x or -z\n\
      --force           dig holes even while another process has FILE open\n\
  -J, --json            with -r, print the report as one line of JSON\n\
                          per FILE\n\
      --progress        show the progress of long operations\n\
  -v, --verbose         tell what was done\n\
  -h, --help            display this help and exit\n\
  -V, --version         output version information and exit\n\
"), stdout);
  fputs (_("\
\n\
OFFSET and LENGTH are bytes, optionally with a fraction and a unit:\n\
K, M, G, T, P, E, Z, Y (powers of 1024, also KiB, MiB, ...) or KB, MB, ...\n\
(powers of 1000); 0x introduces hexadecimal.\n\
ADVICE is normal, sequential, random, noreuse, willneed or dontneed.\n\
"), stdout);
  fputs (_("\
\n\
Exit status is 0 if every FILE was processed, 1 otherwise; 128+N after\n\
signal N (SIGINT, SIGTERM, SIGHUP), once the operation under way is rolled\n\
back or finished.\n"), stdout);
}

static void
version (void)
{
  printf ("%s (%s) %s\n", PROGRAM_NAME, PACKAGE_NAME, PACKAGE_VERSION);
  /* TRANSLATORS: the %s is "(C)", translated on its own (to the sign
     where the character set has it); %d is the year.  */
  printf (_("Copyright %s %d the fallocate developers.\n"), _("(C)"),
          COPYRIGHT_YEAR);
  fputs (_("\
License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\n\
This is free software: you are free to change and redistribute it.\n\
There is NO WARRANTY, to the extent permitted by law.\n"), stdout);
}

static char const *
advice_name (int advice)
{
  for (int i = 0; advice_names[i]; i++)
    if (advice_values[i] == advice)
      return advice_names[i];
  return "?";
}

/* Print what is wrong with the command line.  */
static void
request_failed (struct request_error const *err)
{
  static char const valid_advice[] = "normal, sequential, random, noreuse, "
                                     "willneed, dontneed";
  switch (err->problem)
    {
    case PROBLEM_UNKNOWN_OPTION:
      if (err->text[1] == '-')
        error (0, 0, _("unrecognized option %s"), quoteaf (err->text));
      else
        error (0, 0, _("invalid option -- %s"), quoteaf (err->text + 1));
      try_help ();
      break;
    case PROBLEM_AMBIGUOUS_OPTION:
      fflush (stdout);
      fprintf (stderr, _("%s: option %s is ambiguous; possibilities:"),
               program_name, quoteaf (err->text));
      for (char const *const *c = err->candidates; *c; c++)
        fprintf (stderr, " '--%s'", *c);
      putc ('\n', stderr);
      try_help ();
      break;
    case PROBLEM_MISSING_ARGUMENT:
      error (0, 0, _("option '--%s' requires an argument"), err->option_name);
      try_help ();
      break;
    case PROBLEM_EXTRA_ARGUMENT:
      error (0, 0, _("option '--%s' doesn't allow an argument"),
             err->option_name);
      try_help ();
      break;
    case PROBLEM_CONFLICT:
      error (0, 0, _("options --%s and --%s cannot be combined"),
             err->option_name, err->other);
      break;
    case PROBLEM_NEEDS:
      error (0, 0, _("option --%s needs --%s"), err->option_name,
             err->other);
      try_help ();
      break;
    case PROBLEM_BAD_SIZE:
      switch (err->size_error)
        {
        case SIZE_NEGATIVE:
          error (0, 0, _("invalid %s: %s: must not be negative"),
                 err->option_name, quoteaf (err->text));
          break;
        case SIZE_TOO_LARGE:
          error (0, EOVERFLOW, _("invalid %s: %s"), err->option_name,
                 quoteaf (err->text));
          break;
        case SIZE_OK:
        case SIZE_INVALID:
        default:
          error (0, 0, _("invalid %s: %s"), err->option_name,
                 quoteaf (err->text));
          break;
        }
      break;
    case PROBLEM_BAD_ADVICE:
      error (0, 0, _("invalid argument %s for '--advise'; valid arguments "
                     "are %s"), quoteaf (err->text), valid_advice);
      break;
    case PROBLEM_AMBIGUOUS_ADVICE:
      error (0, 0, _("ambiguous argument %s for '--advise'; valid arguments "
                     "are %s"), quoteaf (err->text), valid_advice);
      break;
    case PROBLEM_NO_LENGTH:
      if (err->option_name)
        error (0, 0, _("no length argument specified: --%s needs --length"),
               err->option_name);
      else
        error (0, 0, _("no length argument specified"));
      try_help ();
      break;
    case PROBLEM_ZERO_LENGTH:
      error (0, 0, _("invalid length: %s: must be greater than zero"),
             quoteaf (err->text));
      break;
    case PROBLEM_RANGE_OVERFLOW:
      /* (quotearg_n: two quoted texts in one message.)  */
      error (0, 0, _("invalid range: offset %s plus length %s exceeds the "
                     "largest file size (%jd bytes)"),
             quotearg_n_style (0, shell_escape_always_quoting_style,
                               err->text),
             quotearg_n_style (1, shell_escape_always_quoting_style,
                               err->other_text),
             (intmax_t) TYPE_MAXIMUM (off_t));
      break;
    case PROBLEM_NO_FILE:
      error (0, 0, _("no filename specified"));
      try_help ();
      break;
    case PROBLEM_NONE:
    default:
      abort ();
    }
}

/* What the kind of file in MODE is called, for one that is not a regular
   file; NULL for a regular file.  */
static char const *
file_kind (mode_t mode)
{
  return (S_ISREG (mode) ? NULL
          /* TRANSLATORS: this and the next five complete "%s is %s, not
             a regular file".  */
          : S_ISDIR (mode) ? _("a directory")
          : S_ISBLK (mode) ? _("a block device")
          : S_ISCHR (mode) ? _("a character device")
          : S_ISFIFO (mode) ? _("a FIFO")
          : S_ISSOCK (mode) ? _("a socket")
          : _("not a regular file"));
}

/* Whether OP applies to block devices, which the kernel lets punch,
   zero and write zeroes over, and which take page cache advice.  */
static bool
device_operation (enum operation op)
{
  return (op == OP_PUNCH || op == OP_ZERO || op == OP_WRITE_ZEROES
          || op == OP_NONE);
}

/* Refuse NAME with MODE unless REQ applies to it; return true if it
   does.  */
static bool
kind_allowed (char const *name, mode_t mode, struct request const *req)
{
  char const *kind = file_kind (mode);
  if (!kind)
    return true;
  if (S_ISBLK (mode))
    {
      if (device_operation (req->op))
        return true;
      error (0, 0, _("%s is a block device; only --punch-hole, "
                     "--zero-range, --write-zeroes and --advise apply to "
                     "devices"), quoteaf (name));
    }
  else
    error (0, 0, _("%s is %s, not a regular file"), quoteaf (name), kind);
  return false;
}

/* Whether REQ may create a missing FILE: only plain allocation, with or
   without -x, and --write-zeroes do, as in util-linux.  */
static bool
creates_file (struct request const *req)
{
  return ((req->op == OP_ALLOCATE && !(req->mode & FALLOC_FL_KEEP_SIZE))
          || req->op == OP_POSIX || req->op == OP_WRITE_ZEROES);
}

/* Whether REQ changes the file (and so must end with fsync).  */
static bool
modifies_file (struct request const *req)
{
  return req->op != OP_REPORT && req->op != OP_NONE;
}

/* Symbolic links followed at most to a file to create, as the kernel
   follows them.  */
enum { MAX_SYMLINKS = 40 };

/* open(2) NAME with FLAGS and O_NONBLOCK, so that a FIFO or a device
   that waits for a peer cannot hold us up before its kind is checked;
   without it where another process's lease blocks the open, which then
   waits for the lease, as any open does.  */
static int
open_nonblock (char const *name, int flags)
{
  int fd = open (name, flags | O_NONBLOCK);
  if (fd < 0 && errno == EWOULDBLOCK)
    fd = open (name, flags);
  return fd;
}

/* Whether to follow the symbolic link PATH to create its target: in a
   sticky directory that everyone may write to (/tmp), only a link that
   the user or the directory's owner owns.  The kernel makes this check
   (fs.protected_symlinks) when it follows a link itself; here the link
   is followed by hand, so the check is made here, always, lest another
   user's link in /tmp make root create a file of that user's choosing.  */
static bool
may_follow (char const *path)
{
  char *dir = dir_name (path);
  struct stat link, parent;
  bool ok = (lstat (path, &link) == 0 && stat (dir, &parent) == 0
             && (!(parent.st_mode & S_ISVTX) || !(parent.st_mode & S_IWOTH)
                 || link.st_uid == geteuid ()
                 || link.st_uid == parent.st_uid));
  free (dir);
  return ok;
}

/* Open NAME with FLAGS, and if CREATE create it where it does not exist,
   as the target of a dangling symbolic link too (as open(2) with O_CREAT
   does, but knowing whether this call created the file).  Set *CREATED
   to the name the file was created as, or to NULL.  Return the
   descriptor, or -1 with errno set.  */
static int
open_or_create (char const *name, int flags, bool create, char **created)
{
  *created = NULL;
  if (!create)
    return open_nonblock (name, flags);
  char *path = xstrdup (name);
  for (int links = 0; ; links++)
    {
      int fd = open (path, flags | O_CREAT | O_EXCL | O_NONBLOCK,
                     S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP | S_IROTH
                     | S_IWOTH);
      if (0 <= fd)
        {
          *created = path;
          return fd;
        }
      if (errno != EEXIST)
        break;
      fd = open_nonblock (path, flags);
      if (0 <= fd || errno != ENOENT)
        {
          int err = errno;
          free (path);
          errno = err;
          return fd;
        }
      /* PATH exists but leads to nothing: a dangling symbolic link,
         whose target is the file to create.  */
      if (!may_follow (path))
        {
          errno = EACCES;
          break;
        }
      char *target = links < MAX_SYMLINKS ? areadlink (path) : NULL;
      if (!target)
        {
          errno = links < MAX_SYMLINKS && errno == EINVAL ? ENOENT : ELOOP;
          break;
        }
      if (!IS_ABSOLUTE_FILE_NAME (target))
        {
          char *dir = dir_name (path);
          char *joined = file_name_concat (dir, target, NULL);
          free (dir);
          free (target);
          target = joined;
        }
      free (path);
      path = target;
    }
  int err = errno;
  free (path);
  errno = err;
  return -1;
}

/* The file a run works on.  */
struct target
{
  int fd;
  struct stat st;               /* of FD when opened */
  char *created;                /* the name this run created it as, or
                                   NULL */
};

/* Open NAME for REQ into *T.  Return true, or false after printing why
   not.  */
static bool
open_file (char const *name, struct request const *req, struct target *t)
{
  *t = (struct target) { .fd = -1 };
  /* A first look, to refuse a directory or a device by its kind before
     opening it (which may have effects of its own); the kind is checked
     again on the descriptor, in case the name changed meanwhile.  */
  if (stat (name, &t->st) == 0 && !kind_allowed (name, t->st.st_mode, req))
    return false;

  int flags = ((modifies_file (req) ? O_RDWR : O_RDONLY)
               | O_CLOEXEC | O_NOCTTY);
  t->fd = open_or_create (name, flags, creates_file (req), &t->created);
  if (t->fd < 0)
    {
      error (0, errno, _("cannot open %s"), quoteaf (name));
      return false;
    }
  int fl;
  if (fstat (t->fd, &t->st) != 0)
    error (0, errno, _("cannot stat %s"), quoteaf (name));
  else if (!kind_allowed (name, t->st.st_mode, req))
    ;
  else if ((fl = fcntl (t->fd, F_GETFL)) < 0
           || fcntl (t->fd, F_SETFL, fl & ~O_NONBLOCK) != 0)
    error (0, errno, _("%s: cannot clear O_NONBLOCK"), quoteaf (name));
  else
    return true;
  close (t->fd);
  free (t->created);
  t->created = NULL;
  return false;
}

/* What the operation does, for "cannot ..." messages, and what it did,
   for -v; translated where printed.  */
static struct
{
  char const *doing;
  char const *done;
} const op_words[] =
{
  /* TRANSLATORS: the first of each pair completes "FILE: cannot %s",
     the second "FILE: 1 MiB (1048576 bytes) %s."  */
  [OP_ALLOCATE] = { N_("allocate"), N_("allocated") },
  [OP_POSIX] = { N_("allocate"), N_("allocated") },
  [OP_PUNCH] = { N_("punch hole"), N_("hole created") },
  [OP_COLLAPSE] = { N_("collapse range"), N_("removed") },
  [OP_INSERT] = { N_("insert range"), N_("inserted") },
  [OP_ZERO] = { N_("zero range"), N_("zeroed") },
  [OP_WRITE_ZEROES] = { N_("write zeroes"), N_("written as zeroes") },
  [OP_UNSHARE] = { N_("unshare range"), N_("unshared") },
  [OP_DIG] = { N_("dig holes"), NULL },
  [OP_REPORT] = { N_("report holes"), NULL },
  [OP_NONE] = { NULL, NULL },
};

/* Carry out the fallocate(2)-style operation of REQ on FD.  */
static int
apply (int fd, struct request const *req, struct space_hooks const *hooks,
       struct space_outcome *out)
{
  bool keep = req->mode & FALLOC_FL_KEEP_SIZE;
  off_t off = req->offset, len = req->length;
  switch (req->op)
    {
    case OP_ALLOCATE: return space_allocate (fd, off, len, keep, hooks, out);
    case OP_POSIX: return space_posix_allocate (fd, off, len, out);
    case OP_PUNCH: return space_punch (fd, off, len, out);
    case OP_COLLAPSE: return space_collapse (fd, off, len, out);
    case OP_INSERT: return space_insert (fd, off, len, out);
    case OP_ZERO: return space_zero (fd, off, len, keep, hooks, out);
    case OP_WRITE_ZEROES:
      return space_write_zeroes (fd, off, len, hooks, out);
    case OP_UNSHARE: return space_unshare (fd, off, len, keep, out);
    case OP_DIG:
    case OP_REPORT:
    case OP_NONE:
    default:
      abort ();
    }
}

/* Print the -v line "NAME: 1 MiB (1048576 bytes) WHAT[ HOW]."  */
static void
tell (char const *name, off_t bytes, char const *what, char const *how)
{
  char buf[HUMAN_SIZE_BUFSIZE];
  printf (_("%s: %s (%jd bytes) %s%s.\n"), name, human_size (bytes, buf),
          (intmax_t) bytes, what, how);
}

/* How OUT says the operation OP was carried out, for -v: "" when the
   kernel did it, else which fallback.  */
static char const *
fallback_note (enum operation op, struct space_outcome const *out)
{
  switch (out->method)
    {
    case METHOD_ZERO_FILL:
      return _(" (fallocate(2) not supported here: zeros written)");
    case METHOD_PUNCH_ALLOCATE:
      return _(" (FALLOC_FL_ZERO_RANGE not supported here: punched and "
               "allocated)");
    case METHOD_WRITE:
      return (op == OP_ZERO
              ? _(" (FALLOC_FL_ZERO_RANGE not supported here: zeros "
                  "written)")
              : _(" (FALLOC_FL_WRITE_ZEROES not supported here: zeros "
                  "written)"));
    case METHOD_KERNEL:
    case METHOD_POSIX:
    default:
      return "";
    }
}

/* Where the operation OP works, for messages about filesystems that
   cannot do it.  */
static char const *
where_it_works (enum operation op, bool keep_size)
{
  switch (op)
    {
    case OP_COLLAPSE:
    case OP_INSERT:
      return _("; it works on ext4 (with extents) and xfs");
    case OP_UNSHARE:
      return _("; it works on xfs with reflink");
    case OP_PUNCH:
    case OP_DIG:
      return _("; it works on ext4, xfs, btrfs and tmpfs");
    case OP_ALLOCATE:
    case OP_ZERO:
      return keep_size ? _("; --keep-size has no fallback past the end of "
                           "the file") : "";
    case OP_POSIX:
    case OP_WRITE_ZEROES:
    case OP_REPORT:
    case OP_NONE:
    default:
      return "";
    }
}

/* Explain why the range of REQ is invalid for FD's filesystem, into BUF
   of SIZE bytes; return false if there is nothing more to say than
   EINVAL.  Only -c and -i have rules of their own.  */
static bool
explain_invalid (int fd, struct request const *req, char *buf, size_t size)
{
  struct fsinfo fs;
  struct stat st;
  if ((req->op != OP_COLLAPSE && req->op != OP_INSERT)
      || fsinfo_get (fd, &fs) != 0 || fstat (fd, &st) != 0)
    return false;
  if (req->offset % fs.block_size || req->length % fs.block_size)
    snprintf (buf, size, _("offset and length must be multiples of the "
                           "filesystem block size, %jd bytes on %s"),
              (intmax_t) fs.block_size, fs.type);
  else if (req->op == OP_COLLAPSE && st.st_size <= req->offset + req->length)
    snprintf (buf, size, _("the range must end before the end of the "
                           "file (%jd bytes)"), (intmax_t) st.st_size);
  else if (req->op == OP_INSERT && st.st_size <= req->offset)
    snprintf (buf, size, _("the offset must be before the end of the "
                           "file (%jd bytes)"), (intmax_t) st.st_size);
  else
    return false;
  return true;
}

/* Why a long operation stopped before its end.  */
enum stop_cause
{
  STOP_NONE,
  STOP_SIGNAL,                  /* SIGINT, SIGTERM or SIGHUP came */
  STOP_LEASE                    /* another process wanted the file */
};

/* One FILE being worked on: what the callbacks of long operations
   need, and what the messages say of it.  */
struct job
{
  char const *name;
  int fd;
  struct stat const *st;        /* of FD when opened */
  struct request const *req;
  struct guard guard;
  bool guarded;                 /* the write lease (or the watch of a
                                   dig) keeps other writers out */
  int lease_err;                /* why job_lease could not have it, or 0 */
  bool lease_warned;            /* said once that there is no lease */
  int guard_refused;            /* why job_guard refused, or 0 */
  bool writer_waits;            /* a writer's open stopped the dig */
  bool drawing;                 /* --progress has started */
  enum stop_cause stopped;      /* why the operation stopped, if it did */
  struct progress progress;
  struct report report;         /* -r: the report being made */
};

/* Report the failure of OUT's step while JOB's request was applied.  */
static void
failed (struct job const *job, struct space_outcome const *out)
{
  char const *name = quoteaf (job->name);
  struct request const *req = job->req;
  char const *what = _(op_words[req->op].doing);
  bool keep = req->mode & FALLOC_FL_KEEP_SIZE;
  char reason[256];
  struct fsinfo fs;
  if (out->step == STEP_SYNC)
    error (0, out->err, _("%s: cannot sync"), name);
  else if (out->step == STEP_GUARD)
    error (0, 0, _("%s is open by another process; not writing zeros into "
                   "its holes (use --force to write anyway)"), name);
  else if (out->err == EINTR && job->stopped == STOP_LEASE)
    error (0, 0, _("%s: cannot %s: another process opened or truncated the "
                   "file; stopped and rolled back"), name, what);
  else if (out->err == EINTR && job->stopped == STOP_SIGNAL)
    error (0, 0, _("%s: cannot %s: interrupted by signal %d"), name, what,
           (int) interrupted);
  else if (out->err == ENOSYS)
    error (0, 0, _("%s: cannot %s: %s (fallocate(2) is not available here)"),
           name, what, strerror (out->err));
  else if (out->err == EOPNOTSUPP && fsinfo_get (job->fd, &fs) == 0)
    error (0, 0, _("%s: cannot %s%s: %s on %s%s"), name, what,
           keep && req->op != OP_PUNCH ? _(" with --keep-size") : "",
           strerror (out->err), fs.type, where_it_works (req->op, keep));
  else if (out->err == EINVAL
           && explain_invalid (job->fd, req, reason, sizeof reason))
    error (0, 0, _("%s: cannot %s: %s"), name, what, reason);
  else
    error (0, out->err, _("%s: cannot %s"), name, what);
}

/* Whether REQ allocates space, and so must give it back on failure
   (-u too: its unshared copies cannot be shared again, but a failure
   that allocated nothing must leave the file as it was, mtime
   included).  */
static bool
allocates (struct request const *req)
{
  return (req->op == OP_ALLOCATE || req->op == OP_POSIX
          || req->op == OP_ZERO || req->op == OP_WRITE_ZEROES
          || req->op == OP_UNSHARE);
}

/* The bytes of JOB's file from OFFSET to its end: of the device, for a
   block device, whose st_size is 0.  */
static off_t
bytes_to_end (struct job const *job, off_t offset)
{
  off_t size = job->st->st_size;
  if (S_ISBLK (job->st->st_mode) && fsinfo_device_size (job->fd, &size) != 0)
    size = 0;
  return offset < size ? size - offset : 0;
}

/* Give JOB's page cache advice.  Set *BYTES to the length of the range
   it covered.  */
static bool
advise (struct job const *job, off_t *bytes)
{
  struct request const *req = job->req;
  struct space_outcome out = { 0 };
  if (space_advise (job->fd, req->offset, req->length, req->advice, &out)
      != 0)
    {
      error (0, out.err, _("%s: cannot give %s advice"),
             quoteaf (job->name), advice_name (req->advice));
      return false;
    }
  *bytes = req->length ? req->length : bytes_to_end (job, req->offset);
  return true;
}

/* Whether the range of JOB's request suits its block device; say why
   not if not.  As for a file, a punch (or a zeroing with --keep-size)
   past the end reaches as far as the device, which the kernel sees to;
   but nothing of the range may lie past the end, and an operation that
   would make a file larger must fit: the kernel refuses it, and the
   fallbacks would write zeros up to the end of the device before
   failing.  */
static bool
fits_device (struct job const *job)
{
  struct request const *req = job->req;
  bool clamps = (req->op == OP_PUNCH
                 || (req->op == OP_ZERO && req->mode & FALLOC_FL_KEEP_SIZE));
  off_t size;
  int err = fsinfo_device_size (job->fd, &size);
  if (err)
    error (0, err, _("%s: cannot read the size of the device"),
           quoteaf (job->name));
  else if (size <= req->offset
           || (!clamps && size - req->offset < req->length))
    error (0, 0, (size <= req->offset
                  ? _("%s: cannot %s: the range starts past the end of the "
                      "device (%jd bytes)")
                  : _("%s: cannot %s: the range ends past the end of the "
                      "device (%jd bytes)")),
           quoteaf (job->name), _(op_words[req->op].doing), (intmax_t) size);
  else
    return true;
  return false;
}

/* Whether the operation of JOB must stop: a signal came, or another
   process wants the file.  Note which.  */
static bool
job_should_stop (void *arg)
{
  struct job *job = arg;
  if (interrupted)
    job->stopped = STOP_SIGNAL;
  else if (job->guarded && guard_broken ())
    {
      job->stopped = STOP_LEASE;
      job->writer_waits = guard_writer_waits ();
    }
  return job->stopped != STOP_NONE;
}

/* Draw the progress of JOB: DONE of TOTAL bytes.  */
static void
job_progress (void *arg, off_t done, off_t total)
{
  struct job *job = arg;
  char buf[PROGRESS_BUFSIZE];
  double now = progress_now ();
  if (!job->drawing)
    {
      /* TRANSLATORS: the rate and the time left (hours:minutes:seconds)
         of the progress line "img: 42% 420 MiB / 1000 MiB, 850 MiB/s,
         0:00:01 left".  */
      progress_start (&job->progress, job->name,
                      _(", %s/s, %jd:%02jd:%02jd left"),
                      isatty (STDERR_FILENO), total, now);
      job->drawing = true;
    }
  size_t n = progress_update (&job->progress, done, now, buf);
  if (n)
    fwrite (buf, 1, n, stderr);
}

/* Clear the progress line of JOB, if any; the next update draws it
   again.  */
static void
job_progress_clear (struct job *job)
{
  char buf[PROGRESS_BUFSIZE];
  size_t n = job->drawing ? progress_end (&job->progress, buf) : 0;
  if (n)
    fwrite (buf, 1, n, stderr);
}

/* End the progress of JOB: clear its line.  */
static void
job_progress_end (struct job *job)
{
  job_progress_clear (job);
  job->drawing = false;
}

/* Keep other writers out of JOB's file before writing where it read
   holes or zeros, unless --force: the zero-fill needs the file to
   itself, while a dig goes on beside readers where it can keep writers
   out (guard_take_shared).  Return 0 to go on, or EAGAIN or EBUSY (a
   writer) to refuse: another process has the file open.  Where no
   lease can be had for any other reason, warn once and go on, as
   util-linux would.  */
static int
job_guard (void *arg)
{
  struct job *job = arg;
  if (job->req->force || job->guarded)
    return 0;
  int err = (job->req->op == OP_DIG
             ? guard_take_shared (&job->guard, job->fd)
             : guard_take (&job->guard, job->fd));
  if (err == 0)
    job->guarded = true;
  else if (err == EAGAIN || err == EBUSY)
    {
      job->guard_refused = err;
      return err;
    }
  else if (!job->lease_warned)
    {
      error (0, err, _("warning: %s: no write lease, so other writers are "
                       "not kept out"), quoteaf (job->name));
      job->lease_warned = true;
    }
  return 0;
}

/* Whether JOB's guard keeps other writers out of its file now.  */
static bool
job_writers_out (void *arg)
{
  struct job const *job = arg;
  return job->guarded;
}

/* Give back the lease of JOB, if held.  */
static void
job_unguard (struct job *job)
{
  if (job->guarded)
    guard_release (&job->guard);
  job->guarded = false;
}

/* Keep other processes out of JOB's file from now until job_unguard,
   so that a rollback knows that all it finds is this run's doing: while
   the write lease is held, any other open of the file waits (and asks
   the operation to stop).  Note why it cannot be had, if so.  */
static void
job_lease (struct job *job)
{
  job->lease_err = guard_take (&job->guard, job->fd);
  job->guarded = !job->lease_err;
}

/* Why another process may have touched JOB's file, for messages.  */
static char const *
not_alone (struct job const *job, char *buf, size_t size)
{
  if (job->lease_err == EAGAIN)
    return _("the file is open by another process");
  snprintf (buf, size, _("no write lease to keep other writers out: %s"),
            strerror (job->lease_err));
  return buf;
}

/* Roll back what the failed operation of JOB, as OUT tells, allocated,
   as U recorded: under the write lease, taken now if it was not held
   (--force), so that nobody can write into what the rollback punches;
   the rest as undo_apply decides.  */
static void
job_roll_back (struct job *job, struct undo const *u,
               struct space_outcome const *out)
{
  enum operation op = job->req->op;
  struct undo_facts facts = { .alone = job->guarded && !job->lease_err,
                              .written_end = out->written_end,
                              .data_untouched = (op == OP_ALLOCATE
                                                 || op == OP_POSIX
                                                 || op == OP_UNSHARE
                                                 || (!out->touched_data
                                                     && !out->written_end)) };
  if (!job->guarded)
    job_lease (job);
  facts.locked = job->guarded;
  struct undo_result res;
  int err = undo_apply (job->fd, u, &facts, &res);
  char const *name = quoteaf (job->name);
  char reason[256];
  char const *why = (res.why == LEFT_NOT_ALONE
                     ? not_alone (job, reason, sizeof reason)
                     : res.why == LEFT_NO_PUNCH ? strerror (res.punch_err)
                     : res.why == LEFT_UNMAPPED
                     ? _("its filesystem does not tell where they are")
                     : _("another process changed the size of the file"));
  if (err)
    error (0, err, _("%s: cannot restore the size and holes it had"), name);
  else if (res.left)
    {
      char buf[HUMAN_SIZE_BUFSIZE];
      error (0, 0, _("warning: %s: %s (%jd bytes) allocated by this run left "
                     "in place: %s%s"), name, human_size (res.left, buf),
             (intmax_t) res.left,
             res.why == LEFT_NO_PUNCH ? _("cannot punch holes: ") : "", why);
    }
}

/* Add a hole that -r found to the report on JOB's file (the text
   report prints its -v line now, over the progress line).  */
static void
job_hole (void *arg, enum hole_kind kind, off_t offset, off_t length)
{
  struct job *job = arg;
  if (!job->req->json)
    job_progress_clear (job);
  report_hole (&job->report, kind, offset, length);
}

/* Processes named at most in a message, before "and N more".  */
enum { HOLDERS_NAMED = 5 };

/* Append FORMAT, as printf would, to the string of *LEN bytes in BUF of
   SIZE bytes, as far as it fits.  */
static void
append (char *buf, size_t size, size_t *len, char const *format, ...)
{
  va_list args;
  va_start (args, format);
  int w = vsnprintf (buf + *len, size - *len, format, args);
  va_end (args);
  if (0 < w)
    *len = size - *len <= (size_t) w ? size - 1 : *len + w;
}

/* Append to BUF of SIZE bytes, at *LEN, the holders of kind KIND among
   the N of LIST: "/dev/loop3, /dev/loop4", or "process 42 (cmd)",
   "processes 42 (a), 43 (b) and 2 more".  Return how many there were.  */
static size_t
list_holders (char *buf, size_t size, size_t *len,
              struct holder const *list, size_t n, enum holder_kind kind)
{
  size_t count = 0;
  for (size_t i = 0; i < n; i++)
    count += list[i].kind == kind;
  size_t named = 0;
  for (size_t i = 0; i < n && named < HOLDERS_NAMED; i++)
    {
      if (list[i].kind != kind)
        continue;
      char const *sep = named ? ", " : "";
      if (kind == HOLDER_LOOP)
        append (buf, size, len, "%s%s", sep, list[i].name);
      else
        append (buf, size, len, "%s%s%jd (%s)", sep,
                /* TRANSLATORS: follows "by", precedes "42 (cmd)".  */
                named ? "" : ngettext ("process ", "processes ", count),
                (intmax_t) list[i].pid,
                quotearg_n_style (1, shell_escape_quoting_style,
                                  list[i].name));
      named++;
    }
  if (named < count)
    /* TRANSLATORS: ends a list of processes or loop devices.  */
    append (buf, size, len, ngettext (" and %zu more", " and %zu more",
                                      count - named), count - named);
  return count;
}

/* Say why the dig of JOB's file was refused: others have it open, and
   some of them for writing (named where we can see them), or no watch
   can let readers in and keep writers out.  */
static void
refuse_dig (struct job const *job)
{
  char const *name = quoteaf (job->name);
  int why = job->guard.watch_err;
  if (job->guard_refused == EAGAIN)
    {
      char reason[256];
      if (why == EPERM || why == EACCES)
        snprintf (reason, sizeof reason, "%s",
                  _("keeping writers out beside readers needs root "
                    "(fanotify)"));
      else if (why == ENOSYS)
        snprintf (reason, sizeof reason, "%s",
                  _("keeping writers out beside readers needs fanotify, "
                    "which this system lacks"));
      else
        snprintf (reason, sizeof reason,
                  _("cannot keep writers out beside readers: %s"),
                  strerror (why));
      error (0, 0, _("%s is open by another process; not digging holes: "
                     "%s; close the other descriptors or use --force"),
             name, reason);
      return;
    }
  struct holders h;
  char who[1024];
  size_t len = 0;
  if (holders_find (job->fd, &h) != 0)
    h.n = 0;
  if (list_holders (who, sizeof who, &len, h.list, h.n, HOLDER_LOOP))
    {
      size_t at = len;
      append (who, sizeof who, &len, "%s", _(" and open for writing by "));
      if (!list_holders (who, sizeof who, &len, h.list, h.n,
                         HOLDER_PROCESS))
        who[at] = '\0';
      error (0, 0, _("%s is the backing file of %s; not digging holes"),
             name, who);
    }
  else if (list_holders (who, sizeof who, &len, h.list, h.n,
                         HOLDER_PROCESS))
    error (0, 0, _("%s is open for writing by %s; not digging holes"), name,
           who);
  else
    error (0, 0, _("%s is open for writing by another process; not "
                   "digging holes"), name);
  holders_free (&h);
}

/* Say why -d or -r failed on JOB's file, as STATS and OUT tell.  */
static void
holes_failed (struct job const *job, struct holes_stats const *stats,
              struct space_outcome const *out)
{
  char const *name = quoteaf (job->name);
  bool dig = job->req->op == OP_DIG;
  if (out->step == STEP_GUARD)
    refuse_dig (job);
  else if (out->err == EINTR && dig && job->stopped != STOP_NONE)
    {
      char why[128];
      if (job->stopped == STOP_SIGNAL)
        snprintf (why, sizeof why, _("interrupted by signal %d"),
                  (int) interrupted);
      else
        snprintf (why, sizeof why, "%s",
                  (job->writer_waits
                   ? _("another process is opening the file for writing")
                   : _("another process opened or truncated the file")));
      /* TRANSLATORS: English says "holes" for one hole too.  */
      error (0, 0, ngettext ("%s: %s; stopped digging at offset %jd of %jd, "
                             "after converting %jd holes (%jd bytes) to "
                             "sparse holes",
                             "%s: %s; stopped digging at offset %jd of %jd, "
                             "after converting %jd holes (%jd bytes) to "
                             "sparse holes", plural_of (stats->data_holes)),
             name, why, (intmax_t) (stats->start + stats->done),
             (intmax_t) stats->end, stats->data_holes,
             (intmax_t) stats->data_hole_bytes);
    }
  else
    failed (job, out);
}

/* Report (-r) or dig (-d) the holes of JOB's file with HOOKS.  Return
   true on success.  Only the report lists the holes one by one with
   -v, as util-linux does.  */
static bool
job_holes (struct job *job, struct space_hooks const *hooks)
{
  struct request const *req = job->req;
  bool dig = req->op == OP_DIG;
  if (!dig)
    report_begin (&job->report, job->name, req->json, req->verbose,
                  1 < req->nfiles);
  struct holes_stats stats;
  struct space_outcome out = { 0 };
  int err = holes_scan (job->fd, req->offset, req->length, dig,
                        req->verbose && !dig ? job_hole : NULL, job, hooks,
                        &stats, &out);
  job_progress_end (job);
  job_unguard (job);
  if (err)
    holes_failed (job, &stats, &out);
  else if (dig && req->verbose)
    report_dug (job->name, &stats);
  else if (!dig)
    report_end (&job->report, &stats);
  if (!dig)
    report_free (&job->report);
  return !err;
}

/* Remove the file that JOB's run created as T->created, while its name
   still refers to it (another process may have renamed another file
   over it meanwhile) and nobody else has it open (another process may
   have opened it and written to it): the write lease, held or taken
   now, tells.  A process that is opening it meanwhile waits for the
   lease: it would get a file without a name, so the file is emptied
   instead (nobody can have written to it under the lease).  Call while
   the descriptor is open, so that its inode cannot be reused.  */
static void
remove_created (struct job *job, struct target const *t)
{
  char reason[256];
  char const *name = quoteaf (t->created);
  if (!job->guarded)
    job_lease (job);
  struct stat now;
  if (lstat (t->created, &now) != 0)
    return;
  if (!SAME_INODE (now, t->st))
    error (0, 0, _("warning: %s: not removed: the name no longer refers to "
                   "the file this run created"), name);
  else if (job->guarded && guard_broken ())
    {
      if (ftruncate (job->fd, 0) != 0)
        error (0, errno, _("%s: cannot empty the file it created"), name);
      else
        error (0, 0, _("warning: %s: not removed: another process is opening "
                       "it; emptied instead"), name);
    }
  else if (job->lease_err == EAGAIN)
    error (0, 0, _("warning: %s: not removed: %s"), name,
           not_alone (job, reason, sizeof reason));
  else if (unlink (t->created) != 0)
    error (0, errno, _("%s: cannot remove the file it created"),
           quoteaf (job->name));
}

/* Make the directory entry of CREATED, a file just created, durable.
   Return 0, or an errno value.  */
static int
sync_parent (char const *created)
{
  char *dir = dir_name (created);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
  free (dir);
  if (fd < 0)
    return errno;
  /* Some filesystems cannot sync a directory (EINVAL): their entries
     are as durable as they get.  */
  int err = fsync (fd) == 0 || errno == EINVAL ? 0 : errno;
  if (close (fd) != 0 && !err)
    err = errno;
  return err;
}

/* Whether this system can carry out REQ at all; if not, say so for the
   file NAME.  Without fallocate(2) in the C library only what needs no
   mode of it works: plain allocation (by posix_fallocate(3)), --posix,
   --report-holes and --advise; --dig-holes punches.  */
static bool
available (char const *name, struct request const *req)
{
  int mode = (req->op == OP_DIG ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
              : req->mode);
  if (space_mode_available (mode))
    return true;
  bool keep = req->mode & FALLOC_FL_KEEP_SIZE;
  error (0, 0, _("%s: cannot %s%s: not available on this system"),
         quoteaf (name), _(op_words[req->op].doing),
         keep && req->op != OP_PUNCH ? _(" with --keep-size") : "");
  return false;
}

/* Apply REQ to the file NAME.  Return true on success.  */
static bool
process_file (char const *name, struct request const *req)
{
  struct target t;
  if (!available (name, req) || !open_file (name, req, &t))
    return false;

  struct job job = { .name = name, .fd = t.fd, .st = &t.st, .req = req };
  struct space_hooks hooks = { .arg = &job,
                               .progress = req->progress ? job_progress
                                                         : NULL,
                               .should_stop = job_should_stop,
                               .guard = job_guard,
                               .writers_out = job_writers_out };
  struct space_outcome out = { 0 };
  struct undo undo = { 0 };
  bool allocating = allocates (req) && S_ISREG (t.st.st_mode);
  if (allocating && !req->force)
    job_lease (&job);
  bool undoable = allocating && !t.created;
  bool ok = true;
  int err;
  if (S_ISBLK (t.st.st_mode) && req->op != OP_NONE && !fits_device (&job))
    ok = false;
  else if (undoable
           && (err = undo_record (t.fd, req->offset, req->length, &undo)))
    {
      error (0, err, _("%s: cannot record the holes to restore on failure"),
             quoteaf (name));
      ok = false;
    }
  else if (req->op == OP_DIG || req->op == OP_REPORT)
    ok = job_holes (&job, &hooks);
  else if (req->op != OP_NONE && apply (t.fd, req, &hooks, &out) != 0)
    {
      failed (&job, &out);
      ok = false;
      if (undoable)
        job_roll_back (&job, &undo, &out);
    }
  job_progress_end (&job);
  undo_free (&undo);
  /* Made durable even after a failure: the rollback, or the part of a
     dig that was done, is the file's state now.  */
  struct space_outcome synced = { 0 };
  if (modifies_file (req) && space_sync (t.fd, &synced) != 0 && ok)
    {
      failed (&job, &synced);
      ok = false;
    }
  if (ok && t.created && (err = sync_parent (t.created)))
    {
      error (0, err, _("%s: cannot sync its directory"), quoteaf (name));
      ok = false;
    }
  off_t advised = 0;
  if (ok && req->advice != ADVICE_NONE)
    ok = advise (&job, &advised);
  if (!ok && t.created)
    remove_created (&job, &t);
  job_unguard (&job);
  /* On a device, a punch (or -z -n) past its end stopped at the end.  */
  off_t done_length = (S_ISBLK (t.st.st_mode)
                       ? min_off (req->length,
                                  bytes_to_end (&job, req->offset))
                       : req->length);
  if (close (t.fd) != 0 && ok)
    {
      error (0, errno, _("%s: cannot close"), quoteaf (name));
      ok = false;
    }
  free (t.created);
  if (ok && req->verbose && op_words[req->op].done)
    tell (name, done_length, _(op_words[req->op].done),
          fallback_note (req->op, &out));
  if (ok && req->verbose && req->advice != ADVICE_NONE)
    {
      char what[64];
      snprintf (what, sizeof what, _("advised %s"),
                advice_name (req->advice));
      tell (name, advised, what, "");
    }
  return ok;
}

/* End the program by the signal SIG, as it would have ended had it not
   caught it, so that the shell and the script that ran it know: after
   the cleanup and the messages, flush and check standard output, restore
   the default action and raise the signal again.  */
static _Noreturn void
die_by_signal (int sig)
{
  close_stdout ();
  signal (sig, SIG_DFL);
  raise (sig);
  _exit (EXIT_FAILURE);
}

int
main (int argc, char **argv)
{
  /* Messages start with "fallocate:", whatever the path it was run by,
     as util-linux's do.  */
  char const *slash = strrchr (argv[0], '/');
  set_program_name (slash ? slash + 1 : argv[0]);
  /* The user's locale for everything, LC_NUMERIC too (the decimal
     point of the -v and -r figures), as util-linux does; in the C locale
     every message is the English one, byte for byte.  */
  setlocale (LC_ALL, "");
  /* (Without NLS these are expressions without effect.)  */
  (void) bindtextdomain (PACKAGE, LOCALEDIR);
  (void) textdomain (PACKAGE);
  atexit (close_stdout);

  struct request req;
  struct request_error err;
  switch (request_parse (argc, argv, &req, &err))
    {
    case REQUEST_HELP:
      usage ();
      return EXIT_SUCCESS;
    case REQUEST_VERSION:
      version ();
      return EXIT_SUCCESS;
    case REQUEST_ERROR:
      request_failed (&err);
      return EXIT_FAILURE;
    case REQUEST_RUN:
    default:
      break;
    }

  /* A signal stops (and rolls back) the operation under way, or lets it
     finish if it has; either way the remaining files are left alone,
     and the program then ends by the signal.  */
  catch_signals ();
  bool ok = true;
  int i;
  for (i = 0; i < req.nfiles && !interrupted; i++)
    ok &= process_file (req.files[i], &req);
  if (interrupted)
    {
      if (i < req.nfiles)
        error (0, 0, ngettext ("interrupted by signal %d; %d file not "
                               "processed",
                               "interrupted by signal %d; %d files not "
                               "processed", req.nfiles - i),
               (int) interrupted, req.nfiles - i);
      die_by_signal (interrupted);
    }
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
