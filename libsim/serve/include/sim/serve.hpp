// The policy dashboard behind `sdsim serve` (docs/serve.md): a JSON API over
// one loaded model or scenario, and the HTTP server (cpp-httplib) that
// answers it and serves the page, whose assets are built into the library.
//
//   sim::serve::Dashboard d("models/chongqing/scenarios/baseline.yaml");
//   sim::serve::Reply r = d.run(R"({"levers": {"land": true}, "vars": ["rural_income"]})");
//   // r.status == 200, r.body == {"time":[2013,...],"variables":{"rural_income":[...]}}
//
//   sim::serve::Server s(d);
//   int port = s.bind();   // options().port 0: any free port
//   s.listen();            // until s.stop() from another thread
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace sim::serve {

struct Options {
    std::string host = "127.0.0.1";
    int port = 8080;  // 0: any free port
    // Bounds on what one request may spend (docs/serve.md, "Limits").
    std::size_t max_body_bytes = std::size_t{1} << 20;
    unsigned max_concurrent = 0;           // requests computing at once; 0 = hardware threads; others get 503
    std::uint64_t max_steps = 10'000'000;  // per run (RunOptions::max_steps)
    double max_seconds = 10;               // per run, wall clock (RunOptions::max_wall_seconds)
    std::size_t max_cells = 5'000'000;     // saved rows x saved variables of one answer
    std::size_t max_compare_levers = 10;   // 2^10 = 1,024 runs
    std::size_t max_samples = 1000;        // runs of one /api/bands request
};

// An HTTP answer: status, media type and body.
struct Reply {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
};

// The API: a model or scenario loaded and compiled once; every method is a
// pure function of its request (const, safe to call from several threads).
class Dashboard {
public:
    // Loads FILE (a model, or a scenario: a YAML file with `model:` or
    // `extends:`) and compiles it. Throws sim::Error with the diagnostics.
    explicit Dashboard(const std::string& file, Options options = {});
    ~Dashboard();
    Dashboard(const Dashboard&) = delete;
    Dashboard& operator=(const Dashboard&) = delete;

    const Options& options() const;
    // "scenario NAME (model NAME)" or the model's name, for the banner.
    std::string title() const;

    Reply model() const;                       // GET /api/model
    Reply run(std::string_view body) const;    // POST /api/run
    Reply compare(std::string_view body) const;  // POST /api/compare
    Reply bands(std::string_view body) const;  // POST /api/bands

    struct State;

private:
    std::unique_ptr<State> s_;
};

// At most `n` holders at once; try_acquire never waits.
class Slots {
public:
    explicit Slots(unsigned n) : free_(n) {}
    bool try_acquire();
    void release();

private:
    std::mutex m_;
    unsigned free_;
};

// The HTTP server: GET / (the page), its assets, GET /api/model,
// POST /api/run, /api/compare, /api/bands. Bodies over max_body_bytes get
// 413, a request when every slot is taken 503, bad input 400, each with a
// JSON error ({"error": {...}, "diagnostics": [...]}).
class Server {
public:
    explicit Server(const Dashboard& d);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds options().host:options().port (port 0: a free port chosen by the
    // system); returns the port. Throws sim::Error (E-IO) if it cannot.
    int bind();
    // Serves until stop(); returns false if the server failed.
    bool listen();
    // Stops listen() from any thread; requests being answered finish first.
    void stop();
    Slots& slots();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// `sdsim serve`: binds, prints "http://HOST:PORT/" and a newline to `out`,
// serves until SIGINT or SIGTERM, then stops cleanly and returns 0. Notes
// (what is served, how to stop) go to `log`. Throws sim::Error if it
// cannot bind.
int serve(const Dashboard& d, std::ostream& out, std::ostream& log);

// The page's files, built into the library from libsim/serve/web/.
struct Asset {
    std::string_view path;          // "/", "/app.js", ...
    std::string_view content_type;  // "text/html; charset=utf-8", ...
    std::string_view body;
};
const Asset* find_asset(std::string_view path);

}  // namespace sim::serve
