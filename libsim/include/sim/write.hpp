// Atomic file output: a file is written whole or not at all.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>

namespace sim {

// Writes `path` through `writer` so that readers only ever see the old file or
// the complete new one: the data goes to a temporary file in the same
// directory (same file system, so the rename is atomic; an unnamed O_TMPFILE
// file where supported, so that even a killed process leaves nothing), which
// is flushed, fsync'ed and renamed over `path`. A new file gets mode 0666 & ~umask; an
// existing file keeps its mode.
//
// On any failure (cannot create the temporary, write or fsync error, the
// stream left in a failed state, rename error, or `writer` throwing) the
// temporary is removed and an existing `path` is left untouched. Failures are
// reported by throwing sim::Error (code E-IO) whose message names the path
// and the errno text, e.g. "cannot write 'out/r.csv': No space left on
// device", and whose os_error() is the errno; an exception thrown by
// `writer` is rethrown as is.
//
// A symbolic link is followed (its target is replaced, the link stays). An
// existing path that is not a regular file (a device, FIFO or socket, e.g.
// /dev/stdout) is written in place: it cannot be renamed over without
// destroying it, so there the output is not atomic.
//
//   sim::write_file_atomic("run.csv", [&](std::ostream& os) { sim::write_csv(r, os); });
//
// POSIX only (open O_EXCL, fsync, rename).
void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& writer);

}  // namespace sim
