// Worker pool for experiments (see parallel.hpp).
#include "util/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace sim::detail {

unsigned worker_count(unsigned threads, std::size_t n) {
    unsigned t = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
    return static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(t, n)));
}

void parallel_for(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& body,
                  const std::function<void(std::size_t, std::size_t)>& progress) {
    if (n == 0) return;
    const unsigned n_threads = worker_count(threads, n);
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop_all{false};
    std::mutex mu;  // guards `done`, `first_error` and the progress callback
    std::size_t done = 0;
    std::exception_ptr first_error;
    auto worker = [&] {
        for (;;) {
            if (stop_all.load()) return;
            const std::size_t i = next.fetch_add(1);
            if (i >= n) return;
            try {
                body(i);
            } catch (...) {
                std::lock_guard<std::mutex> g(mu);
                if (!first_error) first_error = std::current_exception();
                stop_all = true;
                return;
            }
            if (progress) {
                std::lock_guard<std::mutex> g(mu);
                ++done;
                progress(done, n);
            }
        }
    };
    if (n_threads <= 1) {
        worker();
    } else {
        std::vector<std::jthread> pool;
        pool.reserve(n_threads);
        for (unsigned t = 0; t < n_threads; ++t) pool.emplace_back(worker);
    }  // jthreads join here
    if (first_error) std::rethrow_exception(first_error);
}

}  // namespace sim::detail
