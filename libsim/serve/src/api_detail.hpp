// The dashboard's JSON API, shared between its three files (private to
// libsim/serve/src/): the Dashboard's state and what the handlers use of the
// request reader and of the model description.
//   api.cpp          the handlers (/api/run, /api/compare, /api/bands,
//                    /api/model's reply) and the replies they make;
//   api_request.cpp  a request body read and checked: lever settings and
//                    `set` as overrides, `vars`, and the plan of its run;
//   api_model.cpp    the model loaded and compiled, and /api/model's answer.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "json.hpp"
#include "sim/compare.hpp"
#include "sim/model.hpp"
#include "sim/overrides.hpp"
#include "sim/scenario.hpp"
#include "sim/serve.hpp"

namespace sim::serve {

struct Dashboard::State {
    Options opt;
    std::string file;
    ModelSpec spec;  // the base: the model with the scenario applied
    ModelSpec skeleton;  // what apply_overrides reads of `spec`, for checking requests cheaply
    std::optional<Scenario> scenario;  // (its `model` moved into `spec`)
    RunOptions run;  // the scenario's `save:`, and the budgets
    std::optional<Model> model;
    std::vector<Indicator> indicators;
    std::vector<double> report_at;
    std::string cost;
    std::set<std::string> settable;  // canonical names RunOptions::set accepts on `model`
    std::vector<std::string> names;   // the model's variables (display names), for "did you mean"
    std::unordered_map<std::string, const Variable*> by_name;  // canonical name -> the compiled spec's variable
    std::size_t rows = 0;             // saved rows of every run
    std::size_t all_columns = 0;      // variables a run saves by default
    std::string model_json;           // the answer of /api/model, made once
};

namespace detail {

using json::Kind;
using json::Value;
using State = Dashboard::State;

// ------------------------------------------------------------------ requests (api_request.cpp)

// A request body read into lever settings and overrides, with positions.
struct Request {
    json::Source src;
    Value root;
    std::vector<Override> overrides;
    // Levers whose start the request gives or that it switches on, by
    // index: checked against the run as a scenario's are, at the given start
    // if there is one, else where the lever was switched on.
    struct Start {
        SourceLoc at;
        bool given = false;
    };
    std::map<std::size_t, Start> starts;
    void note_start(std::size_t lever, const SourceLoc& at, bool given) {
        Start& s = starts[lever];
        if (given || !s.given) s.at = at;
        s.given = s.given || given;
    }
    std::vector<std::string> vars;
    bool has_vars = false;
};

class Reader {
public:
    Reader(const State& s, Request& r, Diagnostics& d) : s_(s), r_(r), d_(d) {}

    SourceLoc at(const Value& v) const { return r_.src.at(v.offset); }
    SourceLoc at(const json::Member& m) const { return r_.src.at(m.key_offset); }

    bool type(const Value& v, Kind k, const std::string& what, const std::string& variable = {});
    void keys(const Value& obj, std::initializer_list<std::string_view> allowed, const std::string& where,
              const std::string& variable = {});
    // The request's `levers` and `set`, as overrides in the order written.
    void settings();
    bool at_most(const Value& v, std::size_t n, const std::string& what, const std::string& of);
    void vars();
    // A list of names (levers to compare, indicators), or nullopt if absent or bad.
    std::optional<std::vector<std::pair<std::string, const Value*>>> names(const char* key);
    std::optional<double> number(const char* key, const std::string& what);

private:
    const Lever* find_lever(const std::string& name, std::size_t& index) const;
    void setting(const Lever& l, std::string_view suffix, const json::Member& key, const Value& v, double x);
    void levers(const Value& v);
    void set(const Value& v);

    const State& s_;
    Request& r_;
    Diagnostics& d_;
};

// Parses the body; nullopt (with diagnostics) unless it is a JSON object.
std::optional<Request> parse_request(std::string_view body, const State& s, Diagnostics& diags);

// What a request runs: the base model with RunOptions::set, or a model
// compiled from the overridden spec.
struct Plan {
    std::optional<Model> compiled;
    RunOptions run;
    const Model& model(const State& s) const { return compiled ? *compiled : *s.model; }
};

// The request's overrides applied and checked, and the route chosen;
// nullopt if there is any error (api_request.cpp).
std::optional<Plan> plan(const State& s, const Request& r, Diagnostics& diags);

// ------------------------------------------------------------------ /api/model (api_model.cpp)

// A variable's name, kind, units, doc and display metadata as members of
// the object being written (an array element is described by its array).
void put_variable_info(json::Writer& w, const State& s, const std::string& name);

}  // namespace detail
}  // namespace sim::serve
