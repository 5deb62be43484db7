// The dashboard's API on Chongqing (models/chongqing/scenarios/baseline.yaml),
// side by side in one run:
//   BM_model_run       one Model::run of the compiled model (the floor);
//   BM_api_direct      Dashboard::run of a slider's request (JSON in, JSON
//                      out, no HTTP): parse, apply_overrides, run, write;
//   BM_api_http        the same request over HTTP to a server on a free port
//                      of 127.0.0.1 (cpp-httplib, one keep-alive client):
//                      what the page waits for. Counters p50_ms, p95_ms,
//                      max_ms over every request timed (target: p95 < 5 ms);
//   BM_api_compile     a request that needs a compile (a constant given as an
//                      expression), for the cost of the slow route.
// Requests alternate between lever settings, as a slider drag does.
//
// Before timing, main() checks that the API's answer equals the library's
// own run of the same settings (exits 1 if not). The browser's figure (a
// slider move to the redrawn chart) is measured by bench/dashboard_redraw.py.
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.hpp"
#include "sim/sim.hpp"
#include "sim/serve.hpp"

namespace {

const std::string scenario = std::string(SIM_SOURCE_DIR) + "/models/chongqing/scenarios/baseline.yaml";

// The page's request after a slider move: one lever on at an intensity, the
// charted indicators.
std::string request(int k) {
    static const char* levers[] = {"planning", "land", "infrastructure", "registration", "innovation"};
    const double intensity = 0.5 + 0.05 * (k % 10);
    std::ostringstream s;
    s << R"({"levers": {")" << levers[k % 5] << R"(": {"on": true, "intensity": )" << intensity
      << R"(}}, "vars": ["rural_income", "urban_income", "income_ratio", "total_household_consumption", )"
      << R"("urbanization_rate", "non_citizenized_migrants"]})";
    return s.str();
}

sim::serve::Dashboard& dashboard() {
    static sim::serve::Dashboard d(scenario, [] {
        sim::serve::Options o;
        o.port = 0;
        return o;
    }());
    return d;
}

struct Running {
    sim::serve::Server server{dashboard()};
    int port = server.bind();
    std::thread thread{[this] { server.listen(); }};
    ~Running() {
        server.stop();
        thread.join();
    }
};

Running& running() {
    static Running r;
    return r;
}

void BM_model_run(benchmark::State& state) {
    sim::Scenario sc = sim::try_load_scenario(scenario).value();
    const sim::Model m = sim::Model::compile(sc.model);
    sim::RunOptions o = sc.run;
    o.save = {"rural_income", "urban_income", "income_ratio", "total_household_consumption", "urbanization_rate",
              "non_citizenized_migrants"};
    int k = 0;
    for (auto _ : state) {
        o.set = {{"land_on", 1}, {"land_intensity", 0.5 + 0.05 * (k++ % 10)}};
        benchmark::DoNotOptimize(m.run(o));
    }
}
BENCHMARK(BM_model_run)->Unit(benchmark::kMillisecond);

void BM_api_direct(benchmark::State& state) {
    auto& d = dashboard();
    int k = 0;
    for (auto _ : state) {
        auto r = d.run(request(k++));
        if (r.status != 200) state.SkipWithError(r.body.c_str());
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_api_direct)->Unit(benchmark::kMillisecond);

void BM_api_http(benchmark::State& state) {
    auto& s = running();
    httplib::Client c("127.0.0.1", s.port);
    c.set_keep_alive(true);
    c.set_tcp_nodelay(true);  // as browsers do: no Nagle delay between headers and body
    std::vector<double> ms;
    int k = 0;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        auto r = c.Post("/api/run", request(k++), "application/json");
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        if (!r || r->status != 200) {
            state.SkipWithError("request failed");
            break;
        }
    }
    if (ms.empty()) return;
    std::sort(ms.begin(), ms.end());
    auto pct = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * (ms.size() - 1) + 0.5))]; };
    state.counters["p50_ms"] = pct(0.5);
    state.counters["p95_ms"] = pct(0.95);
    state.counters["max_ms"] = ms.back();
    state.counters["requests"] = static_cast<double>(ms.size());
}
BENCHMARK(BM_api_http)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_api_compile(benchmark::State& state) {
    auto& d = dashboard();
    for (auto _ : state) {
        auto r = d.run(R"({"set": {"habit_time": "2 * 1.25"}, "vars": ["rural_income"]})");
        if (r.status != 200) state.SkipWithError(r.body.c_str());
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_api_compile)->Unit(benchmark::kMillisecond);

// The API's numbers are the library's: same settings, same CSV bytes.
int check() {
    const auto r = dashboard().run(R"({"levers": {"land": {"on": true, "intensity": 0.7}}, "format": "csv"})");
    sim::Scenario sc = sim::try_load_scenario(scenario).value();
    sc.model.levers[1].on = true;
    sc.model.levers[1].intensity = 0.7;
    std::ostringstream want;
    sim::write_csv(sim::Model::compile(sc.model).run(sc.run), want);
    if (sc.model.levers[1].name != "land" || r.status != 200 || r.body != want.str()) {
        std::fprintf(stderr, "bench_serve: the API's answer differs from the library's run\n");
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return bench::run_checked(argc, argv, "bench_serve", check); }
