/* Holes: report them, and dig them out of zeros.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include "holes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdckdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "intprops.h"
#include "offsets.h"

bool
holes_is_zero (void const *buf, size_t size)
{
  unsigned char const *p = buf;
  size_t i = 0;

  /* Eight words at a time: random data fails on the first ones.  */
  uint64_t w[8];
  for (; i + sizeof w <= size; i += sizeof w)
    {
      memcpy (w, p + i, sizeof w);
      if (w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7])
        return false;
    }
  for (; i < size; i++)
    if (p[i])
      return false;
  return true;
}


/* The coalescer.  */

void
holes_tally_init (struct holes_tally *t, off_t start, off_t end,
                  off_t size, off_t block,
                  holes_found found, void *found_arg,
                  struct holes_stats *stats,
                  int (*punch) (void *, off_t, off_t), void *punch_arg)
{
  off_t window_start = ceil_block (start, block);
  off_t window_end = end == size ? end : floor_block (end, block);
  *t = (struct holes_tally) {
    .block = block, .size = size,
    .window_start = window_start,
    .window_end = max_off (window_start, window_end),
    .found = found, .found_arg = found_arg, .stats = stats,
    .punch = punch, .punch_arg = punch_arg,
  };
}

/* Count the hole of KIND at OFFSET, LENGTH and pass it on.  */
static void
count_hole (struct holes_tally *t, enum hole_kind kind, off_t offset,
            off_t length)
{
  if (kind == HOLE_FILE)
    {
      t->stats->file_holes++;
      t->stats->file_hole_bytes += length;
    }
  else
    {
      t->stats->data_holes++;
      t->stats->data_hole_bytes += length;
    }
  if (t->found)
    t->found (t->found_arg, kind, offset, length);
}

/* Whether T holds runs of zeros to punch together.  */
static bool
holding (struct holes_tally const *t)
{
  return t->held_start < t->held_end;
}

/* Forget what T holds, punched or not.  */
static void
drop_held (struct holes_tally *t)
{
  t->held_start = t->held_end = 0;
  t->held_data_holes = t->held_file_holes = 0;
  t->held_data_bytes = t->held_file_bytes = 0;
}

static void
close_file_hole (struct holes_tally *t)
{
  off_t length = t->file_end - t->file_start;
  if (0 < length && holding (t))
    {
      t->held_file_holes++;
      t->held_file_bytes += length;
    }
  else if (0 < length)
    count_hole (t, HOLE_FILE, t->file_start, length);
  t->file_start = t->file_end = 0;
}

/* Punch the open run, and before it what T holds, from where it is
   punched up to UPTO, a block boundary or the end of the file, in one
   call; the last partial block of the file is punched whole, the part
   past the end holding nothing.  Count what T held if it is punched,
   and forget it either way.  */
static int
punch_to (struct holes_tally *t, off_t upto)
{
  bool held = holding (t);
  off_t from = held ? t->held_start : t->punched;
  if (upto <= from)
    return 0;
  off_t to = upto == t->size ? ceil_block (upto, t->block) : upto;
  int err = t->punch (t->punch_arg, from, to - from);
  if (!err)
    {
      t->punched = upto;
      t->stats->data_holes += t->held_data_holes;
      t->stats->data_hole_bytes += t->held_data_bytes;
      t->stats->file_holes += t->held_file_holes;
      t->stats->file_hole_bytes += t->held_file_bytes;
    }
  if (held)
    drop_held (t);
  return err;
}

/* Punch what T holds.  */
static int
punch_held (struct holes_tally *t)
{
  return holding (t) ? punch_to (t, t->held_end) : 0;
}

/* Close the open run of zeros: punch the rest of it if PUNCH, and count
   what it holds of whole blocks (when digging: of punched ones).  If T
   merges and nothing of the run is punched yet, hold it instead, to be
   punched with the runs that follow across holes.  */
static int
close_run (struct holes_tally *t, bool punch)
{
  if (t->zero_end <= t->zero_start)
    return 0;
  off_t start = ceil_block (t->zero_start, t->block);
  off_t end = (t->zero_end == t->size ? t->zero_end
               : floor_block (t->zero_end, t->block));
  int err = 0;
  if (t->punch && punch && t->merge && t->punched == start && start < end)
    {
      if (!holding (t))
        t->held_start = start;
      t->held_end = end;
      t->held_data_holes++;
      t->held_data_bytes += end - start;
      t->zero_start = t->zero_end = t->punched = 0;
      return (HOLES_PUNCH_BATCH <= t->held_end - t->held_start
              ? punch_held (t) : 0);
    }
  if (t->punch)
    {
      if (punch)
        err = punch_to (t, end);
      end = t->punched;
    }
  if (start < end)
    count_hole (t, HOLE_DATA, start, end - start);
  t->zero_start = t->zero_end = t->punched = 0;
  return err;
}

int
holes_tally_hole (struct holes_tally *t, off_t offset, off_t length)
{
  int err = close_run (t, true);
  if (err)
    return err;
  if (t->file_start < t->file_end && t->file_end == offset)
    t->file_end += length;
  else
    {
      close_file_hole (t);
      t->file_start = offset;
      t->file_end = offset + length;
    }
  return 0;
}

int
holes_tally_zeros (struct holes_tally *t, off_t offset, off_t length)
{
  close_file_hole (t);
  off_t start = max_off (offset, t->window_start);
  off_t end = min_off (offset + length, t->window_end);
  if (end <= start)
    return close_run (t, true);
  if (t->zero_start == t->zero_end || t->zero_end != start)
    {
      int err = close_run (t, true);
      if (err)
        return err;
      t->zero_start = start;
      t->punched = ceil_block (start, t->block);
    }
  t->zero_end = end;
  off_t ready = floor_block (end, t->block);
  if (t->punch && HOLES_PUNCH_BATCH <= ready - t->punched)
    return punch_to (t, ready);
  return 0;
}

int
holes_tally_data (struct holes_tally *t)
{
  close_file_hole (t);
  int err = close_run (t, true);
  return err ? err : punch_held (t);
}

int
holes_tally_end (struct holes_tally *t, bool complete)
{
  int err = close_run (t, complete);
  close_file_hole (t);
  if (!err && complete)
    err = punch_held (t);
  drop_held (t);
  return err;
}

off_t
holes_tally_settled (struct holes_tally const *t, off_t done)
{
  return (holding (t) ? t->held_start
          : t->zero_start < t->zero_end ? t->punched : done);
}


/* The walk.  */

struct scan
{
  int fd;
  struct space_hooks const *hooks;
  struct holes_stats *stats;
  struct space_outcome *out;
  struct holes_tally tally;
  struct extents const *walk;   /* the map being walked */
  char *buf;                    /* HOLES_CHUNK bytes, or NULL */
  off_t buf_start;              /* BUF holds the BUF_LEN bytes there */
  off_t buf_len;
  off_t asked_end;              /* the reads asked for reach up to here */
  struct cache_window cache;    /* what was cached before it was read */
  /* The data past a long hole, asked for before the walk gets there,
     if AHEAD_START < AHEAD_END; AHEAD notes what was cached there
     before.  */
  struct cache_window ahead;
  off_t ahead_start, ahead_end;
  intmax_t punches;             /* punches done */
  off_t stopped_at;             /* a stop before the punch there, or -1 */
  struct extent const *mask;    /* if not NULL: dig only inside these */
  size_t nmask;
  size_t mask_next;             /* the first of them not behind us */
};

static bool
should_stop (struct scan const *s)
{
  return (s->hooks && s->hooks->should_stop
          && s->hooks->should_stop (s->hooks->arg));
}

/* The tally's punch: stop first if asked to.  */
static int
dig_punch (void *arg, off_t offset, off_t length)
{
  struct scan *s = arg;
  if (should_stop (s))
    {
      s->stopped_at = offset;
      return EINTR;
    }
  int err = space_punch (s->fd, offset, length, s->out);
  s->punches += !err;
  return err;
}

static void
progress (struct scan const *s, off_t pos)
{
  s->stats->done = pos - s->stats->start;
  if (s->hooks && s->hooks->progress)
    s->hooks->progress (s->hooks->arg, s->stats->done,
                        s->stats->end - s->stats->start);
}

/* Tell the tally what the N bytes at POS, held in S->buf at BYTES, are,
   block by block, zero runs in one piece.  */
static int
classify (struct scan *s, off_t pos, size_t n, char const *bytes)
{
  off_t const block = s->tally.block;
  off_t end = pos + (off_t) n;
  off_t zeros = -1;             /* start of the zero blocks in a row */
  int err = 0;
  for (off_t at = pos; !err && at < end; )
    {
      off_t next = min_off (floor_block (at, block) + block, end);
      if (holes_is_zero (bytes + (at - pos), next - at))
        {
          if (zeros < 0)
            zeros = at;
        }
      else
        {
          if (0 <= zeros)
            err = holes_tally_zeros (&s->tally, zeros, at - zeros);
          zeros = -1;
          if (!err)
            err = holes_tally_data (&s->tally);
        }
      at = next;
    }
  if (!err && 0 <= zeros)
    err = holes_tally_zeros (&s->tally, zeros, end - zeros);
  return err;
}

/* Drop from the page cache what reading S->buf, and the reads asked
   for after it, brought in from its start up to UPTO (at least to its
   end), and forget what it holds.  */
static void
release_window (struct scan *s, off_t upto)
{
  if (s->buf_len)
    cache_drop_new (&s->cache, s->buf_start,
                    max_off (s->buf_start + s->buf_len,
                             min_off (upto, s->asked_end)));
  s->buf_len = 0;
}

/* Ask for the data after the hole at FROM, the first HOLES_CHUNK bytes
   of the data extent the map shows next inside the tally's window,
   noting first in S->ahead what of it is cached, so that it comes in
   while the walk gets there (a sparse file: one window per jump).  */
static void
ask_past_hole (struct scan *s, off_t from)
{
  off_t start, end, limit;
  if (!extents_next_data (s->walk, from, &start, &end)
      || s->tally.window_end <= start)
    return;
  if (ckd_add (&limit, start, HOLES_CHUNK))
    limit = OFF_T_MAX;
  end = min_off (min_off (end, limit), s->tally.window_end);
  cache_note (&s->ahead, start, end);
  if (!cache_was_cached (&s->ahead, start, end))
    posix_fadvise (s->fd, start, end - start, POSIX_FADV_WILLNEED);
  s->ahead_start = start;
  s->ahead_end = end;
}

/* Drop what asking for the data past a hole brought into the page
   cache, unless the walk is at POS inside it: then what S->ahead noted
   becomes the notes of the window read there.  */
static void
take_ahead (struct scan *s, off_t pos)
{
  if (s->ahead_end <= s->ahead_start)
    return;
  if (s->ahead_start <= pos && pos < s->ahead_end)
    {
      struct cache_window noted = s->ahead;
      s->ahead = s->cache;
      s->cache = noted;
    }
  else if (pos < s->ahead_start)
    return;
  else
    cache_drop_new (&s->ahead, s->ahead_start, s->ahead_end);
  s->ahead_start = s->ahead_end = 0;
}

/* Read into S->buf the bytes from POS on, where data reaches up to
   END: to END, or, within HOLES_CHUNK bytes, to where the data that
   the map shows next reaches across holes and unwritten extents
   shorter than HOLES_GAP (they cost no I/O and are not counted as
   data; one large read lets readahead work).  Bytes past the end of
   the file leave S->buf short.  Return 0 or an errno value.  */
static int
read_window (struct scan *s, off_t pos, off_t end)
{
  release_window (s, pos);
  take_ahead (s, pos);
  off_t limit;
  if (ckd_add (&limit, pos, HOLES_CHUNK))
    limit = OFF_T_MAX;
  limit = min_off (limit, s->tally.window_end);
  off_t stop = min_off (end, limit);
  if (s->walk && stop < limit && end == s->walk->pos)
    stop = max_off (stop, extents_data_reach (s->walk, pos, limit,
                                              HOLES_GAP));
  /* The data that follows across small holes, the next window's, is
     asked for now too, to come in while this one is tested.  */
  off_t next = stop;
  if (s->walk && end <= stop && end == s->walk->pos)
    {
      off_t next_limit;
      if (ckd_add (&next_limit, stop, HOLES_CHUNK))
        next_limit = OFF_T_MAX;
      next = extents_data_reach (s->walk, stop,
                                 min_off (next_limit, s->tally.window_end),
                                 HOLES_GAP);
    }
  /* No data follows across small holes: ask for what follows the
     long hole after this window.  */
  if (s->walk && next == stop && end == s->walk->pos
      && s->ahead_end <= s->ahead_start)
    ask_past_hole (s, stop);
  /* Readahead may bring in pages past this window: note them too
     before it can.  */
  off_t ahead;
  if (ckd_add (&ahead, next, HOLES_READAHEAD))
    ahead = OFF_T_MAX;
  cache_note (&s->cache, pos, ahead);
  /* Where the data is cached and the holes around it are not, reading
     across them would only bring in pages to drop again, one call for
     each hole: read the data alone.  */
  off_t data_stop = min_off (end, limit);
  if (data_stop < stop && !cache_was_cached (&s->cache, pos, stop)
      && cache_was_cached (&s->cache, pos, data_stop))
    stop = next = data_stop;
  /* Ask for the whole window at once, rather than for one readahead
     window after the other.  */
  if (!cache_was_cached (&s->cache, pos, next))
    posix_fadvise (s->fd, pos, next - pos, POSIX_FADV_WILLNEED);
  ssize_t n;
  do
    n = pread (s->fd, s->buf, stop - pos, pos);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      int err = errno;
      *s->out = (struct space_outcome) { .err = err, .step = STEP_READ };
      return err;
    }
  s->buf_start = pos;
  s->buf_len = n;
  s->asked_end = next;
  return 0;
}

/* Classify the data at [OFFSET, END), reading it window by window.  */
static int
scan_data (struct scan *s, off_t offset, off_t end)
{
  if (!s->buf)
    {
      s->buf = aligned_alloc (4096, HOLES_CHUNK);
      if (!s->buf)
        return ENOMEM;
    }
  for (off_t pos = offset; pos < end; )
    {
      if (pos < s->buf_start || s->buf_start + s->buf_len <= pos)
        {
          int err = read_window (s, pos, end);
          if (err)
            return err;
          /* The file shrank under us: what is gone does not count.  */
          if (!s->buf_len)
            return holes_tally_data (&s->tally);
        }
      off_t stop = min_off (end, s->buf_start + s->buf_len);
      int err = classify (s, pos, stop - pos,
                          s->buf + (pos - s->buf_start));
      if (err)
        return err;
      pos = stop;
      progress (s, pos);
      if (should_stop (s))
        return EINTR;
    }
  return 0;
}

/* Hand segment SEG to the tally, reading it if it is data.  Data outside
   the tally's window cannot count and is not read.  */
static int
scan_segment (struct scan *s, struct extent const *seg)
{
  off_t end = seg->offset + seg->length;
  switch (seg->kind)
    {
    case EXTENT_HOLE:
      return holes_tally_hole (&s->tally, seg->offset, seg->length);
    case EXTENT_UNWRITTEN:
      return holes_tally_zeros (&s->tally, seg->offset, seg->length);
    case EXTENT_DATA:
    default:
      {
        off_t start = max_off (seg->offset, s->tally.window_start);
        off_t stop = min_off (end, s->tally.window_end);
        int err = 0;
        if (seg->offset < start || stop <= start)
          err = holes_tally_data (&s->tally);
        if (!err && start < stop)
          err = scan_data (s, start, stop);
        if (!err && stop < end)
          err = holes_tally_data (&s->tally);
        return err;
      }
    }
}

/* Hand segment SEG to the tally, digging only inside S's mask: the rest
   of it counts as data that is neither read nor punched.  */
static int
scan_masked (struct scan *s, struct extent const *seg)
{
  off_t pos = seg->offset, end = seg->offset + seg->length;
  int err = 0;
  while (!err && pos < end)
    {
      while (s->mask_next < s->nmask
             && (s->mask[s->mask_next].offset + s->mask[s->mask_next].length
                 <= pos))
        s->mask_next++;
      struct extent const *m = (s->mask_next < s->nmask
                                ? &s->mask[s->mask_next] : NULL);
      if (!m || pos < m->offset)
        {
          err = holes_tally_data (&s->tally);
          pos = m ? min_off (end, m->offset) : end;
          continue;
        }
      off_t stop = min_off (end, m->offset + m->length);
      struct extent piece = { .offset = pos, .length = stop - pos,
                              .kind = seg->kind };
      err = scan_segment (s, &piece);
      pos = stop;
    }
  return err;
}

/* Make sure that FD's filesystem can punch holes, before anything is
   read: punch a block beyond the end of the file (SIZE), as far out as
   the filesystem accepts offsets, where no file has blocks (ext4 even
   ignores punches past the end of file).  Too far out is EFBIG.  Return
   0 if the punch worked or proved nothing, else its errno value.  */
static int
probe_punch (int fd, off_t size, off_t block, struct space_outcome *out)
{
  for (int shift = TYPE_WIDTH (off_t) - 2; 30 <= shift; shift--)
    {
      off_t at = floor_block (((off_t) 1 << shift) - 2 * block, block);
      if (at < size)
        break;
      int err = space_punch (fd, at, block, out);
      switch (err)
        {
        case 0:
          return 0;
        case EOPNOTSUPP:
        case ENOSYS:
        case EPERM:
        case EBADF:
        case ETXTBSY:
        case EROFS:
          return err;
        default:
          break;
        }
    }
  *out = (struct space_outcome) { 0 };
  return 0;
}

/* Walk S's range up to END, which the tally knows.  */
static int
walk_range (struct scan *s, off_t end)
{
  struct extents walk;
  int err = extents_open (&walk, s->fd, s->stats->start, end);
  if (err)
    {
      *s->out = (struct space_outcome) { .err = err, .step = STEP_MAP };
      return err;
    }
  s->stats->method = walk.method;
  /* S keeps the walk only while this call runs: it is set back to NULL
     before the return, which cppcheck does not see.  */
  /* cppcheck-suppress autoVariables */
  s->walk = &walk;
  posix_fadvise (s->fd, s->stats->start, end - s->stats->start,
                 POSIX_FADV_SEQUENTIAL);
  for (;;)
    {
      struct extent seg;
      err = extents_next (&walk, &seg);
      if (err)
        {
          *s->out = (struct space_outcome) { .err = err, .step = STEP_MAP };
          break;
        }
      if (!seg.length)
        break;
      err = s->mask ? scan_masked (s, &seg) : scan_segment (s, &seg);
      if (err)
        break;
      progress (s, seg.offset + seg.length);
      if (should_stop (s))
        {
          err = EINTR;
          break;
        }
    }
  release_window (s, OFF_T_MAX);
  take_ahead (s, OFF_T_MAX);
  s->walk = NULL;
  extents_close (&walk);

  /* Stopped: all before the punch that was not done, or else before the
     runs of zeros held or left unpunched, is dug; nothing after.  The
     progress made so far may lag behind the first (it is counted after
     each chunk read) or run ahead of the second.  */
  if (err && s->tally.punch)
    {
      off_t settled = (0 <= s->stopped_at ? s->stopped_at
                       : holes_tally_settled (&s->tally,
                                              s->stats->start
                                              + s->stats->done));
      s->stats->done = max_off (settled - s->stats->start, 0);
    }
  int end_err = holes_tally_end (&s->tally, !err);
  return err ? err : end_err;
}

/* Whether timestamps A and B are the same.  */
static bool
same_time (struct timespec a, struct timespec b)
{
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* The body of holes_scan and holes_dig_within: walk [OFFSET, OFFSET +
   LENGTH) of FD (LENGTH 0: to the end of the file), digging if DIG, and
   then only inside MASK (N extents) if MASK is not NULL, probing first
   whether the filesystem can punch if PROBE.  */
static int
scan_file (int fd, off_t offset, off_t length, bool dig, bool probe,
           struct extent const *mask, size_t n,
           holes_found found, void *found_arg,
           struct space_hooks const *hooks,
           struct holes_stats *stats, struct space_outcome *out)
{
  *stats = (struct holes_stats) { 0 };
  *out = (struct space_outcome) { 0 };

  struct stat st;
  int err = fstat (fd, &st) != 0 ? errno : fsinfo_get (fd, &stats->fs);
  if (err)
    {
      *out = (struct space_outcome) { .err = err, .step = STEP_STAT };
      return err;
    }
  off_t block = (0 < stats->fs.block_size ? stats->fs.block_size
                 : 0 < st.st_blksize ? st.st_blksize : 4096);
  off_t end;
  if (!length || ckd_add (&end, offset, length) || st.st_size < end)
    end = st.st_size;
  stats->file_size = st.st_size;
  stats->start = min_off (offset, end);
  stats->end = end;

  if (dig && hooks && hooks->guard && (err = hooks->guard (hooks->arg)))
    {
      *out = (struct space_outcome) { .err = err, .step = STEP_GUARD };
      return err;
    }

  struct scan s = { .fd = fd, .hooks = hooks, .stats = stats, .out = out,
                    .stopped_at = -1, .mask = mask, .nmask = n };
  if (cache_window_init (&s.cache, fd, HOLES_NOTED) != 0
      || cache_window_init (&s.ahead, fd, HOLES_NOTED) != 0)
    {
      cache_window_free (&s.cache);
      *out = (struct space_outcome) { .err = ENOMEM, .step = STEP_READ };
      return ENOMEM;
    }
  holes_tally_init (&s.tally, stats->start, end, st.st_size, block,
                    found, found_arg, stats, dig ? dig_punch : NULL, &s);
  /* Punching across the file holes between runs of zeros would punch
     what a writer had just written there (--force, or no lease to be
     had): merge the punches only where the writers are kept out (the
     guard is taken by now); should_stop then stops the dig before the
     next punch, merged or not, once a writer comes.  */
  s.tally.merge = (dig && !found && hooks && hooks->writers_out
                   && hooks->writers_out (hooks->arg));
  err = dig && probe ? probe_punch (fd, st.st_size, block, out) : 0;
  struct stat probed = st;
  if (dig && probe && fstat (fd, &probed) != 0)
    probed = st;
  if (!err)
    err = walk_range (&s, end);
  free (s.buf);
  cache_window_free (&s.cache);
  cache_window_free (&s.ahead);
  if (err && (err == EINTR || !out->err))
    *out = (struct space_outcome) { .err = err, .step = STEP_NONE };

  /* Nothing punched: undo what the probe did to the modification time,
     unless someone else has changed the file since.  */
  struct stat now;
  if (!s.punches && !same_time (st.st_mtim, probed.st_mtim)
      && fstat (fd, &now) == 0 && same_time (now.st_mtim, probed.st_mtim))
    futimens (fd, (struct timespec[]) { { .tv_nsec = UTIME_OMIT },
                                        st.st_mtim });
  return err;
}

int
holes_scan (int fd, off_t offset, off_t length, bool dig,
            holes_found found, void *found_arg,
            struct space_hooks const *hooks,
            struct holes_stats *stats, struct space_outcome *out)
{
  return scan_file (fd, offset, length, dig, true, NULL, 0, found,
                    found_arg, hooks, stats, out);
}

int
holes_dig_within (int fd, struct extent const *ranges, size_t n, off_t end,
                  struct holes_stats *stats, struct space_outcome *out)
{
  off_t start = n ? ranges[0].offset : 0;
  off_t last = n ? ranges[n - 1].offset + ranges[n - 1].length : 0;
  if (end < last)
    last = end;
  if (last <= start)
    {
      *stats = (struct holes_stats) { 0 };
      *out = (struct space_outcome) { 0 };
      return 0;
    }
  off_t length = last - start;
  return scan_file (fd, start, length, true, false, ranges, n, NULL, NULL,
                    NULL, stats, out);
}
