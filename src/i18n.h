/* The translation of messages, for the rooms that print.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later

   _("text") is the translation of a message into the user's language
   (LC_MESSAGES, LANGUAGE), N_("text") marks one for translation where
   it is data (a table) and is translated with _() where printed.
   Without NLS both give the text itself.  Library rooms never
   translate: what they say is data that the printing rooms turn into
   messages.  */

#ifndef FALLOCATE_I18N_H
#define FALLOCATE_I18N_H

#include <limits.h>
#include <stdint.h>

#include "gettext.h"

#define _(msgid) gettext (msgid)
#define N_(msgid) msgid

/* The count N, at least 0, as the number that chooses a plural form:
   ngettext takes an unsigned long int, which may be narrower than
   intmax_t (32 bits); past its maximum, a number with the same last six
   digits, as the plural rules of every language depend only on those.  */
static inline unsigned long int
plural_of (intmax_t n)
{
  return (unsigned long int) (n <= ULONG_MAX ? n : n % 1000000 + 1000000);
}

#endif
