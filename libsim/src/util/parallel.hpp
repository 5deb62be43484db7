// The one worker pool of libsim's experiments: runs body(0..n-1) on a fixed
// number of threads. Determinism is the caller's part: each index writes
// only its own slot, and reductions across indices happen afterwards, in
// index order, so that results do not depend on the thread count.
#pragma once

#include <cstddef>
#include <functional>

namespace sim::detail {

// Calls body(i) for every i in [0, n), on `threads` threads (0 = the
// hardware concurrency; never more than n). Indices are handed out in
// increasing order. After each finished call, progress(done, n) runs (if
// set) under a lock, so never two at a time, with `done` from 1 to n. The
// first exception thrown by a body stops the hand-out of further indices and
// is rethrown here once every thread has stopped.
void parallel_for(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& body,
                  const std::function<void(std::size_t done, std::size_t total)>& progress = {});

// The thread count parallel_for uses for `threads` and n items.
unsigned worker_count(unsigned threads, std::size_t n);

}  // namespace sim::detail
