/*  journal: DATA/config.journal, the broker's write-ahead log of saves.
    Owns the open file, its size, and the one durable write that makes a
    save durable before the broker acknowledges or publishes it: a direct
    write (O_DIRECT | O_DSYNC) of the blocks that hold the new records,
    which are kept in memory until then, so the data and the device's
    flush go in one call, without the page cache; or, on a file system
    that refuses O_DIRECT, a buffered write and fdatasync.
    A record is one line of JSON text; appended records are flushed
    together (group commit: several appends, one journal_sync). A record
    whose line was cut by a crash (no final newline) was never flushed
    with success, so it is ignored when the journal is read. The owner
    empties the journal (journal_reset) once what it holds is durable
    elsewhere (store.c: config.json written with fsync).
    The file is kept zero-filled beyond its records, to a multiple of
    JOURNAL_CHUNK, its zeros made durable when it is opened: a record is
    written in place over zeros, so its flush changes neither the file's
    size nor its block map (ext4 without a journal still writes the
    inode's block on every flush). The records end at the first zero byte;
    an empty journal is zeros, not an empty file. Every flush's time is
    counted in a histogram, for the broker's metrics: it tells a slow disk
    from a slow broker. A direct write rewrites the last durable block with
    the same bytes, then the new records, then zeros to the block's end.
    Single-threaded. */
#ifndef DDC_JOURNAL_H
#define DDC_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "ddc_metrics.h"

#define JOURNAL_FILE_MAX (96 * 1024 * 1024) //  read at start, at most
#define JOURNAL_CHUNK (1024 * 1024)         //  the file grows by this much

typedef struct journal_t journal_t;

//  Open (create 0600) the journal at path, zero-filled to a multiple of
//  JOURNAL_CHUNK and flushed (file and folder) when it is not yet. direct:
//  records are written with O_DIRECT | O_DSYNC where the file system
//  takes it (journal_direct says whether it did). NULL with a reason in
//  err.
journal_t *journal_new (const char *path, bool direct, char *err, size_t errlen);
void journal_destroy (journal_t **self_p);

//  Append one record (JSON text without a newline) and its newline; not
//  yet durable. 0, or -1 (errno) with the file as it was.
int journal_append (journal_t *self, const char *record);
//  Make every appended record durable (one direct write, or one
//  fdatasync). 0, or -1 (errno): the records appended since the last sync
//  are taken out again.
int journal_sync (journal_t *self);
//  The records appended since the last sync are taken out (a failed save).
void journal_undo (journal_t *self);

//  Each whole record in the file, in order: fn returns 0 to go on, -1 to
//  stop. Returns the number of records given, or -1 with err when the file
//  cannot be read. *torn is set when a cut last line was left out.
typedef int (journal_fn) (void *arg, const char *record, size_t len);
int journal_read (journal_t *self, journal_fn *fn, void *arg, bool *torn, char *err, size_t errlen);

//  Empty the journal durably (zeros over its records, one flush). 0, or -1
//  (errno).
int journal_reset (journal_t *self);

size_t journal_bytes (journal_t *self); //  durable and pending
int journal_records (journal_t *self);  //  since the last reset
const char *journal_path (journal_t *self);
//  Whether records go to the disk with direct writes (else fdatasync).
bool journal_direct (const journal_t *self);
//  The family ddc_broker_journal_flush_seconds (histogram): every flush's
//  time since the start (a save's direct write or fdatasync, a reset's).
void journal_report (const journal_t *self, ddc_metrics_t *m);

#endif
