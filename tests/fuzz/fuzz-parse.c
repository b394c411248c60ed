/* A libFuzzer target for the size parser and the request parser.
   Build with ./configure CC=clang --enable-fuzzing, then run
   tests/fuzz/fuzz-parse [corpus-dir].
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "sizes.h"

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size);

/* The input as a NUL-terminated string and as an argv split at NULs:
   the first check feeds size_parse, the second request_parse.  */
int
LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  char *text = malloc (size + 1);
  if (!text)
    return 0;
  memcpy (text, data, size);
  text[size] = '\0';

  off_t value;
  if (size_parse (text, &value) == SIZE_OK)
    {
      char buf[HUMAN_SIZE_BUFSIZE];
      if (value < 0 || !human_size (value, buf)[0])
        abort ();
    }

  enum { MAX_ARGS = 16 };
  char *argv[MAX_ARGS + 2] = { (char *) "fallocate" };
  int argc = 1;
  for (char *p = text; argc <= MAX_ARGS && p < text + size;
       p += strlen (p) + 1)
    argv[argc++] = p;
  argv[argc] = NULL;
  struct request req;
  struct request_error err;
  if (request_parse (argc, argv, &req, &err) == REQUEST_RUN
      && (req.nfiles < 1 || req.offset < 0 || req.length < 0))
    abort ();

  free (text);
  return 0;
}
