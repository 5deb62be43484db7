// `sdsim graph`: writes a model's stock-and-flow structure as Graphviz DOT
// (sim::write_dot, library sim::report).
#include <iostream>
#include <sstream>

#include "common.hpp"
#include "sim/graph.hpp"
#include "sim/write.hpp"

namespace sdsim {

namespace {

constexpr const char* graph_help =
    "Usage: sdsim graph FILE [--levels stocks|aux|all] [--vars a,b,...] [--out PATH]\n"
    "\n"
    "Writes the stock-and-flow structure of FILE (a model or a scenario) as a\n"
    "Graphviz DOT graph: stocks as boxes, flows as rounded boxes on pipes between\n"
    "stocks and clouds, auxiliaries and constants as ellipses, levers as orange\n"
    "octagons, and an arrow from each variable an equation names to the variable\n"
    "it defines (dashed: a stock's initial value). Render it with Graphviz, e.g.\n"
    "'dot -Tsvg model.dot -o model.svg'. The model is compiled first; a model\n"
    "with errors is reported as by 'sdsim check' and nothing is written.\n"
    "\n"
    "Options:\n"
    "  --levels L       what to show (default all):\n"
    "                   stocks  stocks, flows and levers; an arrow to a flow\n"
    "                           stands for a path through auxiliaries\n"
    "                   aux     also auxiliaries and the levers' costs\n"
    "                   all     also constants and graphical functions\n"
    "  --vars a,b,...   show only these variables and levers (repeatable); an\n"
    "                   arrow stands for a path through what is not shown, a\n"
    "                   stock's through its flows: a causal-loop view\n"
    "  --out PATH, -o PATH\n"
    "                   write to PATH (replaced atomically) instead of standard\n"
    "                   output\n"
    "  -h, --help       show this help\n"
    "\n"
    SDSIM_LIMITS_HELP
    "\n"
    "Exit status: 0 success, 1 model error or output not written, 2 usage error.\n";

class Graph : public Command {
public:
    explicit Graph(CLI::App& parent) : Command(parent, "graph", graph_help) {
        // A repeated option takes its last value, except --vars, which adds up (as in `run`).
        for (auto* opt : {app->add_option("--levels", levels_), app->add_option("--out,-o", out_)})
            opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)->allow_extra_args(false);
        app->add_option("--vars", vars_)->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)->allow_extra_args(false);
    }

    void check_options() override {
        limits = limit_options.limits();
        sim::GraphOptions& o = o_;
        if (app->count("--levels")) {
            auto l = sim::parse_graph_levels(levels_);
            if (!l) throw UsageError("unknown --levels '" + levels_ + "' (expected stocks, aux or all)");
            o.levels = *l;
        }
        for (const auto& v : vars_)
            for (auto& name : split_list("--vars", v, "empty variable name in --vars '" + v + "'"))
                o.only.push_back(std::move(name));
        if (app->count("--out") && out_.empty()) throw UsageError("--out expects a path");
        file_ = finish_parse();
    }

    int execute() override {
        const sim::GraphOptions& o = o_;
        sim::Diagnostics diags;
        Loaded l = load(file_, diags, limits);
        // Compile to report every error in the model, as `check` and `run` do.
        if (!diags.has_errors()) {
            const auto compiled = sim::Model::compile(l.spec, diags);
            (void)compiled;
        }
        if (diags.has_errors()) {
            print_diagnostics(diags, std::cerr);
            return exit_model;
        }
        print_diagnostics(diags, std::cerr);  // warnings
        // An output that would replace an input, or a read-only file, is refused.
        if (!out_.empty()) sim::check_output_file(out_, l.inputs);
        // The whole graph first: an unknown --vars name leaves nothing written.
        std::ostringstream graph;
        sim::write_dot(l.spec, graph, o);
        if (!out_.empty()) {
            sim::write_file_atomic(out_, [&](std::ostream& os) { os << graph.str(); });
            return exit_ok;
        }
        std::cout << graph.str();
        return stdout_status();
    }

private:
    std::string levels_;
    std::vector<std::string> vars_;
    std::string out_;
    // What check_options made of them.
    sim::GraphOptions o_;
    std::string file_;
};

}  // namespace

std::unique_ptr<Command> make_graph(CLI::App& app) { return std::make_unique<Graph>(app); }

}  // namespace sdsim
