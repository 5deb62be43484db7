// `sdsim serve`: the interactive policy dashboard in the browser
// (docs/serve.md). The page, the JSON API and the HTTP server are in
// libsim/serve (sim::serve); this file reads the options.
#include <cmath>
#include <iostream>

#include "common.hpp"
#include "sim/serve.hpp"

namespace sdsim {

namespace {

constexpr const char* serve_help =
    "Usage: sdsim serve FILE [options]\n"
    "\n"
    "Serves an interactive dashboard of FILE (a model or a scenario) in the\n"
    "browser: one panel per lever, the indicators over time against the\n"
    "baseline, the factorial table of every lever combination, uncertainty\n"
    "bands when the model declares uncertainties. Prints the address\n"
    "(http://HOST:PORT/) on standard output and serves until Ctrl-C (SIGINT)\n"
    "or SIGTERM. The page and its JSON API (GET /api/model, POST /api/run,\n"
    "/api/compare, /api/bands) are described in docs/serve.md.\n"
    "\n"
    "Options:\n"
    "  --port P           TCP port (default 8080; 0 = any free port)\n"
    "  --host H           address to listen on (default 127.0.0.1, this machine\n"
    "                     only; 0.0.0.0 opens the dashboard to the network)\n"
    "  --max-concurrent N requests computing at once (default: one per core);\n"
    "                     others are answered 503\n"
    "  --max-steps N      refuse a run needing more than N steps (default 1e7)\n"
    "  --max-seconds S    stop a run after S seconds of wall-clock time\n"
    "                     (default 10)\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit status: 0 after SIGINT or SIGTERM, 1 model error or a port that\n"
    "cannot be used, 2 usage error.\n";

class Serve : public Command {
public:
    explicit Serve(CLI::App& parent) : Command(parent, "serve", serve_help) {
        for (auto* o : {app->add_option("--port", port_), app->add_option("--host", host_),
                        app->add_option("--max-concurrent", concurrent_), app->add_option("--max-steps", max_steps_),
                        app->add_option("--max-seconds", max_seconds_)})
            o->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)->allow_extra_args(false);
    }

    int execute() override {
        sim::serve::Options o;
        if (app->count("--port")) o.port = whole("--port", port_, 0, 65535);
        if (app->count("--host")) {
            if (host_.empty()) throw UsageError("--host expects an address, e.g. 127.0.0.1");
            o.host = host_;
        }
        if (app->count("--max-concurrent")) o.max_concurrent = static_cast<unsigned>(whole("--max-concurrent", concurrent_, 1, 1024));
        if (app->count("--max-steps")) {
            const double n = number("--max-steps", max_steps_);
            if (n < 1 || n != std::floor(n) || n > 9.0e18)
                throw UsageError("--max-steps expects a positive whole number, got '" + max_steps_ + "'");
            o.max_steps = static_cast<std::uint64_t>(n);
        }
        if (app->count("--max-seconds")) {
            const double t = number("--max-seconds", max_seconds_);
            if (!(t > 0)) throw UsageError("--max-seconds expects a positive number, got '" + max_seconds_ + "'");
            o.max_seconds = t;
        }
        const std::string file = finish_parse();
        sim::serve::Dashboard d(file, o);  // throws sim::Error with the model's diagnostics
        return sim::serve::serve(d, std::cout, std::cerr);
    }

private:
    static long whole(const std::string& opt, const std::string& s, long lo, long hi) {
        const double x = number(opt, s);
        if (x < static_cast<double>(lo) || x > static_cast<double>(hi) || x != std::floor(x))
            throw UsageError(opt + " expects a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                             ", got '" + s + "'");
        return static_cast<long>(x);
    }

    std::string port_, host_, concurrent_, max_steps_, max_seconds_;
};

}  // namespace

std::unique_ptr<Command> make_serve(CLI::App& app) { return std::make_unique<Serve>(app); }

}  // namespace sdsim
