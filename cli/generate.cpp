// `sdsim generate`: writes a model's generated C++ (sim/generate.hpp), a
// header and a source to compile into a program (docs/generated.md).
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common.hpp"
#include "sim/generate.hpp"
#include "sim/input.hpp"
#include "sim/load.hpp"
#include "sim/scenario.hpp"
#include "sim/write.hpp"

namespace sdsim {

namespace {

constexpr const char* generate_help =
    "Usage: sdsim generate FILE --cpp OUTDIR [--name NAME] [--namespace NS]\n"
    "\n"
    "Writes FILE's model (not a scenario) as C++ compiled ahead of time:\n"
    "OUTDIR/NAME.hpp and OUTDIR/NAME.cpp, a class NS::NAME derived from\n"
    "sim::Model whose runs use the generated code instead of the interpreter,\n"
    "with the same results bit for bit. The model file's text is embedded:\n"
    "constructing the class compiles it, and refuses (E-GENERATED-MISMATCH)\n"
    "if the libsim it is linked with compiles it differently. Constants and\n"
    "lever settings stay settable at run time (RunOptions::set). Compile the\n"
    "source with -ffp-contract=off and without -ffast-math; the CMake function\n"
    "sim_add_model(target FILE) does all of this at build time. Files whose\n"
    "content would not change are not rewritten.\n"
    "\n"
    "Options:\n"
    "  --cpp OUTDIR     the directory to write to (made if missing)\n"
    "  --name NAME      class and file name, a C++ identifier (default: the\n"
    "                   file name without extension, made an identifier)\n"
    "  --namespace NS   the class's namespace (default: sim_models)\n"
    "  -h, --help       show this help\n"
    "\n"
    "Exit status: 0 success, 1 model error or a file that cannot be written,\n"
    "2 usage error.\n";

// "chongqing-v2.yaml" -> "chongqing_v2"; a leading digit gets "model_".
std::string identifier_from(const std::string& file) {
    std::string s = std::filesystem::path(file).stem().string(), out;
    for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "model_" + out;
    return out;
}

std::string slurp(const std::string& path, bool& ok) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream ss;
    ss << f.rdbuf();
    ok = static_cast<bool>(f) || f.eof();
    return ss.str();
}

bool is_identifier(const std::string& s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    return true;
}

// Writes `text` to `path` unless it already holds exactly that.
bool write_if_changed(const std::string& path, const std::string& text) {
    bool ok = false;
    if (std::filesystem::exists(path) && slurp(path, ok) == text && ok) return false;
    sim::write_file_atomic(path, [&](std::ostream& os) { os << text; });
    return true;
}

class Generate : public Command {
public:
    explicit Generate(CLI::App& parent) : Command(parent, "generate", generate_help) {
        for (auto* o : {app->add_option("--cpp", out_), app->add_option("--name", name_),
                        app->add_option("--namespace", ns_)})
            o->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)->allow_extra_args(false);
    }

    void check_options() override {
        if (!app->count("--cpp")) throw UsageError("missing --cpp OUTDIR (the directory to write to)");
        if (out_.empty()) throw UsageError("--cpp expects a directory");
        limits = limit_options.limits();
        file_ = finish_parse();
        o_.name = app->count("--name") ? name_ : identifier_from(file_);
        if (!is_identifier(o_.name))
            throw UsageError("--name expects a C++ identifier (letters, digits and _, not first a digit), got '" +
                             o_.name + "'");
        if (app->count("--namespace")) o_.name_space = ns_;
    }

    int execute() override {
        const std::string& file = file_;
        sim::GenerateOptions o = o_;
        // Read once, bounded (the limits); the class compiles exactly these
        // bytes, so they are what is checked here.
        sim::Diagnostics diags;
        auto in = sim::read_input(file, diags, limits);
        if (!in) {
            print_diagnostics(diags, std::cerr);
            return exit_model;
        }
        if (sim::is_scenario_text(in->bytes, file))
            throw UsageError("'" + file + "' is a scenario; generate takes a model file (set a scenario's "
                             "constants at run time with RunOptions::set)");
        o.source_text = in->bytes;
        o.source_path = file;
        sim::ModelSpec spec = sim::parse_model(o.source_text, file, diags, limits);
        std::optional<sim::Model> model;
        if (!diags.has_errors()) model = sim::Model::compile(spec, diags);
        print_diagnostics(diags, std::cerr);
        if (!model) return exit_model;

        const sim::GeneratedCode g = sim::generate_cpp(*model, o);
        std::filesystem::create_directories(out_);
        for (const auto& [ext, text] : {std::pair<const char*, const std::string&>{".hpp", g.header},
                                        std::pair<const char*, const std::string&>{".cpp", g.source}}) {
            const std::string path = (std::filesystem::path(out_) / (o.name + ext)).string();
            // Generated code never replaces the model it was made from.
            sim::check_output_file(path, std::vector<std::string>{file});
            std::cerr << (write_if_changed(path, text) ? "wrote " : "unchanged ") << path << '\n';
        }
        std::cerr << "class " << (o.name_space.empty() ? "" : o.name_space + "::") << o.name << ": "
                  << g.functions << (g.functions == 1 ? " function" : " functions") << ", "
                  << (g.locals ? "state in local variables" : "state in the slot vector") << '\n';
        return exit_ok;
    }

private:
    std::string out_, name_, ns_;
    // What check_options made of them.
    sim::GenerateOptions o_;
    std::string file_;
};

}  // namespace

std::unique_ptr<Command> make_generate(CLI::App& app) { return std::make_unique<Generate>(app); }

}  // namespace sdsim
